#include "voltaic/market/carbon_auction.hpp"

#include <algorithm>
#include <unordered_set>

#include "voltaic/market/units.hpp"

namespace voltaic::market {

namespace {

bool id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == ':' || c == '-';
}

// A participant on its side, with what it has left; price and id are
// copied in so that sorting reads one array.
struct bidder {
  const carbon_participant* who = nullptr;
  carbon_kg left = 0;
  price_ucpt price = 0;
  std::string_view id;
};

// Buyers by limit descending, sellers ascending; ties by id, bytewise.
void sort_buyers(std::vector<bidder>& v) {
  std::sort(v.begin(), v.end(), [](const bidder& a, const bidder& b) {
    return a.price != b.price ? a.price > b.price : a.id < b.id;
  });
}

void sort_sellers(std::vector<bidder>& v) {
  std::sort(v.begin(), v.end(), [](const bidder& a, const bidder& b) {
    return a.price != b.price ? a.price < b.price : a.id < b.id;
  });
}

// Match(buyers, sellers, phase) of carbon.md section 3.
void match(std::vector<bidder>& buyers, std::vector<bidder>& sellers, int phase, std::vector<carbon_trade>& out) {
  auto b = std::find_if(buyers.begin(), buyers.end(), [](const bidder& x) { return x.left > 0; });
  auto s = std::find_if(sellers.begin(), sellers.end(), [](const bidder& x) { return x.left > 0; });
  while (b != buyers.end() && s != sellers.end() && b->price >= s->price) {
    const carbon_kg x = std::min(b->left, s->left);
    const price_ucpt price = div_round_half_even(static_cast<int128>(b->price) + s->price, 2);
    const std::int64_t turnover = div_round_half_even(static_cast<int128>(x) * price, 1000);
    out.push_back({b->who->id, s->who->id, phase, x, price, turnover});
    b->left -= x;
    s->left -= x;
    if (b->left == 0) ++b;
    if (s->left == 0) ++s;
  }
}

std::vector<carbon_left_over> left_by_id(const std::vector<bidder>& side) {
  std::vector<const bidder*> left;
  for (const auto& x : side)
    if (x.left > 0) left.push_back(&x);
  std::sort(left.begin(), left.end(), [](const bidder* a, const bidder* b) { return a->id < b->id; });
  std::vector<carbon_left_over> out;
  out.reserve(left.size());
  for (const auto* x : left) out.push_back({x->who->id, x->left});
  return out;
}

}  // namespace

const char* to_string(carbon_role r) { return r == carbon_role::pvp ? "pvp" : "cec"; }

status validate_carbon_participant(const carbon_participant& p) {
  const auto bad = [&](const std::string& what) {
    return make_error(errc::invalid_field, "participant '" + p.id + "': " + what);
  };
  if (p.id.empty() || p.id.size() > 64 || !std::all_of(p.id.begin(), p.id.end(), id_char))
    return bad("an id is 1-64 of A-Z a-z 0-9 _ . : -");
  if (p.quota_kg < -max_carbon_kg || p.quota_kg > max_carbon_kg) return bad("|quota_kg| must be at most 10^10");
  if (p.price < 0 || p.price > max_carbon_price) return bad("price must be 0 to 100000 credits per tonne");
  if (p.role == carbon_role::pvp && p.quota_kg < 0) return bad("a PV prosumer's quota cannot be negative");
  return {};
}

status validate_carbon_book(const std::vector<carbon_participant>& book) {
  for (const auto& p : book)
    if (auto s = validate_carbon_participant(p); !s) return s;
  std::unordered_set<std::string_view> seen;
  seen.reserve(book.size());
  for (const auto& p : book)
    if (!seen.insert(p.id).second) return make_error(errc::duplicate_id, "participant '" + p.id + "' appears twice");
  return {};
}

result<carbon_result> clear_carbon(const std::vector<carbon_participant>& book) {
  if (auto s = validate_carbon_book(book); !s) return s.err();
  std::vector<bidder> buyers, cec_sellers, pvp_sellers;
  for (const auto& p : book) {
    if (p.quota_kg < 0) buyers.push_back({&p, -p.quota_kg, p.price, p.id});
    else if (p.quota_kg > 0)
      (p.role == carbon_role::cec ? cec_sellers : pvp_sellers).push_back({&p, p.quota_kg, p.price, p.id});
  }
  sort_buyers(buyers);
  sort_sellers(cec_sellers);
  sort_sellers(pvp_sellers);
  carbon_result r;
  match(buyers, cec_sellers, 1, r.trades);
  match(buyers, pvp_sellers, 2, r.trades);
  r.short_of = left_by_id(buyers);
  std::vector<bidder> sellers = cec_sellers;
  sellers.insert(sellers.end(), pvp_sellers.begin(), pvp_sellers.end());
  r.unsold = left_by_id(sellers);
  return r;
}

}  // namespace voltaic::market
