#pragma once
// One validator as a plain class: its replica (ledger over a store), the
// Tendermint engine and its sign guard, the mempool, admission through the
// envelope checker, gossip batching, catch-up, on-demand stepping, the
// trading cycle's desk and the read-only questions clients ask.
//
// Inputs in, outputs out: every public input returns a validator_output that
// says what the host must do (messages to peers, timers to set, answers to
// deliver). The host owns transport and time; this class owns every decision,
// so it is tested without an actor system (tests/chain/validator_test.cpp).
// A host names who waits for an answer by a ticket of its own choosing and
// finds the ticket again in the output that answers it.
//
// Deferred work keeps its order: a close, a step and the questions about
// what is admitted (pooled, order counts) run only once every batch received
// before them is admitted.
// Thread-safety: none; one owner. The envelope checker calls `on_checked`
// from its own thread (when it has one); the host then calls on_checked().

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "voltaic/chain/block_push_pacer.hpp"
#include "voltaic/chain/consensus.hpp"
#include "voltaic/chain/cycle_desk.hpp"
#include "voltaic/chain/envelope_checker.hpp"
#include "voltaic/chain/genesis.hpp"
#include "voltaic/chain/ledger.hpp"
#include "voltaic/chain/market_grid.hpp"
#include "voltaic/chain/mempool.hpp"
#include "voltaic/chain/node/validator_config.hpp"
#include "voltaic/chain/node/validator_output.hpp"

namespace voltaic::chain::node {

class validator {
 public:
  // Opens the store and the sign guard; a store of another chain is refused.
  // `on_checked` is called (from the checker's thread) when batches are done.
  static result<std::unique_ptr<validator>> open(validator_config cfg, std::function<void()> on_checked);
  validator(const validator&) = delete;
  validator& operator=(const validator&) = delete;
  ~validator();

  const validator_config& config() const { return cfg_; }

  // Wall clock: starts the first height (on demand, the first step does).
  validator_output start();
  // Which peers are connected, by validator index (our own slot ignored).
  void set_peers(std::vector<bool> connected);

  // --- admission
  // A client's envelope; its verdict ("ok" or the refusal) comes back with `t`.
  validator_output submit_tx(ticket t, bytes envelope);
  validator_output submit_order(ticket t, bytes envelope);
  // A client's batch of transactions, checked after the single envelopes
  // that came first; one answer with every verdict, in order.
  validator_output submit_tx_batch(ticket t, std::vector<bytes> envelopes);
  // A peer's gossip: admitted like a client's, answered to nobody, not passed on.
  validator_output gossip_txs_in(std::vector<bytes> envelopes);
  validator_output gossip_orders_in(std::vector<bytes> envelopes);
  // What waits for admission goes to the checker (the host calls this when
  // an output asked for schedule_admission).
  validator_output admit_waiting();
  // The checker has finished batches.
  validator_output on_checked();
  // Sends what waits for gossip (the host calls this gossip_delay after an
  // output asked for schedule_gossip_flush).
  validator_output flush_gossip();

  // --- consensus and replication
  // A consensus message's canonical bytes from a peer; malformed bytes are dropped.
  validator_output on_consensus(const bytes& raw);
  validator_output on_timeout(const timeout_request& t);
  // Wall clock: the next height after `decided` starts (the host calls this
  // when an output's advance timer fires).
  validator_output advance_from(std::uint64_t decided);
  // A certified block a peer pushed.
  validator_output on_certified_block(const bytes& raw);
  // The answer to an output's fetch request: the block bytes (empty when the
  // peer has none), or nothing when the request failed.
  validator_output on_fetched(const std::optional<bytes>& raw);

  // --- the trading cycle and the simulated clock
  // The quotation phase of a cycle is over (after what came before it).
  validator_output close(const cycle_key& cycle);
  // On demand: run consensus up to `target`, blocks stamped `time_ms`,
  // proposing only `selection` of the pool when given.
  validator_output step(std::uint64_t target, std::uint64_t time_ms,
                        std::optional<std::vector<hash256>> selection = std::nullopt);
  // Answered (validator_output::reached) once the chain reaches `height`.
  validator_output when_reached(ticket t, std::uint64_t height);
  // How many of `ids` wait in the pool or are committed, counted once what
  // came before the question is admitted (validator_output::counts).
  validator_output count_pooled(ticket t, std::vector<hash256> ids);
  // Orders held for each open cycle of markets [first, end), once what came
  // before is admitted (validator_output::order_counts).
  validator_output count_open_orders(ticket t, std::uint64_t first, std::uint64_t end, std::uint64_t cycle);

  // --- questions answered at once, from the head state
  struct account_view {
    std::int64_t balance_uc = 0;
    std::int64_t held_uc = 0;
    std::uint64_t nonce = 0;
  };
  struct open_ctp {
    std::uint64_t id = 0;
    public_key producer{};
    std::uint64_t expiry_height = 0;
    std::int64_t amount_uc = 0;
  };
  // The order sets the chain fixed for markets [first, end) of `cycle`, one
  // after the other, with each market's count; nothing unless all are fixed.
  struct fixed_order_sets {
    bool complete = false;
    std::vector<bytes> envelopes;
    std::vector<std::uint64_t> counts;
  };
  std::uint64_t height() { return ledger_->state().height; }
  hash256 head_hash() { return ledger_->state().head_hash; }
  std::optional<bytes> block_bytes(std::uint64_t height);
  std::optional<tx_location> locate(const hash256& id);
  account_view account(const public_key& k);
  std::uint64_t nonce_of(const public_key& k);
  // Buyers holding a CTP that a timeout may end now.
  std::vector<public_key> buyers_with_expired_ctps();
  // How many CTPs are open and the highest expiry height among them.
  std::pair<std::uint64_t, std::uint64_t> open_ctp_summary();
  std::vector<open_ctp> ctps_of(const public_key& buyer);
  // The last cycle of `market` whose order set is on chain.
  std::uint64_t progress(std::uint64_t market);
  fixed_order_sets fixed_orders(std::uint64_t first, std::uint64_t end, std::uint64_t cycle);
  std::uint64_t connected_peers() const;
  bool pool_contains(const hash256& id) const { return pool_.contains(id); }
  std::size_t pool_size() const { return pool_.size(); }
  // Market-range questions answer for at most this many markets at once.
  static constexpr std::uint64_t max_markets_per_query = 100'000;
  // A client's batch larger than this is refused whole.
  static constexpr std::size_t max_client_batch = 4'096;

 private:
  explicit validator(validator_config cfg);
  struct proposal {
    block blk;
    std::vector<signed_transaction> ercs;
    std::vector<bytes> orders;
  };
  // Who waits for a batch at the checker: a ticket per envelope, or one for
  // a client's whole batch; a peer's gossip waits for nothing.
  struct in_check {
    std::vector<ticket> verdicts;
    std::optional<ticket> batch;
    bool from_peer = false;
  };
  struct admission_queue {
    std::vector<bytes> envelopes;
    std::vector<ticket> verdicts;
  };

  validator_output take() { return std::exchange(out_, {}); }
  void queue_for_admission(admission_queue& queue, ticket t, bytes envelope);
  void check_waiting();
  void submit_for_check(envelope_checker::kind what, std::vector<bytes> envelopes, in_check who);
  void admit_checked();
  std::vector<std::string> admit_txs(envelope_checker::batch& b);
  std::vector<std::string> admit_orders(envelope_checker::batch& b);
  void once_admitted(std::function<void()> f);
  void gossip(std::vector<bytes>& outbox, bytes envelope);
  void move_gossip_out();
  void pass_on(const std::vector<bytes>& envelopes, const std::vector<std::string>& verdicts,
               std::vector<bytes>& outbox);
  bool has_peers() const;

  void handle(engine_output out);
  void commit_decision(const commit_record& c, bool& was_empty);
  void submit_evidence(const equivocation& e);
  void push_to_laggards(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& lagging);
  void after_commit(const block& b, const std::vector<bytes>& carried_orders = {});
  void pace_next_height(std::uint64_t decided, bool was_empty);
  void advance(std::uint64_t decided);
  void wake();
  void run_next();
  void apply_certified(const bytes& raw);
  void request_next_block();
  bytes build_proposal();
  bool check_proposal(std::uint64_t height, const bytes& value);
  std::uint64_t block_time_ms() const;

  validator_config cfg_;
  std::unique_ptr<ledger> ledger_;
  std::unique_ptr<consensus_crypto> crypto_;
  std::unique_ptr<sign_guard> guard_;
  std::unique_ptr<consensus_engine> engine_;
  mempool pool_;
  std::unique_ptr<cycle_desk> desk_;
  validator_output out_;

  std::optional<proposal> own_proposal_;  // the last this validator made, until a decision
  block_push_pacer pushes_;               // to peers seen at older heights
  std::optional<std::uint64_t> idle_at_;  // wall clock: the height just decided, while the next waits
  std::vector<bool> peers_;               // connected, by validator index
  std::uint64_t own_nonce_ = 0;           // last nonce used for this validator's own transactions
  std::uint64_t behind_to_ = 0;           // highest height a peer was seen at
  bool fetching_ = false;                 // a block request is out
  bool started_ = false;                  // the engine has run a height
  std::uint64_t target_height_ = 0;       // on demand: run consensus up to here
  std::uint64_t sim_time_ms_ = 0;         // on demand: the time blocks carry
  std::optional<std::vector<hash256>> selection_;  // on demand: propose only these

  std::multimap<std::uint64_t, ticket> height_waiters_;
  std::vector<bytes> gossip_txs_, gossip_orders_;
  bool gossip_flush_due_ = false;
  admission_queue waiting_txs_, waiting_orders_;
  bool admission_due_ = false;
  std::deque<in_check> checking_;
  std::uint64_t batches_submitted_ = 0, batches_admitted_ = 0;
  // Work that waits until the batches submitted before it are admitted.
  std::vector<std::pair<std::uint64_t, std::function<void()>>> after_admission_;

  // Open CTP ids by buyer, rebuilt on the first question after a commit.
  std::unordered_map<public_key, std::vector<std::uint64_t>, key_hasher> ctps_by_buyer_;
  std::uint64_t ctps_indexed_at_ = UINT64_MAX;
  // Where recently committed entries are: clients ask about what they just
  // sent, and the store would decode a whole block to confirm each id.
  std::unordered_map<hash256, tx_location, hash256_hasher> recent_;

  // Declared last: destroyed (its thread joined) first.
  std::unique_ptr<envelope_checker> checker_;
};

}  // namespace voltaic::chain::node
