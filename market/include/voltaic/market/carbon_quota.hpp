#pragma once
// A PV prosumer's carbon quota for a year (spec/carbon.md 2.1, paper eq. 1):
// M = delta * sum of the twelve monthly generation totals, in kg CO2,
// rounded half to even once on the annual sum. delta is the regulator's
// emission-reduction factor in g CO2 per kWh. Every validator recomputes it
// from the signed readings: this value, not the participant's estimate,
// enters the auction. Thread-safety: pure function.

#include <cstdint>
#include <vector>

#include "voltaic/market/carbon_auction.hpp"

namespace voltaic::market {

inline constexpr std::int64_t max_delta_g_per_kwh = 10'000;  // far above any grid's emission factor

// Refuses anything but twelve months, a negative month, delta outside
// 0..max_delta_g_per_kwh or a quota beyond 10^10 kg, saying which.
result<carbon_kg> pv_quota_kg(std::int64_t delta_g_per_kwh, const std::vector<std::int64_t>& monthly_mwh);

}  // namespace voltaic::market
