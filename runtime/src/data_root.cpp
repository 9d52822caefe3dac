#include <cstdlib>
#include <fstream>
#include <string>

#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

std::string feeder_data_root() {
  if (const char* env = std::getenv("VOLTAIC_DATA_DIR"); env && *env) return env;
  for (const char* candidate : {VOLTAIC_SOURCE_DATA_DIR, VOLTAIC_INSTALLED_DATA_DIR})
    if (std::ifstream(std::string(candidate) + "/ieee_eu_lv/Lines.csv").good()) return candidate;
  return VOLTAIC_INSTALLED_DATA_DIR;
}

}  // namespace voltaic::runtime
