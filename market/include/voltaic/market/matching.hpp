#pragma once
// Score matching of the winners (spec/market.md 5.3): every (winning buyer,
// winning seller) pair ranked by score, highest first, ties by buyer then
// seller curve position; walking that list, each usable pair trades
// min(remaining request, remaining E') in integer mWh.
//
// match() produces exactly the trade sequence of that walk without scoring
// every pair: buyers and sellers fall into cells in which the best pair is
// the top buyer with the top seller by welfare, and a heap of the cells'
// best pairs walks the list (market/src/matching.cpp). Memory grows with the
// cells and trades, not buyers x sellers; a match needing more than 2^24
// cells is refused (errc::too_large). match_reference() is the literal
// sort-everything definition, kept for tests and benchmarks.
// Thread-safety: pure functions.

#include <cstdint>
#include <functional>
#include <vector>

#include "voltaic/market/clearing.hpp"
#include "voltaic/market/distance_table.hpp"

namespace voltaic::market {

struct trade;

struct matching_options {
  money_uc charge_per_m = 2'000;  // C_d in micro-credits per metre (0.002 per m)
  // When set, match() hands over the trades in walk order as it makes them,
  // in batches, on its own thread; the batch is only valid during the call.
  // Lets a caller render a million trades on another core while the walk
  // goes on (`voltaic clear`). The returned trades are the same either way.
  std::function<void(const trade* first, std::size_t count)> on_trades;
};

struct trade {
  std::uint32_t buyer = 0;   // book index
  std::uint32_t seller = 0;  // book index
  energy_mwh energy = 0;
  distance_mm distance = 0;
  double score = 0;
  money_uc charge = 0;   // C_d * d, shared between buyer and seller
  money_uc payment = 0;  // p0 * energy, from buyer to seller
};

// Buyer's half of a trade's charge; the seller carries charge - buyer half
// (so the halves always add up to the charge).
constexpr money_uc buyer_charge_share(money_uc charge) { return charge - charge / 2; }
constexpr money_uc seller_charge_share(money_uc charge) { return charge / 2; }

result<std::vector<trade>> match(const std::vector<order>& book, const clearing_result& clearing,
                                 const distance_table& distances, const matching_options& options);

result<std::vector<trade>> match_reference(const std::vector<order>& book,
                                           const clearing_result& clearing,
                                           const distance_table& distances,
                                           const matching_options& options);

}  // namespace voltaic::market
