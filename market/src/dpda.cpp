// DPDA, thesis Algorithm 2 as specified in spec/market.md section 3.
#include <numeric>

#include "clearing_detail.hpp"

namespace voltaic::market::detail {

void clear_dpda(const curve_view& v, clearing_result& r) {
  const std::size_t x = r.x, y = r.y;
  const auto& sb = v.c.buyer_sum;
  const auto& ss = v.c.seller_sum;
  std::size_t seller_end = 0, buyer_end = 0, price_seller = 0, price_buyer = 0;
  if (v.mid_in_range(x, y) && sb[x] <= ss[y]) {
    r.case_number = 1;
    seller_end = y, buyer_end = x, price_seller = y + 1, price_buyer = x + 1;
  } else if (v.mid_in_range(x, y)) {
    // Unreachable with exact arithmetic (y* makes sb[x] <= ss[y]); kept for
    // fidelity to the thesis.
    r.case_number = 2;
    seller_end = y - 1, buyer_end = x >= 2 ? x - 2 : 0, price_seller = y, price_buyer = x - 1;
  } else if (sb[x - 1] <= ss[y - 1]) {
    r.case_number = 3;
    seller_end = y - 1, buyer_end = x - 1, price_seller = y, price_buyer = x;
  } else {
    r.case_number = 4;
    seller_end = y, buyer_end = x - 1, price_seller = y + 1, price_buyer = x;
  }
  take_winners(v, r, seller_end, buyer_end);

  // Buyer-satisfaction guard (spec 3.2): every winning buyer gets all it asks.
  const energy_mwh supply = ss[r.sellers.size()];
  while (!r.buyers.empty() && sb[r.buyers.size()] > supply) {
    r.buyers.pop_back();
    r.buyer_energy.pop_back();
  }
  if (r.buyers.empty() || r.sellers.empty()) {
    r.buyers.clear();
    r.buyer_energy.clear();
    r.sellers.clear();
    apply_price_rule(v, r, price_seller, price_buyer);
    return;
  }
  apply_price_rule(v, r, price_seller, price_buyer);
  const energy_mwh demand = sb[r.buyers.size()];
  if (r.policy == surplus_policy::equal_share) share_surplus_equally(v, r, demand);
  else water_fill_surplus(v, r, demand);
  r.traded = true;
}

}  // namespace voltaic::market::detail
