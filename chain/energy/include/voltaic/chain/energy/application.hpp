#pragma once
// The electricity chain as a node::application: the ledger (SPB state machine
// over an LMDB store), its mempool, and the trading cycle's desk. Its
// transactions lane admits signed transactions into the pool; its messages
// lane admits prosumers' signed orders to the desk. A proposal is a block
// with the ERCs behind its receipts and the orders of every cycle it clears;
// every validator re-runs the clearing on the carried orders and refuses a
// proposal whose cycle transactions differ from what it computed.
// Thread-safety: as node::application.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "voltaic/chain/energy/answers.hpp"
#include "voltaic/chain/energy/coe_verdicts.hpp"
#include "voltaic/chain/energy/cycle_desk.hpp"
#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/chain/energy/mempool.hpp"
#include "voltaic/chain/node/application.hpp"
#include "voltaic/chain/node/certificate.hpp"
#include "voltaic/market/clearing.hpp"

namespace voltaic::chain {

struct energy_config {
  std::string store_dir;  // the LMDB chain
  genesis_config genesis;
  key_pair key;  // this validator's: signs its cycle and evidence transactions
  // The markets' grid (every market is an instance of this feeder) and the
  // clearing rules; without a grid no cycles are cleared.
  std::optional<market_grid> grid;
  market::clearing_options rules;
  // Keys that may read whole cycles and any balance (answers.hpp).
  std::vector<public_key> observers;
};

class energy_application final : public node::application {
 public:
  // Opens the store (an empty one gets the genesis block); a store of
  // another chain is refused.
  static result<std::unique_ptr<energy_application>> open(energy_config cfg);

  // --- node::application
  void prepare_check(node::admission_batch& b) override;
  void check(node::admission_batch& b, std::size_t i) const override;
  std::vector<std::string> admit(node::admission_batch& b) override;
  bool pooled(const hash256& id) const override { return pool_.contains(id); }
  std::size_t pool_size() const override { return pool_.size(); }
  std::uint64_t height() override { return ledger_->state().height; }
  hash256 head_hash() override { return ledger_->state().head_hash; }
  std::optional<bytes> block_bytes(std::uint64_t height) override;
  std::optional<tx_location> find_entry(const hash256& id) override;
  bytes prepare_proposal(std::uint64_t height, const node::proposal_options& options) override;
  bool process_proposal(std::uint64_t height, const bytes& value) override;
  hash256 value_id(const bytes& value) const override { return block_proposal_id(value); }
  result<node::committed_block> commit(const commit_record& decided) override;
  result<node::committed_block> commit_certified(const block& b) override;
  std::optional<bytes> report_equivocation(const equivocation& e) override;
  // Paths, arguments -> answers (canonical arrays; keys and ids as bin 32):
  //   "open_ctps"    []                    -> [count, highest expiry height]
  //   "progress"     [market]              -> [last cycle whose order set is on chain]
  //   "open_orders"  [market, cycle]       -> [orders held for the open cycle]
  // Questions signed by who may ask them (core/signed_query.hpp; answers.hpp):
  //   "my_account"   the key's own         []                  -> account_answer
  //   "my_ctps"      a buyer's own         []                  -> [ctp_row...]
  //   "my_outcome"   an order owner's own  [market, cycle]     -> outcome_answer
  //   "channel"      the DSO               [first, end, cycle] -> [channel_entry...]
  //   "book"         an observer           [first, end, cycle] -> [market_book...]
  //   "settlements"  an observer           [first, end, cycle] -> [settlement_row...]
  //   "balances"     an observer           [[key...]]          -> [account_answer...]
  //   "late_orders"  an observer           [first, end, cycle] -> [late_order...]
  // Refusals: "unknown-query", "decode", "bad-signature", "not-allowed",
  // "not-fixed" (a market of the range is not fixed, or fixed without its
  // orders here).
  result<bytes> query(std::string_view path, const bytes& request) override;
  // The signed questions split in two, so a host can check signatures on
  // other threads (open_query, core/signed_query.hpp) and only look up here.
  static bool is_signed_question(std::string_view path);
  // `asker` has signed `args` for `path`: the caller checked.
  result<bytes> answer_signed(std::string_view path, const public_key& asker, const bytes& args);

  // --- the trading cycle
  // The quotation phase of a cycle is over: its orders go into the next proposal.
  void close(const cycle_key& cycle) {
    if (desk_) desk_->close(cycle);
  }
  std::size_t open_orders(const cycle_key& cycle) const { return desk_ ? desk_->open_orders(cycle) : 0; }
  // The order envelopes held for the open cycles of markets [first, end):
  // what survivors pass each other when a validator goes away mid-quotation.
  std::vector<bytes> open_order_envelopes(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) const;

  // --- questions about the head state
  struct account_view {
    std::int64_t balance_uc = 0;
    std::int64_t held_uc = 0;
    std::uint64_t nonce = 0;  // the last it used, CTPs included
  };
  struct open_ctp {
    std::uint64_t id = 0;
    public_key producer{};
    std::uint64_t expiry_height = 0;
    std::int64_t amount_uc = 0;  // held: energy and grid charge
    std::uint64_t market = 0;
    std::uint64_t cycle = 0;
    std::int64_t energy_mwh = 0;
    public_key meter_key{};
  };
  // The order sets the chain fixed for markets [first, end) of `cycle`, one
  // after the other, with each market's count; nothing unless all are fixed.
  struct fixed_order_sets {
    bool complete = false;
    std::vector<bytes> envelopes;
    std::vector<std::uint64_t> counts;
  };
  // Market-range questions answer for at most this many markets at once.
  static constexpr std::uint64_t max_markets_per_query = 100'000;

  account_view account(const public_key& k);
  // Buyers holding a CTP that a timeout may end now.
  std::vector<public_key> buyers_with_expired_ctps();
  // How many CTPs are open and the highest expiry height among them.
  std::pair<std::uint64_t, std::uint64_t> open_ctp_summary();
  std::vector<open_ctp> ctps_of(const public_key& buyer);
  // The last cycle of `market` whose order set is on chain.
  std::uint64_t progress(std::uint64_t market);
  fixed_order_sets fixed_orders(std::uint64_t first, std::uint64_t end, std::uint64_t cycle);
  // Whether the chain fixed and cleared every market of [first, end) for `cycle`.
  bool all_fixed(std::uint64_t first, std::uint64_t end, std::uint64_t cycle);
  outcome_answer outcome_of(const public_key& owner, std::uint64_t market, std::uint64_t cycle) const;
  // Empty when a market of [first, end) is not fixed with its orders here.
  std::optional<std::vector<market_book>> books(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) const;
  std::optional<std::vector<channel_entry>> channel(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) const;
  // How this validator saw the chain settle the cycle (what it committed
  // since it started, for the last cycles).
  std::vector<settlement_row> settlements(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) const;
  // Orders of the cycle that reached this validator after its close.
  std::vector<late_order> late_orders(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) const;

 private:
  explicit energy_application(energy_config cfg) : cfg_(std::move(cfg)) {}
  struct proposal {
    block blk;
    std::vector<signed_transaction> ercs;
    std::vector<bytes> orders;
  };
  std::vector<std::string> admit_txs(node::admission_batch& b);
  std::vector<std::string> admit_orders(node::admission_batch& b);
  node::committed_block committed(const block& b, const std::vector<bytes>& carried_orders, std::int64_t charge);
  void record_settlements(const block& b);
  result<bytes> signed_question(std::string_view path, const bytes& request);

  energy_config cfg_;
  std::unique_ptr<ledger> ledger_;
  mempool pool_;
  mutable coe_verdicts coe_verdicts_{100'000};  // shared by the checks of admission, on all cores
  std::unique_ptr<cycle_desk> desk_;  // when there is a grid
  std::optional<proposal> own_proposal_;  // the last this validator made, until a decision
  // The grid charge at the head of the candidate block (what its clearings
  // used): reading it at commit would roll the candidate back, and the
  // block would then be executed a second time.
  std::optional<std::pair<hash256, std::int64_t>> candidate_charge_;
  std::int64_t head_charge();
  std::uint64_t own_nonce_ = 0;  // last nonce used for this validator's own transactions
  // Open CTP ids by buyer, rebuilt on the first question after a commit.
  std::unordered_map<public_key, std::vector<std::uint64_t>, key_hasher> ctps_by_buyer_;
  std::uint64_t ctps_indexed_at_ = UINT64_MAX;
  // Recent cycles' settlements by (party, role).
  std::map<cycle_key, std::map<std::pair<public_key, std::uint8_t>, settlement_row>> settled_;
};

}  // namespace voltaic::chain
