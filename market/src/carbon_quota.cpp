#include "voltaic/market/carbon_quota.hpp"

#include <string>

#include "voltaic/market/units.hpp"

namespace voltaic::market {

result<carbon_kg> pv_quota_kg(std::int64_t delta_g_per_kwh, const std::vector<std::int64_t>& monthly_mwh) {
  if (monthly_mwh.size() != 12)
    return make_error(errc::missing_field, "a quota needs twelve monthly generation totals, not " +
                                               std::to_string(monthly_mwh.size()));
  if (delta_g_per_kwh < 0 || delta_g_per_kwh > max_delta_g_per_kwh)
    return make_error(errc::out_of_range, "delta must be 0 to " + std::to_string(max_delta_g_per_kwh) + " g CO2/kWh");
  int128 sum = 0;
  for (std::size_t m = 0; m < monthly_mwh.size(); ++m) {
    if (monthly_mwh[m] < 0)
      return make_error(errc::out_of_range, "month " + std::to_string(m + 1) + " has negative generation");
    sum += monthly_mwh[m];
  }
  // g/kWh x mWh = 10^-9 kg; 10^4 x 12 x 2^63 stays far inside 128 bits.
  const int128 product = sum * delta_g_per_kwh;
  const int128 limit = static_cast<int128>(max_carbon_kg) * 1'000'000'000 + 500'000'000;
  if (product >= limit) return make_error(errc::out_of_range, "the quota exceeds 10^10 kg");
  return div_round_half_even(product, 1'000'000'000);
}

}  // namespace voltaic::market
