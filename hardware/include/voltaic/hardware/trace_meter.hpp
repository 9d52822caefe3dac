#pragma once
// A meter replayed from a CSV trace `time_ms,import_wh,export_wh` for labs
// without hardware: time_ms counts from the start of the replay; a read gives
// the last row due by then (the first row before that), and the last row once
// the trace has run out. Rows must be in time order with energies that never
// fall; a bad line is refused when the trace is opened, naming it.
// Thread-safety: one reader.

#include <chrono>
#include <string>
#include <vector>

#include "voltaic/hardware/meter_source.hpp"

namespace voltaic::hardware {

struct trace_row {
  std::uint64_t time_ms = 0;
  std::int64_t import_wh = 0;
  std::int64_t export_wh = 0;
};

class trace_meter final : public meter_source {
 public:
  static result<std::unique_ptr<trace_meter>> open(const std::string& path);

  result<meter_sample> read() override;
  std::string describe() const override { return "trace " + path_; }

 private:
  trace_meter(std::string path, std::vector<trace_row> rows);
  std::string path_;
  std::vector<trace_row> rows_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace voltaic::hardware
