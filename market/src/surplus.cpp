// Oversupply policies of spec/market.md 3.3, on integer mWh.
#include <algorithm>
#include <numeric>

#include "clearing_detail.hpp"

namespace voltaic::market::detail {

void share_surplus_equally(const curve_view& v, clearing_result& r, energy_mwh demand) {
  const energy_mwh supply = v.c.seller_sum[r.sellers.size()];
  const energy_mwh surplus = supply - demand;
  const auto n = static_cast<energy_mwh>(r.sellers.size());
  // Rounded down: sum of E' >= demand always, so the guard's promise holds.
  const energy_mwh share = surplus / n;
  r.seller_allowed.clear();
  for (std::uint32_t s : r.sellers) {
    const energy_mwh offered = v.book[s].energy;
    r.seller_allowed.push_back(offered > share ? offered - share : 0);
  }
  r.surplus_share_kwh = static_cast<double>(surplus) / static_cast<double>(n) / 1e6;
}

void water_fill_surplus(const curve_view& v, clearing_result& r, energy_mwh demand) {
  const std::size_t n = r.sellers.size();
  std::vector<energy_mwh> by_size(n);
  for (std::size_t k = 0; k < n; ++k) by_size[k] = v.book[r.sellers[k]].energy;
  std::sort(by_size.begin(), by_size.end(), std::greater<>());
  // Find the number of active sellers k and the level s with
  // sum_{i<k} (E_i - s) = demand and E_k <= s < E_{k-1} (descending order).
  std::size_t active = n;
  energy_mwh excess = 0;  // sum of the active sellers' energy minus demand
  energy_mwh top_sum = 0;
  for (std::size_t k = 1; k <= n; ++k) {
    top_sum += by_size[k - 1];
    const energy_mwh next = k < n ? by_size[k] : 0;
    // s_k = (top_sum - demand) / k >= next  <=>  top_sum - demand >= k * next
    if (top_sum - demand >= static_cast<energy_mwh>(k) * next) {
      active = k;
      excess = top_sum - demand;
      break;
    }
  }
  const auto k = static_cast<energy_mwh>(active);
  const energy_mwh level = excess / k;  // floor of s
  energy_mwh remainder = excess % k;    // mWh still to take, one per seller
  r.seller_allowed.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const energy_mwh offered = v.book[r.sellers[i]].energy;
    r.seller_allowed[i] = offered > level ? offered - level : 0;
  }
  // The remainder comes from the last active sellers in curve order; each of
  // them has offered > s >= level, so offered - level - 1 >= 0.
  for (std::size_t i = n; i-- > 0 && remainder > 0;) {
    const energy_mwh offered = v.book[r.sellers[i]].energy;
    if (static_cast<int128>(offered) * k > excess) {  // active: offered > s
      r.seller_allowed[i] -= 1;
      --remainder;
    }
  }
  r.surplus_share_kwh = static_cast<double>(excess) / static_cast<double>(k) / 1e6;
}

}  // namespace voltaic::market::detail
