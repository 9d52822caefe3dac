#include "voltaic/runtime/meter_config.hpp"

#include <filesystem>

#include "config_check.hpp"
#include "run_config_toml.hpp"

namespace voltaic::runtime {

namespace {

market::error missing(const std::string& path, const std::string& key) {
  return market::make_error(market::errc::missing_field, path + ": " + key + " is missing");
}

}  // namespace

market::result<hardware::meterd_config> load_meter_config(const std::string& path) {
  auto doc = parse_toml_file(path);
  if (!doc) return doc.err();
  const toml::table& t = doc.value();
  if (auto s = check_config(t, meter_file_schema(), path); !s) return s.err();
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return p.empty() || std::filesystem::path(p).is_absolute() ? p : (base / p).string();
  };
  hardware::meterd_config c;
  hardware::meter_source_config& s = c.source;
  const auto src = t["source"];
  s.kind = src["kind"].value_or(std::string{});
  if (s.kind.empty()) return missing(path, "[source] kind");
  s.address = src["address"].value_or(std::string{});
  s.unit = src["unit"].value_or(s.unit);
  s.map = src["map"].value_or(s.map);
  if (s.map.find('/') != std::string::npos || s.map.find(".toml") != std::string::npos) s.map = resolve(s.map);
  s.device = src["device"].value_or(std::string{});
  s.baud = src["baud"].value_or(s.baud);
  s.chip = src["chip"].value_or(s.chip);
  s.line = src["line"].value_or(s.line);
  s.pulses_per_kwh = src["pulses_per_kwh"].value_or(s.pulses_per_kwh);
  const std::string direction = src["direction"].value_or(std::string{"import"});
  if (direction != "import" && direction != "export")
    return config_fault(path, src["direction"].node(), "[source] direction: must be \"import\" or \"export\"");
  s.exports = direction == "export";
  s.file = resolve(src["file"].value_or(std::string{}));
  if (s.kind == "modbus-tcp" && s.address.empty()) return missing(path, "[source] address (HOST:PORT)");
  if (s.kind == "modbus-rtu" && s.device.empty()) return missing(path, "[source] device");
  if (s.kind == "s0" && !src["line"]) return missing(path, "[source] line");
  if (s.kind == "trace" && s.file.empty()) return missing(path, "[source] file");
  if (s.kind != "modbus-tcp" && s.kind != "modbus-rtu" && s.kind != "s0" && s.kind != "trace")
    return config_fault(path, src["kind"].node(),
                        "[source] kind: '" + s.kind + "' (expected modbus-tcp, modbus-rtu, s0 or trace)");

  c.endpoint = t["publish"]["endpoint"].value_or(std::string{});
  if (c.endpoint.empty()) return missing(path, "[publish] endpoint");
  c.curve_secret_key_file = resolve(t["curve"]["secret_key_file"].value_or(std::string{}));
  if (c.curve_secret_key_file.empty()) return missing(path, "[curve] secret_key_file");
  c.allowed_clients_file = resolve(t["curve"]["allowed_clients_file"].value_or(std::string{}));
  if (c.allowed_clients_file.empty()) return missing(path, "[curve] allowed_clients_file");
  c.journal_dir = resolve(t["journal"]["dir"].value_or(std::string{"journal"}));
  c.key_file = resolve(t["meter"]["key_file"].value_or(std::string{}));
  if (c.key_file.empty()) return missing(path, "[meter] key_file");
  c.interval_ms = t["meter"]["interval_ms"].value_or(c.interval_ms);
  return c;
}

std::string meter_config_text(const hardware::meter_source_config& s, const std::string& endpoint) {
  auto q = [](const std::string& v) { return "\"" + v + "\""; };
  std::string text = "# voltaic meterd (`voltaic meterd --config meter.toml`); paths are relative to this file.\n";
  text += "[source]\nkind = " + q(s.kind) + "\n";
  if (s.kind == "modbus-tcp")
    text += "address = " + q(s.address) + "\nunit = " + std::to_string(s.unit) + "\nmap = " + q(s.map) + "\n";
  if (s.kind == "modbus-rtu")
    text += "device = " + q(s.device) + "\nbaud = " + std::to_string(s.baud) + "\nunit = " + std::to_string(s.unit) +
            "\nmap = " + q(s.map) + "\n";
  if (s.kind == "s0")
    text += "chip = " + q(s.chip) + "\nline = " + std::to_string(s.line) + "\npulses_per_kwh = " +
            std::to_string(s.pulses_per_kwh) + "\ndirection = " + q(s.exports ? "export" : "import") + "\n";
  if (s.kind == "trace") text += "file = " + q(s.file) + "\n";
  text += "\n[publish]\nendpoint = " + q(endpoint) + "\n";
  text += "\n[curve]\nsecret_key_file = \"server.curve\"\nallowed_clients_file = \"allowed_clients\"\n";
  text += "\n[journal]\ndir = \"journal\"\n";
  text += "\n[meter]\nkey_file = \"meter.keys\"\ninterval_ms = 1000\n";
  return text;
}

}  // namespace voltaic::runtime
