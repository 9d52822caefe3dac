#pragma once
// Welfare of a seller (cost a E^2 + b E + c) and of a buyer (utility
// omega E - alpha E^2, capped at omega^2 / (2 alpha)), spec/market.md 5.1.
// Units: E in kWh, prices in credits per kWh. The defaults reproduce the
// thesis's Appendix B. Thread-safety: pure functions.

namespace voltaic::market {

struct welfare_params {
  double a = 0.005;   // seller cost, quadratic
  double b = 6.0;     // seller cost, linear
  double c = 1.0;     // seller cost, fixed
  double omega = 14.0;  // buyer utility, linear
  double alpha = 0.07;  // buyer utility, saturation
};

// W_S = p0 E - (a E^2 + b E + c)
double seller_welfare(const welfare_params& p, double price, double energy_kwh);

// W_B = U(E) - p0 E
double buyer_welfare(const welfare_params& p, double price, double energy_kwh);

}  // namespace voltaic::market
