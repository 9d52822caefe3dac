#include "voltaic/market/feeder.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "voltaic/market/csv.hpp"

namespace voltaic::market {

namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

// Opens a CSV, reads its header and checks the named columns exist.
struct table_file {
  csv_reader reader;
  std::vector<int> columns;
};

result<table_file> open_table(const std::string& path, const std::vector<std::string_view>& names) {
  auto reader = csv_reader::open(path);
  if (!reader) return reader.err();
  std::vector<std::string> header;
  if (!reader.value().next(header))
    return make_error(errc::malformed_file, path + ": the file has no header line");
  table_file t{std::move(reader).value(), {}};
  for (auto name : names) {
    const int index = column_index(header, name);
    if (index < 0)
      return t.reader.at_line(errc::missing_field, "the header has no column '" + std::string(name) + "'");
    t.columns.push_back(index);
  }
  return t;
}

// Field k of the named columns, or an error naming the line.
result<std::string> field(const table_file& t, const std::vector<std::string>& row, std::size_t k) {
  const auto index = static_cast<std::size_t>(t.columns[k]);
  if (index >= row.size())
    return t.reader.at_line(errc::malformed_file, "expected at least " + std::to_string(index + 1) +
                                                      " fields, found " + std::to_string(row.size()));
  return trim(row[index]);
}

result<distance_mm> length_in_mm(const std::string& value, const std::string& unit) {
  const std::string u = trim(unit);
  if (u == "m") return parse_scaled(value, 1000);
  if (u == "km") return parse_scaled(value, 1'000'000);
  if (u == "ft") {
    auto tenth_mm = parse_scaled(value, 10'000);  // feet in 1e-4 ft; 1 ft = 304.8 mm
    if (!tenth_mm) return tenth_mm.err();
    return div_round_half_even(static_cast<int128>(tenth_mm.value()) * 3048, 10'000);
  }
  return make_error(errc::invalid_field, "unknown length unit '" + u + "' (use m, km or ft)");
}

result<double> parse_double(const std::string& text) {
  double v = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(v))
    return make_error(errc::invalid_number, "'" + text + "' is not a finite number");
  return v;
}

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

result<feeder> load_ieee_eu_lv(const std::string& dir) {
  feeder f;
  f.name = "ieee-eu-lv";
  auto lines = open_table(dir + "/Lines.csv", {"Name", "Bus1", "Bus2", "Length", "Units"});
  if (!lines) return lines.err();
  auto& lt = lines.value();
  std::vector<std::string> row;
  while (lt.reader.next(row)) {
    std::string values[5];
    for (std::size_t k = 0; k < 5; ++k) {
      auto v = field(lt, row, k);
      if (!v) return v.err();
      values[k] = std::move(v).value();
    }
    auto length = length_in_mm(values[3], values[4]);
    if (!length) return lt.reader.at_line(length.err().code, "line length: " + length.err().message);
    if (auto st = f.grid.add_line(values[0], values[1], values[2], length.value(), true); !st)
      return lt.reader.at_line(st.err().code, st.err().message);
  }
  auto loads = open_table(dir + "/Loads.csv", {"Bus"});
  if (!loads) return loads.err();
  auto& ld = loads.value();
  while (ld.reader.next(row)) {
    auto bus = field(ld, row, 0);
    if (!bus) return bus.err();
    if (!f.grid.bus_index(bus.value()))
      return ld.reader.at_line(errc::unknown_bus, "load bus '" + bus.value() + "' is not on any line");
    f.load_buses.push_back(bus.value());
  }
  return f;
}

result<feeder> load_ieee33(const std::string& dir) {
  feeder f;
  f.name = "ieee33";
  auto lines = open_table(dir + "/lines.csv", {"from_bus", "to_bus", "r_ohm", "x_ohm", "in_service"});
  if (!lines) return lines.err();
  auto& lt = lines.value();
  std::vector<std::string> row;
  while (lt.reader.next(row)) {
    std::string values[5];
    for (std::size_t k = 0; k < 5; ++k) {
      auto v = field(lt, row, k);
      if (!v) return v.err();
      values[k] = std::move(v).value();
    }
    auto r = parse_double(values[2]);
    auto x = parse_double(values[3]);
    if (!r || !x) return lt.reader.at_line(errc::invalid_number, (r ? x : r).err().message);
    bool in_service = false;
    if (values[4] == "True" || values[4] == "true" || values[4] == "1") in_service = true;
    else if (!(values[4] == "False" || values[4] == "false" || values[4] == "0"))
      return lt.reader.at_line(errc::invalid_field, "in_service must be True or False, not '" + values[4] + "'");
    // |z| in ohms, one milliohm standing for one metre.
    const double ohms = std::sqrt(r.value() * r.value() + x.value() * x.value());
    auto length = to_scaled(ohms, 1'000'000);
    if (!length) return lt.reader.at_line(errc::out_of_range, "impedance out of range");
    const std::string name = "L" + values[0] + "-" + values[1];
    if (auto st = f.grid.add_line(name, values[0], values[1], length.value(), in_service); !st)
      return lt.reader.at_line(st.err().code, st.err().message);
  }
  auto loads = open_table(dir + "/loads.csv", {"bus"});
  if (!loads) return loads.err();
  auto& ld = loads.value();
  while (ld.reader.next(row)) {
    auto bus = field(ld, row, 0);
    if (!bus) return bus.err();
    if (!f.grid.bus_index(bus.value()))
      return ld.reader.at_line(errc::unknown_bus, "load bus '" + bus.value() + "' is not on any line");
    f.load_buses.push_back(bus.value());
  }
  return f;
}

result<feeder> load_feeder(std::string_view name_or_dir, const std::string& data_root) {
  if (name_or_dir == "ieee-eu-lv") return load_ieee_eu_lv(data_root + "/ieee_eu_lv");
  if (name_or_dir == "ieee33") return load_ieee33(data_root + "/ieee33");
  const std::string dir(name_or_dir);
  if (file_exists(dir + "/Lines.csv")) {
    auto f = load_ieee_eu_lv(dir);
    if (f) f.value().name = dir;
    return f;
  }
  if (file_exists(dir + "/lines.csv")) {
    auto f = load_ieee33(dir);
    if (f) f.value().name = dir;
    return f;
  }
  return make_error(errc::io_error, "'" + dir + "' is neither ieee-eu-lv, ieee33 nor a directory with "
                                                "Lines.csv (IEEE EU LV format) or lines.csv (IEEE 33 format)");
}

}  // namespace voltaic::market
