#pragma once
// Locations of repository data for tests, fixed at configure time.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace voltaic::test {

inline std::string source_dir() { return VOLTAIC_SOURCE_DIR; }
inline std::string testvectors_path() { return source_dir() + "/tests/data/testvectors/market.json"; }
inline std::string feeder_dir(const std::string& name) { return source_dir() + "/data/feeders/" + name; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace voltaic::test
