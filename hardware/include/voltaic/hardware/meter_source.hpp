#pragma once
// What a meter source gives: cumulative energies in Wh, a counter that only
// grows, and when it was read. Every source (Modbus, S0 pulses, a trace)
// answers read() with a sample or an error naming what could not be reached;
// it never makes up a value.
// Thread-safety: one reader per source.

#include <cstdint>
#include <memory>
#include <string>

#include "voltaic/market/error.hpp"

namespace voltaic::hardware {

using market::errc;
using market::error;
using market::make_error;
using market::result;
using market::status;

struct meter_sample {
  std::int64_t import_wh = 0;  // cumulative energy taken from the grid
  std::int64_t export_wh = 0;  // cumulative energy fed into the grid
  std::uint64_t counter = 0;   // the source's own monotonic count (reads or pulses)
  std::uint64_t time_ms = 0;   // wall clock (ms since the Unix epoch) of the read
};

class meter_source {
 public:
  virtual ~meter_source() = default;
  // The next sample; an error when the meter cannot be read now (a later
  // read may succeed: sources reconnect on their own).
  virtual result<meter_sample> read() = 0;
  // "modbus-tcp 127.0.0.1:1502 unit 1 (sdm630)": for log lines.
  virtual std::string describe() const = 0;
};

std::uint64_t wall_clock_ms();

}  // namespace voltaic::hardware
