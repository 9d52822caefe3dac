#pragma once
// Which meter source to read, from a meter.toml [source] section or a URI:
//   modbus-tcp://HOST:PORT?unit=1&map=sdm630
//   modbus-rtu:///dev/ttyUSB0?baud=9600&unit=1&map=sdm120
//   s0://gpiochip0/17?pulses_per_kwh=1000[&direction=export]
//   trace:///path/to/file.csv
// `map` is a built-in name (sdm120, sdm630) or a register map file.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <memory>
#include <string>

#include "voltaic/hardware/meter_source.hpp"

namespace voltaic::hardware {

struct meter_source_config {
  std::string kind;     // modbus-tcp, modbus-rtu, s0, trace
  std::string address;  // modbus-tcp: HOST:PORT
  std::int64_t unit = 1;
  std::string map = "sdm630";
  std::string device;  // modbus-rtu
  std::int64_t baud = 9'600;
  std::string chip = "gpiochip0";  // s0
  std::int64_t line = 0;
  std::int64_t pulses_per_kwh = 1'000;
  bool exports = false;
  std::string file;  // trace
};

result<meter_source_config> parse_source_uri(const std::string& uri);
// The URI of a configuration (what `voltaic meter init` writes back as keys).
std::string to_uri(const meter_source_config& config);
// Opens the source: a register map that does not load, a trace with a bad
// line or a GPIO line that cannot be watched is an error here; an
// unreachable Modbus device is not (its reads fail until it answers).
result<std::unique_ptr<meter_source>> open_meter_source(const meter_source_config& config);

}  // namespace voltaic::hardware
