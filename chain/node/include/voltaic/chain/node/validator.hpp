#pragma once
// One validator's node as a plain class: the Tendermint engine and its sign
// guard, admission through the envelope checker in arrival order, gossip
// batching, catch-up, pacing and on-demand stepping, over an application
// (application.hpp) that keeps the replica and the pool.
//
// Inputs in, outputs out: every public input returns a validator_output that
// says what the host must do (messages to peers, timers to set, answers to
// deliver). The host owns transport and time; this class owns every decision,
// so it is tested without an actor system (tests/chain/validator_test.cpp).
// A host names who waits for an answer by a ticket of its own choosing and
// finds the ticket again in the output that answers it.
//
// Deferred work keeps its order: a step, the questions about what is
// admitted and the host's own deferred work (when_admitted) run only once
// every batch received before them is admitted.
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

#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/node/application.hpp"
#include "voltaic/chain/node/block_push_pacer.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/chain/node/engine.hpp"
#include "voltaic/chain/node/envelope_checker.hpp"
#include "voltaic/chain/node/validator_config.hpp"
#include "voltaic/chain/node/validator_output.hpp"

namespace voltaic::chain::node {

class validator {
 public:
  // Opens the sign guard and starts no height yet. `on_checked` is called
  // (from the checker's thread) when batches are done.
  static result<std::unique_ptr<validator>> open(validator_config cfg, std::unique_ptr<application> app,
                                                 std::function<void()> on_checked);
  validator(const validator&) = delete;
  validator& operator=(const validator&) = delete;
  ~validator();

  const validator_config& config() const { return cfg_; }
  application& app() { return *app_; }

  // Wall clock: starts the first height (on demand, the first step does).
  validator_output start();
  // Which peers are connected, by validator index (our own slot ignored).
  void set_peers(std::vector<bool> connected);
  // Peers seen to go away (their connection broke), by validator index; a
  // peer that joins again is cleared. Consensus stops waiting on their rounds.
  validator_output set_absent(const std::vector<bool>& absent);

  // --- admission
  // A client's envelope; its verdict ("ok" or the refusal) comes back with `t`.
  validator_output submit_tx(ticket t, bytes envelope);
  validator_output submit_message(ticket t, bytes envelope);
  // A client's batch of transactions, checked after the single envelopes
  // that came first; one answer with every verdict, in order.
  validator_output submit_tx_batch(ticket t, std::vector<bytes> envelopes);
  // A peer's gossip: admitted like a client's, answered to nobody, not passed on.
  validator_output gossip_in(lane what, std::vector<bytes> envelopes);
  // What waits for admission goes to the checker (the host calls this when
  // an output asked for schedule_admission).
  validator_output admit_waiting();
  // The checker has finished batches.
  validator_output on_checked();
  // Sends what waits for gossip (the host calls this gossip_delay after an
  // output asked for schedule_gossip_flush).
  validator_output flush_gossip();
  // Runs `f` once everything received before is admitted (at once if
  // nothing waits); with `then_wake` an idle height starts after it.
  validator_output when_admitted(std::function<void()> f, bool then_wake = false);

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

  // --- the simulated clock and questions about progress
  // On demand: run consensus up to `target`, blocks stamped `time_ms`,
  // proposing only `selection` of the pool when given.
  validator_output step(std::uint64_t target, std::uint64_t time_ms,
                        std::optional<std::vector<hash256>> selection = std::nullopt);
  // Answered (validator_output::reached) once the chain reaches `height`.
  validator_output when_reached(ticket t, std::uint64_t height);
  // How many of `ids` wait in the pool or are committed, counted once what
  // came before the question is admitted (validator_output::counts).
  validator_output count_pooled(ticket t, std::vector<hash256> ids);

  // --- questions answered at once
  std::uint64_t height() { return app_->height(); }
  hash256 head_hash() { return app_->head_hash(); }
  std::optional<bytes> block_bytes(std::uint64_t height) { return app_->block_bytes(height); }
  // Where a committed entry is: recent ones from memory, older ones from the store.
  std::optional<tx_location> locate(const hash256& id);
  // The application's answer to a question about its head state.
  result<bytes> query(std::string_view path, const bytes& request) { return app_->query(path, request); }
  std::uint64_t connected_peers() const;
  // A client's batch larger than this is refused whole.
  static constexpr std::size_t max_client_batch = 4'096;

 private:
  validator(validator_config cfg, std::unique_ptr<application> app);
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

  validator_output take();
  void queue_for_admission(lane what, ticket t, bytes envelope);
  void check_waiting();
  void submit_for_check(lane what, std::vector<bytes> envelopes, in_check who);
  void admit_checked();
  void once_admitted(std::function<void()> f);
  void gossip(lane what, bytes envelope);
  void move_gossip_out();
  bool has_peers() const;

  void handle(engine_output out);
  void commit_decision(const commit_record& c, bool& was_empty);
  void push_to_laggards(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& lagging);
  void after_commit(committed_block& b);
  void pace_next_height(std::uint64_t decided, bool was_empty);
  void advance(std::uint64_t decided);
  void wake();
  void run_next();
  void apply_certified(const bytes& raw);
  void request_next_block();
  bytes build_proposal(std::uint64_t height);
  std::uint64_t block_time_ms() const;

  validator_config cfg_;
  std::unique_ptr<application> app_;
  std::unique_ptr<consensus_crypto> crypto_;
  std::unique_ptr<sign_guard> guard_;
  std::unique_ptr<engine> engine_;  // Tendermint
  validator_output out_;

  block_push_pacer pushes_;               // to peers seen at older heights
  std::optional<std::uint64_t> idle_at_;  // wall clock: the height just decided, while the next waits
  std::vector<bool> peers_;               // connected, by validator index
  std::uint64_t behind_to_ = 0;           // highest height a peer was seen at
  bool fetching_ = false;                 // a block request is out
  bool started_ = false;                  // the engine has run a height
  std::uint64_t target_height_ = 0;       // on demand: run consensus up to here
  std::uint64_t sim_time_ms_ = 0;         // on demand: the time blocks carry
  std::optional<std::vector<hash256>> selection_;  // on demand: propose only these

  std::multimap<std::uint64_t, ticket> height_waiters_;
  std::vector<bytes> gossip_txs_, gossip_messages_;
  bool gossip_flush_due_ = false;
  admission_queue waiting_txs_, waiting_messages_;
  bool admission_due_ = false;
  std::deque<in_check> checking_;
  std::uint64_t batches_submitted_ = 0, batches_admitted_ = 0;
  // Work that waits until the batches submitted before it are admitted.
  std::vector<std::pair<std::uint64_t, std::function<void()>>> after_admission_;
  // Where recently committed entries are: clients ask about what they just
  // sent, and the store would decode a whole block to confirm each id.
  std::unordered_map<hash256, tx_location, key_hasher> recent_;

  // Declared last: destroyed (its thread joined) first.
  std::unique_ptr<envelope_checker> checker_;
};

}  // namespace voltaic::chain::node
