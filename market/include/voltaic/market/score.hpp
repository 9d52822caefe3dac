#pragma once
// The score of a (buyer, seller) pair, thesis Algorithm 4 (spec/market.md 5.2).
// Doubles in credits, kWh and metres; identical inputs give identical bits
// (the build forbids FMA contraction and fast-math).
// Thread-safety: pure function.

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
// never decreases as the seller's welfare grows.
double score_price(const score_inputs& in);

double pair_score(const score_inputs& in);

}  // namespace voltaic::market
