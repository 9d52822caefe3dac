#pragma once
// A small JSON reader for test fixtures (test vectors, command output).
// Not for untrusted input: it throws std::runtime_error on malformed text.

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

  static json parse(const std::string& text) {
    std::size_t pos = 0;
    json v = parse_value(text, pos);
    skip_ws(text, pos);
    if (pos != text.size()) throw std::runtime_error("json: trailing text");
    return v;
  }

 private:
  static void skip_ws(const std::string& t, std::size_t& p) {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\r' || t[p] == '\t')) ++p;
  }
  static void expect(const std::string& t, std::size_t& p, char c) {
    skip_ws(t, p);
    if (p >= t.size() || t[p] != c) throw std::runtime_error(std::string("json: expected ") + c);
    ++p;
  }
  static std::string parse_string(const std::string& t, std::size_t& p) {
    expect(t, p, '"');
    std::string out;
    while (p < t.size() && t[p] != '"') {
      if (t[p] == '\\') {
        ++p;
        const char e = t.at(p);
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'u') {
          out += static_cast<char>(std::strtol(t.substr(p + 1, 4).c_str(), nullptr, 16));
          p += 4;
        } else out += e;
        ++p;
      } else {
        out += t[p++];
      }
    }
    expect(t, p, '"');
    return out;
  }
  static json parse_value(const std::string& t, std::size_t& p) {
    skip_ws(t, p);
    if (p >= t.size()) throw std::runtime_error("json: unexpected end");
    json v;
    const char c = t[p];
    if (c == '{') {
      v.type = kind::object;
      ++p;
      skip_ws(t, p);
      if (t.at(p) == '}') return ++p, v;
      for (;;) {
        std::string key = parse_string(t, p);
        expect(t, p, ':');
        v.obj.emplace_back(std::move(key), parse_value(t, p));
        skip_ws(t, p);
        if (t.at(p) == ',') { ++p; continue; }
        expect(t, p, '}');
        return v;
      }
    }
    if (c == '[') {
      v.type = kind::array;
      ++p;
      skip_ws(t, p);
      if (t.at(p) == ']') return ++p, v;
      for (;;) {
        v.arr.push_back(parse_value(t, p));
        skip_ws(t, p);
        if (t.at(p) == ',') { ++p; continue; }
        expect(t, p, ']');
        return v;
      }
    }
    if (c == '"') {
      v.type = kind::string;
      v.str = parse_string(t, p);
      return v;
    }
    if (t.compare(p, 4, "true") == 0) { v.type = kind::boolean; v.b = true; p += 4; return v; }
    if (t.compare(p, 5, "false") == 0) { v.type = kind::boolean; p += 5; return v; }
    if (t.compare(p, 4, "null") == 0) { p += 4; return v; }
    char* end = nullptr;
    v.num = std::strtod(t.c_str() + p, &end);
    if (end == t.c_str() + p) throw std::runtime_error("json: bad value");
    v.type = kind::number;
    p = static_cast<std::size_t>(end - t.c_str());
    return v;
  }
};

}  // namespace voltaic::test
