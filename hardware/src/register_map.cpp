#include "voltaic/hardware/register_map.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

namespace voltaic::hardware {

namespace {

register_map eastron(std::string name) {
  // Eastron's SDM120 and SDM630 share these two registers (kWh, float32).
  register_map m;
  m.name = std::move(name);
  m.import_energy = {0x0048, register_table::input, register_type::float32, word_order::big, 1000.0};
  m.export_energy = {0x004A, register_table::input, register_type::float32, word_order::big, 1000.0};
  return m;
}

error map_error(const std::string& path, const std::string& what) {
  return make_error(errc::invalid_field, path + ": " + what);
}

result<register_field> field_from(const toml::table& doc, const std::string& section, const std::string& path) {
  const toml::table* t = doc[section].as_table();
  if (t == nullptr) return map_error(path, "no [" + section + "] section (the register of the " + section + " energy)");
  for (const auto& [key, value] : *t) {
    const std::string k(key.str());
    if (k != "address" && k != "table" && k != "type" && k != "word_order" && k != "scale_to_wh")
      return map_error(path, "[" + section + "] " + k +
                                 ": unknown key (expected address, table, type, word_order, scale_to_wh)");
  }
  register_field f;
  const auto address = (*t)["address"].value<std::int64_t>();
  if (!address) return map_error(path, "[" + section + "] address: missing or not an integer");
  if (*address < 0 || *address > 0xFFFF) return map_error(path, "[" + section + "] address: must be 0..65535");
  f.address = static_cast<std::uint16_t>(*address);
  const std::string table = (*t)["table"].value_or(std::string("input"));
  if (table == "input") f.table = register_table::input;
  else if (table == "holding") f.table = register_table::holding;
  else return map_error(path, "[" + section + "] table: '" + table + "' (expected input or holding)");
  const std::string type = (*t)["type"].value_or(std::string("float32"));
  if (type == "uint16") f.type = register_type::uint16;
  else if (type == "int16") f.type = register_type::int16;
  else if (type == "uint32") f.type = register_type::uint32;
  else if (type == "int32") f.type = register_type::int32;
  else if (type == "float32") f.type = register_type::float32;
  else return map_error(path, "[" + section + "] type: '" + type + "' (expected uint16, int16, uint32, int32 or float32)");
  const std::string order = (*t)["word_order"].value_or(std::string("big"));
  if (order == "big") f.order = word_order::big;
  else if (order == "little") f.order = word_order::little;
  else return map_error(path, "[" + section + "] word_order: '" + order + "' (expected big or little)");
  if (const toml::node* scale = t->get("scale_to_wh")) {
    const auto v = scale->value<double>();  // integers read as doubles too
    if (!v || !std::isfinite(*v) || *v <= 0)
      return map_error(path, "[" + section + "] scale_to_wh: must be a number > 0");
    f.scale_to_wh = *v;
  }
  return f;
}

}  // namespace

result<register_map> builtin_register_map(const std::string& name) {
  if (name == "sdm120" || name == "sdm630") return eastron(name);
  return make_error(errc::invalid_field, "unknown register map '" + name + "' (built in: sdm120, sdm630; or a TOML file)");
}

result<register_map> load_register_map(const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return map_error(path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column),
                     std::string(e.description()));
  }
  for (const auto& [key, value] : doc) {
    const std::string k(key.str());
    if (k != "import" && k != "export") return map_error(path, "unknown section '" + k + "' (expected [import], [export])");
  }
  auto imp = field_from(doc, "import", path);
  if (!imp) return imp.err();
  auto exp = field_from(doc, "export", path);
  if (!exp) return exp.err();
  return register_map{std::filesystem::path(path).filename().string(), imp.value(), exp.value()};
}

result<register_map> find_register_map(const std::string& name_or_path) {
  if (name_or_path.find('/') == std::string::npos && name_or_path.find(".toml") == std::string::npos)
    return builtin_register_map(name_or_path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(name_or_path, ec))
    return make_error(errc::io_error, name_or_path + ": no such register map file");
  return load_register_map(name_or_path);
}

int register_count(register_type type) {
  return type == register_type::uint16 || type == register_type::int16 ? 1 : 2;
}

namespace {

std::uint32_t join_words(const register_field& f, const std::uint16_t* r) {
  const std::uint16_t high = f.order == word_order::big ? r[0] : r[1];
  const std::uint16_t low = f.order == word_order::big ? r[1] : r[0];
  return (static_cast<std::uint32_t>(high) << 16) | low;
}

}  // namespace

result<std::int64_t> decode_wh(const register_field& f, const std::uint16_t* r) {
  double value = 0;
  switch (f.type) {
    case register_type::uint16: value = r[0]; break;
    case register_type::int16: value = static_cast<std::int16_t>(r[0]); break;
    case register_type::uint32: value = join_words(f, r); break;
    case register_type::int32: value = static_cast<std::int32_t>(join_words(f, r)); break;
    case register_type::float32: {
      const std::uint32_t bits = join_words(f, r);
      float v;
      std::memcpy(&v, &bits, sizeof v);
      value = v;
      break;
    }
  }
  const double wh = std::round(value * f.scale_to_wh);
  if (!std::isfinite(wh) || std::fabs(wh) > 9.0e15)
    return make_error(errc::out_of_range, "register " + std::to_string(f.address) + " holds no usable energy (" +
                                              std::to_string(value) + ")");
  return static_cast<std::int64_t>(wh);
}

void encode_value(const register_field& f, double value, std::uint16_t* r) {
  std::uint32_t bits = 0;
  switch (f.type) {
    case register_type::uint16:
    case register_type::int16: r[0] = static_cast<std::uint16_t>(static_cast<std::int32_t>(value)); return;
    case register_type::uint32: bits = static_cast<std::uint32_t>(value); break;
    case register_type::int32: bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(value)); break;
    case register_type::float32: {
      const auto v = static_cast<float>(value);
      std::memcpy(&bits, &v, sizeof bits);
      break;
    }
  }
  const auto high = static_cast<std::uint16_t>(bits >> 16), low = static_cast<std::uint16_t>(bits & 0xFFFF);
  r[0] = f.order == word_order::big ? high : low;
  r[1] = f.order == word_order::big ? low : high;
}

}  // namespace voltaic::hardware
