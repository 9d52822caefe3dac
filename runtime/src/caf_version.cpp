// The only CAF include of the command line so far: reports the framework the
// agents will run on (issue 4 onwards adds the actor system here).
#include <caf/config.hpp>

#include <string>

#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

std::string caf_version() {
  return std::to_string(CAF_MAJOR_VERSION) + "." + std::to_string(CAF_MINOR_VERSION) + "." +
         std::to_string(CAF_PATCH_VERSION);
}

}  // namespace voltaic::runtime
