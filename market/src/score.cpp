#include "voltaic/market/score.hpp"

namespace voltaic::market {

double score_price(const score_inputs& in) {
  return in.buyer_covers_seller ? in.buyer_price - in.distance_m * in.charge_per_m : 1.0;
}

double pair_score(const score_inputs& in) {
  const double score_price = market::score_price(in);
  const double d = in.distance_m;
  const double w = in.mean_welfare;
  const bool within_buyer = d <= in.buyer_pref_m;
  const bool within_seller = d <= in.seller_pref_m;
  // d > 0 whenever a preference is exceeded (preferences are >= 0), so the
  // divisions below never divide by zero.
  if (within_buyer && within_seller) return score_price * w;
  if (within_buyer) return score_price * (w + in.seller_pref_m / d) / 2.0;
  if (within_seller) return score_price * (w + in.buyer_pref_m / d) / 2.0;
  return score_price * (w + in.buyer_pref_m / d + in.seller_pref_m / d) / 3.0;
}

}  // namespace voltaic::market
