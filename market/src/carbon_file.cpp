#include "voltaic/market/carbon_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

namespace voltaic::market {

namespace {

bool digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// -?[0-9]+ within |v| <= limit.
bool parse_signed(std::string_view s, std::int64_t limit, std::int64_t& out) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (!digits(s)) return false;
  std::int64_t v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
    if (v > limit) return false;
  }
  out = negative ? -v : v;
  return true;
}

// [0-9]+(\.[0-9]{1,6})? as micro-units within limit.
bool parse_micro(std::string_view s, std::int64_t limit, std::int64_t& out) {
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (!digits(whole) || (dot != std::string_view::npos && (frac.empty() || frac.size() > 6 || !digits(frac))))
    return false;
  std::int64_t v = 0;
  for (char c : whole) {
    v = v * 10 + (c - '0');
    if (v > limit / 1'000'000) return false;
  }
  std::int64_t f = 0;
  for (std::size_t k = 0; k < 6; ++k) f = f * 10 + (k < frac.size() ? frac[k] - '0' : 0);
  out = v * 1'000'000 + f;
  return out <= limit;
}

}  // namespace

std::string carbon_decimal(std::int64_t micro) {
  const bool negative = micro < 0;
  const std::uint64_t m = negative ? 0 - static_cast<std::uint64_t>(micro) : static_cast<std::uint64_t>(micro);
  std::string frac = std::to_string(m % 1'000'000);
  frac.insert(0, 6 - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(m / 1'000'000) + "." + frac;
}

result<std::vector<carbon_participant>> parse_carbon_participants(std::string_view text, const std::string& origin) {
  std::vector<carbon_participant> book;
  std::unordered_set<std::string> ids;
  std::size_t line_no = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    ++line_no;
    auto end = text.find('\n', at);
    const bool last = end == std::string_view::npos;
    std::string_view line = text.substr(at, last ? std::string_view::npos : end - at);
    at = last ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto bad = [&](const std::string& what) {
      return make_error(errc::malformed_file, origin + ":" + std::to_string(line_no) + ": " + what);
    };
    if (line_no == 1) {
      if (line != "id,role,quota_kg,price") return bad("the header must be exactly id,role,quota_kg,price");
      continue;
    }
    if (line.empty()) return bad("an empty line");
    std::vector<std::string_view> f;
    for (std::size_t from = 0;;) {
      const auto comma = line.find(',', from);
      f.push_back(line.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
    if (f.size() != 4) return bad("expected 4 fields, found " + std::to_string(f.size()));
    carbon_participant p;
    p.id = std::string(f[0]);
    if (f[1] == "cec") p.role = carbon_role::cec;
    else if (f[1] == "pvp") p.role = carbon_role::pvp;
    else return bad("role must be cec or pvp, not '" + std::string(f[1]) + "'");
    if (!parse_signed(f[2], max_carbon_kg, p.quota_kg))
      return bad("quota_kg must be a whole number of kg within +-10^10, not '" + std::string(f[2]) + "'");
    if (!parse_micro(f[3], max_carbon_price, p.price))
      return bad("price must be 0 to 100000 credits per tonne with at most 6 decimals, not '" + std::string(f[3]) + "'");
    if (auto s = validate_carbon_book({p}); !s) return bad(s.err().message);
    if (!ids.insert(p.id).second) return bad("participant '" + p.id + "' appears twice");
    book.push_back(std::move(p));
  }
  if (line_no == 0) return make_error(errc::malformed_file, origin + ":1: the header must be exactly id,role,quota_kg,price");
  return book;
}

result<std::vector<carbon_participant>> load_carbon_participants(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return make_error(errc::io_error, path + ":0: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::io_error, path + ":0: cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return make_error(errc::io_error, path + ":0: cannot read the file");
  return parse_carbon_participants(s.str(), path);
}

}  // namespace voltaic::market
