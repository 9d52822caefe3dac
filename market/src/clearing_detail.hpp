#pragma once
// Internal pieces shared by the DPDA and McAfee implementations.

#include <cstddef>
#include <vector>

#include "voltaic/market/clearing.hpp"

namespace voltaic::market::detail {

// Read-only view of a book with its curves; positions are 1-based as in the spec.
struct curve_view {
  const std::vector<order>& book;
  const curves& c;

  std::size_t seller_count() const { return c.sellers.size(); }
  std::size_t buyer_count() const { return c.buyers.size(); }
  const order& seller(std::size_t pos) const { return book[c.sellers[pos - 1]]; }
  const order& buyer(std::size_t pos) const { return book[c.buyers[pos - 1]]; }
  bool has_seller(std::size_t pos) const { return pos >= 1 && pos <= seller_count(); }
  bool has_buyer(std::size_t pos) const { return pos >= 1 && pos <= buyer_count(); }
  // True when mid = (P(S_{y+1}) + P(B_{x+1})) / 2 exists and P(S_y) <= mid <= P(B_x).
  bool mid_in_range(std::size_t x, std::size_t y) const;
};

// Sets result.sellers/buyers to S_1..S_seller_end and B_1..B_buyer_end.
void take_winners(const curve_view& v, clearing_result& r, std::size_t seller_end,
                  std::size_t buyer_end);

// Price rule of spec 3.4: p0 from the formula (P(S_sell_pos) + P(B_buy_pos)) / 2,
// or the midpoint of the individual-rationality interval when the formula
// needs a missing participant or leaves that interval.
void apply_price_rule(const curve_view& v, clearing_result& r, std::size_t sell_pos,
                      std::size_t buy_pos);

// Fills result.excluded with the positional reasons of spec section 7.
void mark_exclusions(const curve_view& v, clearing_result& r);

void clear_dpda(const curve_view& v, clearing_result& r);
void clear_mcafee(const curve_view& v, clearing_result& r);

// Surplus policies of spec 3.3: fill result.seller_allowed given the winners.
void share_surplus_equally(const curve_view& v, clearing_result& r, energy_mwh demand);
void water_fill_surplus(const curve_view& v, clearing_result& r, energy_mwh demand);

}  // namespace voltaic::market::detail
