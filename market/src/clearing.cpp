#include "voltaic/market/clearing.hpp"

#include <algorithm>
#include <string>

#include "clearing_detail.hpp"

namespace voltaic::market {

const char* to_string(mechanism m) { return m == mechanism::dpda ? "dpda" : "mcafee"; }

const char* to_string(surplus_policy p) {
  return p == surplus_policy::equal_share ? "equal_share" : "water_fill";
}

const char* to_string(reason r) {
  switch (r) {
    case reason::none: return "";
    case reason::price_above_clearing: return "price_above_clearing";
    case reason::price_below_clearing: return "price_below_clearing";
    case reason::trade_reduction: return "trade_reduction";
    case reason::insufficient_supply: return "insufficient_supply";
    case reason::oversupply_consumed: return "oversupply_consumed";
    case reason::no_crossing: return "no_crossing";
    case reason::invalid: return "invalid";
  }
  return "unknown";
}

result<mechanism> parse_mechanism(std::string_view text) {
  if (text == "dpda") return mechanism::dpda;
  if (text == "mcafee") return mechanism::mcafee;
  return make_error(errc::invalid_argument,
                    "unknown mechanism '" + std::string(text) + "' (use dpda or mcafee)");
}

result<surplus_policy> parse_surplus_policy(std::string_view text) {
  if (text == "equal_share") return surplus_policy::equal_share;
  if (text == "water_fill") return surplus_policy::water_fill;
  return make_error(errc::invalid_argument, "unknown surplus policy '" + std::string(text) +
                                                "' (use equal_share or water_fill)");
}

clearing_result clear(const std::vector<order>& book, const clearing_options& options) {
  return clear(book, build_curves(book), options);
}

clearing_result clear(const std::vector<order>& book, const curves& c,
                      const clearing_options& options) {
  clearing_result r;
  r.mechanism = options.mechanism;
  r.policy = options.policy;
  r.excluded.assign(book.size(), reason::none);
  const crossing cross = find_crossing(book, c);
  if (!cross.found) {
    std::fill(r.excluded.begin(), r.excluded.end(), reason::no_crossing);
    return r;
  }
  r.x = cross.x;
  r.y = cross.y;
  const detail::curve_view v{book, c};
  if (options.mechanism == mechanism::dpda) detail::clear_dpda(v, r);
  else detail::clear_mcafee(v, r);
  detail::mark_exclusions(v, r);
  return r;
}

namespace detail {

bool curve_view::mid_in_range(std::size_t x, std::size_t y) const {
  if (!has_seller(y + 1) || !has_buyer(x + 1)) return false;
  const std::int64_t twice_mid = seller(y + 1).price + buyer(x + 1).price;
  return 2 * seller(y).price <= twice_mid && twice_mid <= 2 * buyer(x).price;
}

void take_winners(const curve_view& v, clearing_result& r, std::size_t seller_end,
                  std::size_t buyer_end) {
  r.sellers.assign(v.c.sellers.begin(), v.c.sellers.begin() + static_cast<std::ptrdiff_t>(seller_end));
  r.buyers.assign(v.c.buyers.begin(), v.c.buyers.begin() + static_cast<std::ptrdiff_t>(buyer_end));
  r.buyer_energy.clear();
  for (std::uint32_t b : r.buyers) r.buyer_energy.push_back(v.book[b].energy);
}

void apply_price_rule(const curve_view& v, clearing_result& r, std::size_t sell_pos,
                      std::size_t buy_pos) {
  const bool formula_defined = v.has_seller(sell_pos) && v.has_buyer(buy_pos);
  const std::int64_t formula_twice =
      formula_defined ? v.seller(sell_pos).price + v.buyer(buy_pos).price : 0;
  if (r.sellers.empty() || r.buyers.empty()) {
    // Nothing trades; report the formula's price as the hint when it exists.
    r.price = formula_defined ? div_round_half_even(formula_twice, 2) : 0;
    return;
  }
  price_ucpkwh lowest_allowed = 0;  // max price of the winning sellers
  for (std::uint32_t s : r.sellers) lowest_allowed = std::max(lowest_allowed, v.book[s].price);
  price_ucpkwh highest_allowed = max_price;  // min price of the winning buyers
  for (std::uint32_t b : r.buyers) highest_allowed = std::min(highest_allowed, v.book[b].price);
  if (formula_defined && 2 * lowest_allowed <= formula_twice &&
      formula_twice <= 2 * highest_allowed) {
    r.price = div_round_half_even(formula_twice, 2);
    r.price_adjusted = false;
  } else {
    r.price = div_round_half_even(lowest_allowed + highest_allowed, 2);
    r.price_adjusted = true;
  }
}

void mark_exclusions(const curve_view& v, clearing_result& r) {
  for (std::size_t pos = 1; pos <= v.seller_count(); ++pos)
    r.excluded[v.c.sellers[pos - 1]] =
        pos > r.y ? reason::price_above_clearing : reason::trade_reduction;
  for (std::size_t pos = 1; pos <= v.buyer_count(); ++pos)
    r.excluded[v.c.buyers[pos - 1]] =
        pos > r.x ? reason::price_below_clearing : reason::trade_reduction;
  // Buyers inside the crossing that the guard dropped (they follow the winners).
  if (r.mechanism == mechanism::dpda) {
    const std::size_t case_buyers = r.case_number == 1 ? r.x
                                    : r.case_number == 2 ? (r.x >= 2 ? r.x - 2 : 0)
                                                         : r.x - 1;
    for (std::size_t pos = r.buyers.size() + 1; pos <= case_buyers; ++pos)
      r.excluded[v.c.buyers[pos - 1]] = reason::insufficient_supply;
  }
  if (!r.traded) return;
  for (std::size_t k = 0; k < r.sellers.size(); ++k)
    r.excluded[r.sellers[k]] = r.seller_allowed[k] == 0 ? reason::oversupply_consumed : reason::none;
  for (std::uint32_t b : r.buyers) r.excluded[b] = reason::none;
}

}  // namespace detail
}  // namespace voltaic::market
