#pragma once
// JSON of test fixtures (test vectors, command output) as a plain tree, read
// by nlohmann-json. It throws on malformed text.

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace voltaic::test {

struct json {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<json> arr;
  std::vector<std::pair<std::string, json>> obj;  // keeps document order

  const json& operator[](const std::string& key) const {
    for (const auto& [k, v] : obj)
      if (k == key) return v;
    throw std::runtime_error("json: no key " + key);
  }
  const json& operator[](std::size_t i) const { return arr.at(i); }
  bool has(const std::string& key) const {
    for (const auto& kv : obj)
      if (kv.first == key) return true;
    return false;
  }
  std::size_t size() const { return type == kind::array ? arr.size() : obj.size(); }

  // Parsed by nlohmann-json (numbers as doubles); malformed text throws.
  static json parse(const std::string& text) { return from(nlohmann::ordered_json::parse(text)); }

 private:
  static json from(const nlohmann::ordered_json& n) {
    json v;
    if (n.is_boolean()) {
      v.type = kind::boolean;
      v.b = n.get<bool>();
    } else if (n.is_number()) {
      v.type = kind::number;
      v.num = n.get<double>();
    } else if (n.is_string()) {
      v.type = kind::string;
      v.str = n.get<std::string>();
    } else if (n.is_array()) {
      v.type = kind::array;
      for (const auto& x : n) v.arr.push_back(from(x));
    } else if (n.is_object()) {
      v.type = kind::object;
      for (const auto& [k, x] : n.items()) v.obj.emplace_back(k, from(x));
    }
    return v;
  }
};

}  // namespace voltaic::test
