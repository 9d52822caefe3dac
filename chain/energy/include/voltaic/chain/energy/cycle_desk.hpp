#pragma once
// A validator's side of the trading cycle (spec/protocols.md section 6),
// kept apart from the actor: the orders it holds per market and cycle, the
// cycles it was told to close, and the order sets the chain fixed.
//   - admit():    a signed order from a prosumer or a peer
//   - propose():  for each closed cycle not yet on chain, the validator's own
//                 order-root, clearing and dues transactions and the orders
//                 the proposal must carry
//   - check():    re-runs the clearing on the orders a proposal carries and
//                 accepts only if the proposal's cycle transactions are
//                 exactly those; carried orders no cycle uses are refused
//   - committed(): after a block is final, remembers each fixed order set
//                 with its clearing (what the proposal or its check
//                 computed, so outcomes are answered without clearing
//                 again) and applies the block's grid changes
// Thread-safety: none; the miner actor owns it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/market_cycle.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/chain/energy/signed_order.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/verified_set.hpp"
#include "voltaic/market/clearing.hpp"

namespace voltaic::chain {

struct cycle_batch {
  std::vector<signed_transaction> txs;  // root, clearing, dues per cycle, in cycle order
  std::map<cycle_key, std::vector<bytes>> orders;  // the order envelopes each cycle carries
};

// An order envelope checked without any state (see check_transaction in
// state_machine.hpp): decoded, and whether its signature holds.
struct checked_order {
  std::optional<signed_order> order;
  bool signature_holds = false;
};
// `known`, when given, holds ids of orders whose signature held already.
checked_order check_order(const bytes& envelope, const std::string& chain_id, const verified_set* known = nullptr);

class cycle_desk {
 public:
  cycle_desk(std::string chain_id, market_grid grid, market::clearing_options rules)
      : chain_id_(std::move(chain_id)), grid_(std::move(grid)), rules_(rules) {}

  // "ok", or why not: decode, bad-order, bad-signature, cycle-closed,
  // duplicate, order-stale (the owner already has an order with a seq as high).
  std::string admit(const bytes& envelope, const ledger_state& st);
  // Many orders: decoded and their signatures checked on several cores, then
  // admitted one by one in order; a verdict per envelope, as admit() gives.
  std::vector<std::string> admit_all(const std::vector<bytes>& envelopes, const ledger_state& st);
  // One order checked beforehand by check_order, as admit() would.
  std::string admit_checked(const bytes& envelope, checked_order checked, const ledger_state& st);
  void close(const cycle_key& cycle) { closing_.insert(cycle); }
  std::shared_ptr<const verified_set> verified_orders() const { return verified_; }

  // Signs with `key`, nonces above both the state's and `own_nonce` (updated).
  cycle_batch propose(const ledger_state& st, const key_pair& key, std::uint64_t& own_nonce);
  // `st` is the state the block applies to. The reason is empty when accepted.
  std::string check(const block& b, const std::vector<bytes>& carried_orders, const ledger_state& st);
  // Returns the cycles whose order sets the block fixed, in key order.
  // `charge_uc_per_m` is the grid charge the block's clearings used (the
  // state's before the block).
  std::vector<cycle_key> committed(const block& b, const std::vector<bytes>& carried_orders,
                                   std::int64_t charge_uc_per_m);
  // Ids of grid updates among `txs` that would not give this validator's grid
  // (applied in order); a proposer leaves them out, as every check would refuse them.
  std::vector<hash256> unfit_grid_updates(const std::vector<signed_transaction>& txs) const;

  // The order set the chain fixed for `cycle` and its clearing, if this
  // validator saw the orders (a replica that caught up on certified blocks
  // did not) and it is one of the market's last `kept_cycles` cycles.
  static constexpr std::uint64_t kept_cycles = 4;
  const cleared_cycle* fixed_cycle(const cycle_key& cycle) const;
  // Signed orders of `cycle` this validator took or was sent that are not in
  // its fixed set (they came after the close), at most one per owner.
  std::vector<signed_order> late_orders(const cycle_key& cycle) const;
  static constexpr std::size_t max_late_per_cycle = 1'000'000;
  std::int64_t charge_per_m(const ledger_state& st) const;
  const market_grid& grid() const { return grid_; }
  std::size_t open_orders(const cycle_key& cycle) const {
    auto it = open_.find(cycle);
    return it == open_.end() ? 0 : it->second.size();
  }
  // The envelopes of the orders held for an open cycle, by owner.
  std::vector<bytes> open_envelopes(const cycle_key& cycle) const;

 private:
  std::string admit_decoded(signed_order o, const ledger_state& st);
  bool order_verified(const signed_order& o);
  void remember_verified(const hash256& id);
  bool grid_matches(const ledger_state& st) const;

  std::string chain_id_;
  market_grid grid_;
  market::clearing_options rules_;
  std::map<cycle_key, std::map<public_key, signed_order, key_less>> open_;  // by owner
  std::set<cycle_key> closing_;
  // Clearings computed for proposals not yet decided, and those of fixed cycles.
  std::map<cycle_key, std::shared_ptr<const cleared_cycle>> pending_;
  std::map<cycle_key, std::shared_ptr<const cleared_cycle>> fixed_;
  std::map<cycle_key, std::map<public_key, signed_order, key_less>> late_;
  void remember_late(const cycle_key& cycle, signed_order o);
  bool in_fixed_set(const cycle_key& cycle, const hash256& id) const;
  // Ids of orders whose signature held; the envelope checker reads it too.
  std::shared_ptr<verified_set> verified_ = std::make_shared<verified_set>(2'000'000);
};

}  // namespace voltaic::chain
