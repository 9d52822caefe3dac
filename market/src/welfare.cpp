#include "voltaic/market/welfare.hpp"

namespace voltaic::market {

double seller_welfare(const welfare_params& p, double price, double energy_kwh) {
  const double cost = p.a * energy_kwh * energy_kwh + p.b * energy_kwh + p.c;
  return price * energy_kwh - cost;
}

double buyer_welfare(const welfare_params& p, double price, double energy_kwh) {
  const double saturation = p.omega / (2.0 * p.alpha);
  const double utility = energy_kwh < saturation
                             ? p.omega * energy_kwh - p.alpha * energy_kwh * energy_kwh
                             : p.omega * p.omega / (2.0 * p.alpha);
  return utility - price * energy_kwh;
}

}  // namespace voltaic::market
