#pragma once
// The ledger state every replica holds (spec/protocols.md section 2): balances
// and holds in micro-credits, nonces, the SPB CTP database, energy accounts,
// order-set roots, clearings, settlements, the grid version and the DSO's
// parameters.
//
// Every map journals the first value it had in the current block, so a block
// that fails part-way rolls back to exactly the state before it, and the
// block's state changes (the basis of the state root) come out in key order.
// Persistent form: one key/value pair per record, key = one prefix byte plus
// fixed-width big-endian fields; values are canonical msgpack arrays:
//   'a' key           account       [balance_uc, held_uc, nonce, ctp_nonce]
//   'c' ctp_id        CTP           [buyer, producer, amount_uc, charge_uc, energy_mwh, expiry_height,
//                                    meter_key, market, cycle, envelope]
//   'e' key           energy acct   [energy_mwh, price_ucpkwh]
//   'o' market cycle  order root    [root, order_count]
//   'r' market cycle  clearing      clearing_result_body fields
//   's' market cycle party role  settlement [amount_uc]
//   'd' market cycle party role  due        [agreed_mwh, tariff_uc, meter]
//   't' market cycle  dues recorded [party_count]
//   'g'               grid          [grid_version, distances_hash, height]
//   'p'               DSO params    [charge_uc_per_m, penalty_ucpkwh]
//   'n'               next CTP id   [id]
//   'v' voter height round kind  evidence  [height recorded]
//   'x' deploy tx id  escrow        [buyer, producer, amount_uc, energy_mwh, expiry_height, paid]
// CTPs ('c') live in their own table; everything else in the state table.
// Thread-safety: none; one owner (the chain's writer) at a time.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <set>
#include <tuple>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/state_changes.hpp"
#include "voltaic/chain/node/verified_set.hpp"

namespace voltaic::chain {

inline constexpr std::int64_t max_money_uc = 1'000'000'000'000'000'000;  // 1e12 credits

struct account {
  std::int64_t balance_uc = 0;
  std::int64_t held_uc = 0;  // part of the balance held by open CTPs
  std::uint64_t nonce = 0;   // last nonce used by a transaction of the block body
  // Last nonce used by a CTP. CTPs enter a block before its body (they are
  // side records), so they keep a sequence of their own: a client that signs
  // with one rising counter stays in order in both.
  std::uint64_t ctp_nonce = 0;
  std::int64_t available() const { return balance_uc - held_uc; }
  std::uint64_t last_nonce() const { return nonce > ctp_nonce ? nonce : ctp_nonce; }
};

// An open CTP: what its buyer signed (ctp_commit_body), and the envelope,
// which enters the chain with the ERC that releases it.
struct ctp_record {
  public_key buyer{};
  public_key producer{};
  std::int64_t amount_uc = 0;
  std::int64_t charge_uc = 0;
  std::int64_t energy_mwh = 0;
  std::uint64_t expiry_height = 0;
  public_key meter_key{};
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  bytes envelope;
  // Hash of the fields above (not itself encoded), set as the record enters
  // the database (ledger_state::put_ctp, load): every header hashes the whole
  // database, which then costs 32 bytes per open record, not its envelope.
  hash256 digest{};
  std::int64_t held_uc() const { return amount_uc + charge_uc; }
};

// An escrow of the baseline (transaction.hpp, escrow_*): set up, then paid
// into (the amount leaves the buyer's balance), then paid out or refunded.
struct escrow_record {
  public_key buyer{};
  public_key producer{};
  std::int64_t amount_uc = 0;
  std::int64_t energy_mwh = 0;
  std::uint64_t expiry_height = 0;
  bool paid = false;
};

struct energy_account {
  std::int64_t energy_mwh = 0;
  std::int64_t price_ucpkwh = 0;
};

using hash256_hasher = key_hasher;

using cycle_key = std::pair<std::uint64_t, std::uint64_t>;  // market, cycle
using settlement_key = std::tuple<std::uint64_t, std::uint64_t, public_key, std::uint8_t>;
using evidence_key = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t, std::uint8_t>;  // voter, height, round, kind

struct order_root_record {
  hash256 root{};
  std::uint64_t order_count = 0;
};
struct grid_record {
  hash256 grid_version{};
  hash256 distances_hash{};
  std::uint64_t height = 0;
};
struct due_record {
  std::int64_t agreed_mwh = 0;
  std::int64_t tariff_uc = 0;
  public_key meter{};
};
struct dso_record {
  std::int64_t charge_uc_per_m = 0;
  std::int64_t penalty_ucpkwh = 0;
};

// Containers for a journaled map's records: ordered where a reader walks
// them in key order (CTPs by id, order roots), hashed where only lookups
// and whole-set sums need them (accounts, dues, settlements).
template <class K, class V>
using ordered_items = std::map<K, V, key_less>;
template <class K, class V>
using hashed_items = std::unordered_map<K, V, key_hasher>;

// A map that remembers, per block, the value each key had before its first
// change. The journal is hashed: its changes are sorted by encoded key when
// they are read.
template <class K, class V, template <class, class> class Items = ordered_items>
class journaled_map {
 public:
  const V* find(const K& k) const {
    auto it = items_.find(k);
    return it == items_.end() ? nullptr : &it->second;
  }
  void put(const K& k, V v) {
    remember(k);
    items_[k] = std::move(v);
  }
  void erase(const K& k) {
    remember(k);
    items_.erase(k);
  }
  // Loading from a store: no journal.
  void load(const K& k, V v) { items_[k] = std::move(v); }

  const Items<K, V>& items() const { return items_; }
  bool changed() const { return !before_.empty(); }
  // Calls f(key, current value or nullptr) for every key changed this block.
  template <class F>
  void for_each_change(F&& f) const {
    for (const auto& kv : before_) f(kv.first, find(kv.first));
  }
  void rollback() {
    for (auto& [k, v] : before_) {
      if (v) items_[k] = std::move(*v);
      else items_.erase(k);
    }
    before_.clear();
    after_.clear();
  }
  void clear_journal() { before_.clear(); }
  // Shows the values from before this block's changes, keeping the changes
  // aside until unstash(): a reader of the head does not cost a candidate
  // block its execution. rollback() drops what is stashed.
  void stash() {
    for (const auto& [k, before] : before_) {
      auto it = items_.find(k);
      auto& kept = after_[k];
      if (it != items_.end()) kept = std::move(it->second);
      if (before) items_[k] = *before;
      else if (it != items_.end()) items_.erase(it);
    }
  }
  void unstash() {
    for (auto& [k, after] : after_) {
      if (after) items_[k] = std::move(*after);
      else items_.erase(k);
    }
    after_.clear();
  }

 private:
  void remember(const K& k) {
    auto [slot, first] = before_.try_emplace(k);
    if (!first) return;
    auto it = items_.find(k);
    if (it != items_.end()) slot->second = it->second;
  }

  Items<K, V> items_;
  std::unordered_map<K, std::optional<V>, key_hasher> before_;
  std::unordered_map<K, std::optional<V>, key_hasher> after_;  // stashed changes
};

struct ledger_state {
  genesis_config genesis;  // from block 0
  std::uint64_t height = 0;
  hash256 head_hash{};
  std::uint64_t head_time_ms = 0;
  hash256 state_root{};
  hash256 ctp_db_hash{};

  journaled_map<public_key, account, hashed_items> accounts;
  journaled_map<std::uint64_t, ctp_record> ctps;
  journaled_map<public_key, energy_account, hashed_items> energy_accounts;
  journaled_map<cycle_key, order_root_record> order_roots;
  journaled_map<cycle_key, clearing_result_body> clearings;
  journaled_map<settlement_key, std::int64_t, hashed_items> settlements;
  journaled_map<settlement_key, due_record, hashed_items> dues;
  journaled_map<cycle_key, std::uint64_t> dues_recorded;  // -> party count
  journaled_map<std::uint8_t, grid_record> grid;       // key 0
  journaled_map<std::uint8_t, dso_record> dso_params;  // key 0
  journaled_map<std::uint8_t, std::uint64_t> next_ctp_id;  // key 0
  journaled_map<evidence_key, std::uint64_t> evidence;    // -> height recorded
  journaled_map<hash256, escrow_record, hashed_items> escrows;  // by deploy transaction id

  // Not state: signatures already checked — hashes of (payload, signature)
  // of transactions, and CoE ids. A check gives the same answer
  // every time, so remembering it cannot change a result. Shared by copies of
  // this state (proposal scratch states), so the mempool's check serves the
  // proposal, its re-execution and the commit; the envelope checker's
  // thread reads it too.
  struct signature_memo {
    verified_set transactions{1'000'000};
    verified_set coes{1'000'000};
  };
  std::shared_ptr<signature_memo> verified = std::make_shared<signature_memo>();

  bool is_validator(const public_key& k) const;
  std::int64_t balance_of(const public_key& k) const;
  std::uint64_t peek_next_ctp_id() const;
  // Opens CTP `id`, its digest computed here.
  void put_ctp(std::uint64_t id, ctp_record c);

  // This block's changes, sorted by key.
  state_changes changes() const;
  // Hash of the CTP database in id order.
  hash256 compute_ctp_db_hash() const;
  void rollback();
  void clear_journal();
  // The head's values shown for a while, this block's changes kept aside
  // (journaled_map::stash); unstash() brings them back.
  void stash();
  void unstash();

  // Restores one stored record (from a store's state or CTP table).
  status load_record(state_table table, const bytes& key, const bytes& value);
  // Every record as stored, for comparing a store with a replayed state.
  state_changes all_records() const;
};

}  // namespace voltaic::chain
