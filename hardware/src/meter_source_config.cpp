#include "voltaic/hardware/meter_source_config.hpp"

#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>

#include "voltaic/hardware/modbus_meter.hpp"
#include "voltaic/hardware/pulse_meter.hpp"
#include "voltaic/hardware/register_map.hpp"
#include "voltaic/hardware/trace_meter.hpp"

namespace voltaic::hardware {

namespace {

error uri_error(const std::string& uri, const std::string& what) {
  return make_error(errc::invalid_field, "source '" + uri + "': " + what);
}

result<std::int64_t> number(const std::string& uri, const std::string& name, const std::string& text,
                            std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    return uri_error(uri, name + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                              ", not '" + text + "'");
  return v;
}

}  // namespace

result<meter_source_config> parse_source_uri(const std::string& uri) {
  const std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string::npos)
    return uri_error(uri, "expected modbus-tcp://, modbus-rtu://, s0:// or trace://");
  meter_source_config c;
  c.kind = uri.substr(0, scheme_end);
  std::string rest = uri.substr(scheme_end + 3);
  std::map<std::string, std::string> query;
  if (const std::size_t q = rest.find('?'); q != std::string::npos) {
    std::string params = rest.substr(q + 1);
    rest.resize(q);
    for (std::size_t start = 0; start <= params.size();) {
      const std::size_t amp = std::min(params.find('&', start), params.size());
      const std::string pair = params.substr(start, amp - start);
      const std::size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) return uri_error(uri, "'" + pair + "' is not NAME=VALUE");
      query[pair.substr(0, eq)] = pair.substr(eq + 1);
      start = amp + 1;
    }
  }
  auto take = [&](const std::string& name) -> std::optional<std::string> {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    std::string v = it->second;
    query.erase(it);
    return v;
  };
  if (c.kind == "modbus-tcp" || c.kind == "modbus-rtu") {
    if (c.kind == "modbus-tcp") {
      const std::size_t colon = rest.rfind(':');
      if (rest.empty() || colon == std::string::npos || colon == 0) return uri_error(uri, "expected HOST:PORT");
      if (auto port = number(uri, "the port", rest.substr(colon + 1), 1, 65'535); !port) return port.err();
      c.address = rest;
    } else {
      if (rest.empty() || rest[0] != '/') return uri_error(uri, "expected a device path (modbus-rtu:///dev/ttyUSB0)");
      c.device = rest;
      if (auto b = take("baud")) {
        auto v = number(uri, "baud", *b, 300, 4'000'000);
        if (!v) return v.err();
        c.baud = v.value();
      }
    }
    if (auto u = take("unit")) {
      auto v = number(uri, "unit", *u, 0, 247);
      if (!v) return v.err();
      c.unit = v.value();
    }
    if (auto m = take("map")) c.map = *m;
  } else if (c.kind == "s0") {
    const std::size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0) return uri_error(uri, "expected CHIP/LINE (s0://gpiochip0/17)");
    c.chip = rest.substr(0, slash);
    auto line = number(uri, "the line", rest.substr(slash + 1), 0, 1'023);
    if (!line) return line.err();
    c.line = line.value();
    if (auto p = take("pulses_per_kwh")) {
      auto v = number(uri, "pulses_per_kwh", *p, 1, 1'000'000);
      if (!v) return v.err();
      c.pulses_per_kwh = v.value();
    }
    if (auto d = take("direction")) {
      if (*d != "import" && *d != "export") return uri_error(uri, "direction must be import or export");
      c.exports = *d == "export";
    }
  } else if (c.kind == "trace") {
    if (rest.empty()) return uri_error(uri, "expected a file (trace:///path/to/file.csv)");
    c.file = rest;
  } else {
    return uri_error(uri, "unknown kind '" + c.kind + "' (expected modbus-tcp, modbus-rtu, s0 or trace)");
  }
  if (!query.empty()) return uri_error(uri, "unknown parameter '" + query.begin()->first + "'");
  return c;
}

std::string to_uri(const meter_source_config& c) {
  if (c.kind == "modbus-tcp") return c.kind + "://" + c.address + "?unit=" + std::to_string(c.unit) + "&map=" + c.map;
  if (c.kind == "modbus-rtu")
    return c.kind + "://" + c.device + "?baud=" + std::to_string(c.baud) + "&unit=" + std::to_string(c.unit) +
           "&map=" + c.map;
  if (c.kind == "s0")
    return "s0://" + c.chip + "/" + std::to_string(c.line) + "?pulses_per_kwh=" + std::to_string(c.pulses_per_kwh) +
           (c.exports ? "&direction=export" : "");
  return "trace://" + c.file;
}

result<std::unique_ptr<meter_source>> open_meter_source(const meter_source_config& c) {
  if (c.kind == "modbus-tcp" || c.kind == "modbus-rtu") {
    auto map = find_register_map(c.map);
    if (!map) return map.err();
    modbus_endpoint e;
    e.rtu = c.kind == "modbus-rtu";
    e.unit = static_cast<int>(c.unit);
    if (e.rtu) {
      e.device = c.device;
      e.baud = static_cast<int>(c.baud);
    } else {
      const std::size_t colon = c.address.rfind(':');
      if (colon == std::string::npos) return make_error(errc::invalid_field, "address '" + c.address + "' is not HOST:PORT");
      e.host = c.address.substr(0, colon);
      e.port = std::atoi(c.address.c_str() + colon + 1);
      if (e.port < 1 || e.port > 65'535) return make_error(errc::invalid_field, "address '" + c.address + "': bad port");
    }
    return std::unique_ptr<meter_source>(new modbus_meter(e, map.value()));
  }
  if (c.kind == "s0") {
    pulse_line line;
    line.chip = c.chip;
    line.line = static_cast<unsigned>(c.line);
    line.pulses_per_kwh = c.pulses_per_kwh;
    line.exports = c.exports;
    auto m = pulse_meter::open(line);
    if (!m) return m.err();
    return std::unique_ptr<meter_source>(std::move(m).value());
  }
  if (c.kind == "trace") {
    auto m = trace_meter::open(c.file);
    if (!m) return m.err();
    return std::unique_ptr<meter_source>(std::move(m).value());
  }
  return make_error(errc::invalid_field, "unknown source kind '" + c.kind + "' (expected modbus-tcp, modbus-rtu, s0 or trace)");
}

}  // namespace voltaic::hardware
