// McAfee double auction, thesis Algorithm 1 (the "DAM" baseline),
// spec/market.md section 4.
#include "clearing_detail.hpp"

namespace voltaic::market::detail {

void clear_mcafee(const curve_view& v, clearing_result& r) {
  const std::size_t x = r.x, y = r.y;
  std::size_t seller_end = 0, buyer_end = 0, price_seller = 0, price_buyer = 0;
  if (v.mid_in_range(x, y)) {
    r.case_number = 1;
    seller_end = y, buyer_end = x, price_seller = y + 1, price_buyer = x + 1;
  } else {
    r.case_number = 2;
    seller_end = y - 1, buyer_end = x - 1, price_seller = y, price_buyer = x;
  }
  take_winners(v, r, seller_end, buyer_end);
  apply_price_rule(v, r, price_seller, price_buyer);
  if (r.sellers.empty() || r.buyers.empty()) {
    r.sellers.clear();
    r.buyers.clear();
    r.buyer_energy.clear();
    return;
  }
  r.seller_allowed.clear();
  for (std::uint32_t s : r.sellers) r.seller_allowed.push_back(v.book[s].energy);
  // theta > 0: only the last winning seller gives it up. theta <= 0: buyers
  // are short, and matching leaves the last-served ones partially filled.
  const energy_mwh theta = v.c.seller_sum[r.sellers.size()] - v.c.buyer_sum[r.buyers.size()];
  if (theta > 0) {
    energy_mwh& last = r.seller_allowed.back();
    last = last > theta ? last - theta : 0;
  }
  r.surplus_share_kwh = to_kwh(theta > 0 ? theta : 0);
  r.traded = true;
}

}  // namespace voltaic::market::detail
