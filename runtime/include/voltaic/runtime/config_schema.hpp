#pragma once
// Every key a voltaic configuration file may hold, by file type and
// section, with the type and range it must have. `voltaic run` and
// `voltaic load` check a file against its schema before reading it: an
// unknown key (with a "did you mean" for near misses), a wrong type or an
// out-of-range value is one line naming file, line and key, exit 2.
// Checks across keys (duplicates, counts against prosumers) are the
// readers' (run_config.cpp, scenario_config.cpp).
// Thread-safety: the schemas are immutable.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace voltaic::runtime {

enum class value_kind : std::uint8_t {
  text,          // a string; min/max bound its length in bytes
  integer,       // min/max bound the value
  decimal_text,  // a decimal in quotes ("0.20"): exact, never a float
  key_hex,       // a public key: 64 hex digits
  text_list,     // an array of strings
  key_list,      // an array of public keys
  integer_list,  // an array of integers, each within min/max
  boolean,       // true or false
  tables,        // an array of tables whose keys are `fields`
};

struct key_rule {
  std::string name;
  value_kind kind = value_kind::text;
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::vector<key_rule> fields;  // value_kind::tables
};

struct section_rule {
  std::string name;
  bool repeated = false;  // [[name]]: an array of tables
  std::vector<key_rule> keys;
};

struct file_schema {
  std::string what;  // "run file", "scenario file"
  std::vector<section_rule> sections;
};

// `voltaic run` / `voltaic load` files: [chain], [consensus], [genesis], [[validator]].
const file_schema& run_file_schema();
// Scenario files: those sections plus [scenario], [clock], [[meter]], [[grid_change]].
const file_schema& scenario_file_schema();
// `voltaic experiment` files: [experiment].
const file_schema& experiment_file_schema();
// `voltaic meterd` files: [source], [publish], [curve], [journal], [meter].
const file_schema& meter_file_schema();

}  // namespace voltaic::runtime
