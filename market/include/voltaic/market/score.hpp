#pragma once
// The score of a (buyer, seller) pair, thesis Algorithm 4 (spec/market.md 5.2).
// Doubles in credits, kWh and metres; identical inputs give identical bits
// (the build forbids FMA contraction and fast-math).
// Inline: matching evaluates it millions of times per cycle.
// Thread-safety: pure functions.

namespace voltaic::market {

struct score_inputs {
  double buyer_price;        // P(B_j), credits per kWh
  bool buyer_covers_seller;  // P(B_j) >= P(S_i), compared in integer units
  double distance_m;         // d
  double charge_per_m;       // C_d, credits per metre
  double mean_welfare;       // w = (W_S + W_B) / 2
  double buyer_pref_m;       // D(B); +inf for anywhere
  double seller_pref_m;      // D(S); +inf for anywhere
};

// The price factor of the score: P(B_j) - d * C_d, or 1.0 when the buyer
// does not cover the seller's price. The score is this times a factor that
// never decreases as either side's welfare grows.
inline double score_price(const score_inputs& in) {
  return in.buyer_covers_seller ? in.buyer_price - in.distance_m * in.charge_per_m : 1.0;
}

inline double pair_score(const score_inputs& in) {
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
