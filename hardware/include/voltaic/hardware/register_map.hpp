#pragma once
// Where a Modbus meter keeps its cumulative import and export, as data: the
// register address, its table (input or holding), the value's type and word
// order, and the scale to Wh. Built in: Eastron SDM120 and SDM630 (input
// registers, float32 big-endian, kWh: import at 0x0048, export at 0x004A).
// Other meters: a TOML file
//   [import] address = 72, table = "input", type = "float32", word_order = "big", scale_to_wh = 1000
//   [export] ... the same keys
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <string>

#include "voltaic/hardware/meter_source.hpp"

namespace voltaic::hardware {

enum class register_table : std::uint8_t { input, holding };
enum class register_type : std::uint8_t { uint16, int16, uint32, int32, float32 };
enum class word_order : std::uint8_t { big, little };  // big: the high word at the lower address

struct register_field {
  std::uint16_t address = 0;
  register_table table = register_table::input;
  register_type type = register_type::float32;
  word_order order = word_order::big;
  double scale_to_wh = 1000.0;  // a value of 1 in the register is this many Wh
};

struct register_map {
  std::string name;
  register_field import_energy;
  register_field export_energy;
};

// "sdm120", "sdm630": the built-in maps; an error naming the known ones otherwise.
result<register_map> builtin_register_map(const std::string& name);
// A map from a TOML file; every problem names the file, the key and what is wrong.
result<register_map> load_register_map(const std::string& path);
// A built-in name or, when it names a file, that file.
result<register_map> find_register_map(const std::string& name_or_path);

// How many 16-bit registers a value of this type spans.
int register_count(register_type type);
// The value in Wh of the registers read at a field, rounded to the nearest
// Wh; an error for a value that is not finite or does not fit.
result<std::int64_t> decode_wh(const register_field& field, const std::uint16_t* registers);
// The registers a value in the field's units encodes to (the Modbus test
// server writes its registers with it).
void encode_value(const register_field& field, double value, std::uint16_t* registers);

}  // namespace voltaic::hardware
