#include "voltaic/market/carbon_file.hpp"

#include <unordered_set>

#include "voltaic/market/strict_table.hpp"

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
  const auto read = read_strict_table(text, origin, "id,role,quota_kg,price", 4,
                                      [&](const std::vector<std::string_view>& f) -> std::string {
    carbon_participant p;
    p.id = std::string(f[0]);
    if (f[1] == "cec") p.role = carbon_role::cec;
    else if (f[1] == "pvp") p.role = carbon_role::pvp;
    else return "role must be cec or pvp, not '" + std::string(f[1]) + "'";
    if (!parse_signed(f[2], max_carbon_kg, p.quota_kg))
      return "quota_kg must be a whole number of kg within +-10^10, not '" + std::string(f[2]) + "'";
    if (!parse_micro(f[3], max_carbon_price, p.price))
      return "price must be 0 to 100000 credits per tonne with at most 6 decimals, not '" + std::string(f[3]) + "'";
    if (auto s = validate_carbon_participant(p); !s) return s.err().message;
    if (!ids.insert(p.id).second) return "participant '" + p.id + "' appears twice";
    book.push_back(std::move(p));
    return {};
  });
  if (!read) return read.err();
  return book;
}

result<std::vector<carbon_participant>> load_carbon_participants(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return text.err();
  return parse_carbon_participants(text.value(), path);
}

}  // namespace voltaic::market
