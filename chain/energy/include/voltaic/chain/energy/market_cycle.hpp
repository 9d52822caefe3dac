#pragma once
// The trading cycle's "smart contract" (spec/protocols.md section 6): from a
// market's order set for one cycle and the DSO's distances, the clearing and
// score matching of market/ give the three transactions a validator puts on
// chain — the order-set root, the clearing result and every party's dues.
// Every validator re-runs this on the orders a proposal carries and prevotes
// nil unless its transactions are byte for byte what it computed.
//
// Canonical order set: orders sorted by id; the book index of an order is its
// position. An owner has at most one order per market and cycle. Order ids
// in the book (and the CSVs) are the first 8 bytes of the order id in hex.
// The order root is the Merkle root over the order ids (as leaves) in that order; the
// trades root is the Merkle root of the trades encoded
// [buyer order id, seller order id, energy_mwh, distance_mm, charge_uc].
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/energy/signed_order.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/market/cycle.hpp"
#include "voltaic/market/distance_table.hpp"

namespace voltaic::chain {

inline constexpr std::int64_t default_charge_uc_per_m = 2'000;  // market.md 5.2: 0.002 per metre

// Hash of the DSO's distance table between load buses, recorded on chain by
// a grid update: BLAKE2b-256 of [rows, cols, [mm...]] (row-major).
hash256 distances_hash(const market::distance_table& table);

struct cleared_cycle {
  std::vector<signed_order> orders;  // canonical order
  std::vector<market::order> book;   // the same orders as market/ sees them
  market::cycle_result result;       // indices are positions in `orders`
  order_root_body root;
  clearing_result_body clearing;
  cycle_dues_body dues;
};

// The short order id used in the book and in outputs.
std::string book_order_id(const hash256& order_id);

// Clears one market's cycle. Orders must be for (market, cycle), with
// distinct owners and buses inside the table; signatures are the caller's to
// check (validators check each once). Errors name the offending order.
result<cleared_cycle> clear_market_cycle(std::uint64_t market, std::uint64_t cycle, std::vector<signed_order> orders,
                                         const market::distance_table& bus_distances,
                                         const market::clearing_options& rules, std::int64_t charge_uc_per_m);

}  // namespace voltaic::chain
