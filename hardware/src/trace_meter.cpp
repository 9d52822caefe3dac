#include "voltaic/hardware/trace_meter.hpp"

#include <algorithm>

#include "voltaic/market/csv.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::hardware {

namespace {

result<std::int64_t> whole_number(const std::string& text) {
  auto v = market::parse_scaled(text, 1);
  if (!v) return v.err();
  if (v.value() < 0) return make_error(errc::out_of_range, "'" + text + "' is negative");
  return v.value();
}

}  // namespace

trace_meter::trace_meter(std::string path, std::vector<trace_row> rows)
    : path_(std::move(path)), rows_(std::move(rows)), start_(std::chrono::steady_clock::now()) {}

result<std::unique_ptr<trace_meter>> trace_meter::open(const std::string& path) {
  auto file = market::named_columns::open(path, {"time_ms", "import_wh", "export_wh"});
  if (!file) return file.err();
  std::vector<trace_row> rows;
  std::vector<std::string> v;
  for (;;) {
    auto more = file.value().next(v);
    if (!more) return more.err();
    if (!more.value()) break;
    trace_row row;
    const char* names[] = {"time_ms", "import_wh", "export_wh"};
    std::int64_t values[3];
    for (int k = 0; k < 3; ++k) {
      auto n = whole_number(v[static_cast<std::size_t>(k)]);
      if (!n) return file.value().at_line(n.err().code, std::string(names[k]) + " " + n.err().message);
      values[k] = n.value();
    }
    row = {static_cast<std::uint64_t>(values[0]), values[1], values[2]};
    if (!rows.empty()) {
      const trace_row& last = rows.back();
      if (row.time_ms <= last.time_ms)
        return file.value().at_line(errc::invalid_field, "time_ms must grow from row to row");
      if (row.import_wh < last.import_wh || row.export_wh < last.export_wh)
        return file.value().at_line(errc::invalid_field, "cumulative energies never fall");
    }
    rows.push_back(row);
  }
  if (rows.empty()) return make_error(errc::malformed_file, path + ": the trace has no rows");
  return std::unique_ptr<trace_meter>(new trace_meter(path, std::move(rows)));
}

result<meter_sample> trace_meter::read() {
  const auto elapsed = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count());
  auto due = std::upper_bound(rows_.begin(), rows_.end(), elapsed,
                              [](std::uint64_t t, const trace_row& r) { return t < r.time_ms; });
  const std::size_t index = due == rows_.begin() ? 0 : static_cast<std::size_t>(due - rows_.begin()) - 1;
  const trace_row& row = rows_[index];
  return meter_sample{row.import_wh, row.export_wh, index + 1, wall_clock_ms()};
}

}  // namespace voltaic::hardware
