#include "voltaic/market/feeder.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "voltaic/market/csv.hpp"

namespace voltaic::market {

namespace {

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

// Load buses in file order; each must be on a line of the grid.
status read_load_buses(const std::string& path, std::string_view column, feeder& f) {
  auto loads = named_columns::open(path, {column});
  if (!loads) return loads.err();
  std::vector<std::string> v;
  for (;;) {
    auto more = loads.value().next(v);
    if (!more) return more.err();
    if (!more.value()) return {};
    if (!f.grid.bus_index(v[0]))
      return loads.value().at_line(errc::unknown_bus, "load bus '" + v[0] + "' is not on any line");
    f.load_buses.push_back(v[0]);
  }
}

// Reads every row of a line table; `add` turns one row into a grid line.
template <class AddLine>
status read_lines(const std::string& path, const std::vector<std::string_view>& columns, AddLine add) {
  auto lines = named_columns::open(path, columns);
  if (!lines) return lines.err();
  std::vector<std::string> v;
  for (;;) {
    auto more = lines.value().next(v);
    if (!more) return more.err();
    if (!more.value()) return {};
    if (auto st = add(v); !st) return lines.value().at_line(st.err().code, st.err().message);
  }
}

}  // namespace

result<feeder> load_ieee_eu_lv(const std::string& dir) {
  feeder f;
  f.name = "ieee-eu-lv";
  auto st = read_lines(dir + "/Lines.csv", {"Name", "Bus1", "Bus2", "Length", "Units"},
                       [&](const std::vector<std::string>& v) -> status {
                         auto length = length_in_mm(v[3], v[4]);
                         if (!length) return make_error(length.err().code, "line length: " + length.err().message);
                         return f.grid.add_line(v[0], v[1], v[2], length.value(), true);
                       });
  if (!st) return st.err();
  if (auto loads = read_load_buses(dir + "/Loads.csv", "Bus", f); !loads) return loads.err();
  return f;
}

result<feeder> load_ieee33(const std::string& dir) {
  feeder f;
  f.name = "ieee33";
  auto st = read_lines(
      dir + "/lines.csv", {"from_bus", "to_bus", "r_ohm", "x_ohm", "in_service"},
      [&](const std::vector<std::string>& v) -> status {
        auto r = parse_double(v[2]);
        auto x = parse_double(v[3]);
        if (!r || !x) return (r ? x : r).err();
        bool in_service = false;
        if (v[4] == "True" || v[4] == "true" || v[4] == "1") in_service = true;
        else if (!(v[4] == "False" || v[4] == "false" || v[4] == "0"))
          return make_error(errc::invalid_field, "in_service must be True or False, not '" + v[4] + "'");
        // |z| in ohms, one milliohm standing for one metre.
        const double ohms = std::sqrt(r.value() * r.value() + x.value() * x.value());
        auto length = to_scaled(ohms, 1'000'000);
        if (!length) return make_error(errc::out_of_range, "impedance out of range");
        return f.grid.add_line("L" + v[0] + "-" + v[1], v[0], v[1], length.value(), in_service);
      });
  if (!st) return st.err();
  if (auto loads = read_load_buses(dir + "/loads.csv", "bus", f); !loads) return loads.err();
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
