#pragma once
// BFT consensus as a pure state machine: the Tendermint algorithm (Buchman,
// Kwon, Milosevic, "The latest gossip on BFT consensus", 2018, Algorithm 1).
//
// Heights and rounds; steps propose, prevote, precommit; the proposer of
// (h, r) is validators[(h + r) mod n]; locked and valid values; timeouts
// growing with the round; a quorum is more than two thirds of the voting
// power and f+1 more than one third. Inputs are messages and timeouts;
// outputs are messages to broadcast, timeouts to schedule, decisions (with
// their commit certificate), equivocation evidence, and peers seen lagging.
// No clocks, threads or I/O: the caller delivers everything, so the engine
// runs identically in a simulated network and behind a CAF actor.
//
// Safety on restart: every signature passes a sign_guard first, which must
// persist (height, round, step) before it permits, and refuses anything not
// strictly after the last one, so a restarted validator can never sign two
// different values for one step. Liveness on restart: the guard's journal
// gives back the validator's own messages and its valid value.
//
// Signed bytes (domain consensus_vote):
//   vote     = ["vote", kind, height, round, nil, value_id]
//   proposal = ["proposal", height, round, valid_round + 1, value_id]
// Thread-safety: none; one engine per validator, driven by one owner.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/node/engine.hpp"
#include "voltaic/chain/node/validator_set.hpp"

namespace voltaic::chain {

enum class round_step : std::uint8_t { propose = 1, prevote = 2, precommit = 3 };
enum class vote_kind : std::uint8_t { prevote = 2, precommit = 3 };

struct consensus_proposal {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  std::int64_t valid_round = -1;
  bytes value;
  hash256 value_id{};  // the value's id (value_id_fn; by default BLAKE2b-256)
  std::uint32_t proposer = 0;
  signature sig{};
};

struct consensus_vote {
  vote_kind kind = vote_kind::prevote;
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  bool nil = false;
  hash256 value_id{};
  std::uint32_t voter = 0;
  signature sig{};
};

// A decided value with the precommits that decided it (its commit certificate).
struct commit_record {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  bytes value;
  hash256 value_id{};
  std::vector<consensus_vote> precommits;
};

// Two signed votes of one validator for one (height, round, kind) that differ.
struct equivocation {
  consensus_vote first;
  consensus_vote second;
};

enum class timer : std::uint8_t { propose = 1, prevote = 2, precommit = 3, gossip = 4 };
struct timeout_request {
  timer kind = timer::propose;
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  std::uint64_t delay_ms = 0;
};

struct engine_output {
  std::vector<consensus_proposal> proposals;  // broadcast
  std::vector<consensus_vote> votes;          // broadcast
  std::vector<timeout_request> timeouts;      // schedule
  std::vector<commit_record> decisions;       // in height order
  std::vector<equivocation> evidence;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> lagging;  // (peer, its height): send it our commit
  std::uint64_t behind_to = 0;  // a peer is at this height; fetch commits up to it

  void append(engine_output&& o);
};

// Signing and verification of consensus messages. The Ed25519 implementation
// signs under the consensus domain and the chain id; tests of pure logic may
// use a fast stand-in.
class consensus_crypto {
 public:
  virtual ~consensus_crypto() = default;
  virtual signature sign(const bytes& message) = 0;
  virtual bool verify(const bytes& message, const signature& sig, const public_key& key) = 0;
};
std::unique_ptr<consensus_crypto> make_ed25519_consensus_crypto(std::string chain_id, key_pair key);

// A validator's lock (Algorithm 1, lines 36-43): the value it precommitted
// and the round, within one height.
struct consensus_lock {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  hash256 value_id{};
  bool operator==(const consensus_lock& o) const {
    return height == o.height && round == o.round && value_id == o.value_id;
  }
};

struct signed_step {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  round_step step = round_step::propose;
};

// What a validator signed in its current height, and the valid value
// (Algorithm 1's validValue, with the prevotes that proved it). After a
// restart the validator re-sends its messages and resumes its round instead
// of skipping it, and a value some validators are locked on is not lost with
// the process: without these, validators restarting one after another can
// sit in different rounds or refuse every value, and never decide.
struct consensus_journal {
  std::vector<consensus_proposal> own_proposals;
  std::vector<consensus_vote> own_votes;
  std::optional<consensus_proposal> valid_value;
  std::vector<consensus_vote> valid_prevotes;
};

// What a validator must remember across restarts. Safety: the last signed
// (height, round, step), and the lock held then, persisted before a
// signature is permitted, so a validator restarted inside a height neither
// signs a step again nor forgets the value it is locked on. Liveness: the
// journal of the current height, written but not synced (a record lost to a
// power cut costs rounds, never safety).
class sign_guard {
 public:
  virtual ~sign_guard() = default;
  // True, after persisting, when (h, r, s) is strictly after the last one.
  virtual bool permit(std::uint64_t height, std::uint32_t round, round_step step,
                      const std::optional<consensus_lock>& lock = std::nullopt) = 0;
  virtual std::optional<signed_step> last_signed() const = 0;
  // The lock persisted with the last signature, if any.
  virtual std::optional<consensus_lock> lock() const = 0;
  // A message this validator signed; a journal of a later height replaces the last.
  virtual void journal_signed(const consensus_proposal& p) = 0;
  virtual void journal_signed(const consensus_vote& v) = 0;
  virtual void journal_valid(const consensus_proposal& p, const std::vector<consensus_vote>& prevotes) = 0;
  // The journal kept for `height` (empty for any other height).
  virtual consensus_journal journal(std::uint64_t height) const = 0;
  // Why the last signature could not be persisted (a full disk), or "": a
  // guard that cannot persist refuses to sign, and its host must say so.
  virtual std::string failure() const { return {}; }
};
std::unique_ptr<sign_guard> make_memory_sign_guard();
// A file holding the last signed triple and the lock ("h r s" or
// "h r s lock_h lock_r lock_value_hex"), replaced atomically (write, fsync,
// rename) before each permit returns; the journal beside it (PATH.journal)
// is appended to. A torn journal tail (a crash mid-write) is ignored.
result<std::unique_ptr<sign_guard>> open_file_sign_guard(const std::string& path);

bytes vote_sign_bytes(const consensus_vote& v);
bytes proposal_sign_bytes(const consensus_proposal& p);

// How a value is named in votes. Blocks use their header hash, so a block's
// commit certificate verifies against the hash in its header.
using value_id_fn = std::function<hash256(const bytes& value)>;
hash256 default_value_id(const bytes& value);

// Checks a commit certificate against the validator set: distinct known
// voters, precommits for this height, round and value, valid signatures,
// more than two thirds of the power. Reasons: "bad-certificate: ...".
status verify_commit(const commit_record& c, const std::vector<validator>& validators, consensus_crypto& crypto,
                     const value_id_fn& id_of = default_value_id);

struct engine_config {
  std::vector<validator> validators;
  std::optional<std::uint32_t> self;  // index in validators; none for an observer
  std::uint64_t timeout_propose_ms = 300;
  std::uint64_t timeout_prevote_ms = 100;
  std::uint64_t timeout_precommit_ms = 100;
  std::uint64_t timeout_increment_ms = 100;  // added per round
  std::uint64_t gossip_ms = 200;             // re-send own messages of the current round
  value_id_fn value_id = default_value_id;
  // true: the next height starts inside the decision, so its first proposal
  // comes from the source before the host has committed the decided value;
  // only for sources that do not read committed state (the simulation
  // tests). false: the engine stays at the decided height until advance()
  // (what miners do, after committing the block); messages of the next
  // height wait as future messages.
  bool start_next_height = true;
};

// Tendermint (Algorithm 1 of the paper) as a node::engine.
class consensus_engine final : public node::engine {
 public:
  // The value to propose at a height; whether a proposed value is valid
  // (the application re-executes the block here).
  using value_source = std::function<bytes(std::uint64_t height)>;
  using value_check = std::function<bool(std::uint64_t height, const bytes& value)>;

  consensus_engine(engine_config config, consensus_crypto& crypto, sign_guard& guard, value_source source,
                   value_check check);

  engine_output start(std::uint64_t height) override;
  engine_output on_proposal(const consensus_proposal& p) override;
  engine_output on_vote(const consensus_vote& v) override;
  engine_output on_timeout(const timeout_request& t) override;
  // With start_next_height off: moves from a decided height to the next.
  engine_output advance() override;
  // A round whose proposer is absent times out at once in its propose and
  // precommit steps (timeouts serve liveness only: safety never rests on them).
  engine_output set_absent(std::uint32_t index, bool absent) override;
  bool decided() const override { return decided_; }
  // Catch-up: a certified decision for the current height, from a peer.
  engine_output on_commit(const commit_record& c) override;

  std::uint64_t height() const override { return height_; }
  std::uint32_t round() const override { return round_; }
  round_step step() const { return step_; }
  std::uint32_t proposer_of(std::uint64_t height, std::uint32_t round) const;
  // One line about the current height for logs: round, step, locks, votes.
  std::string describe() const override;

 private:
  // Every distinct vote of each voter: an equivocator's votes count towards
  // each value it voted for, as BFT quorum intersection assumes, so honest
  // validators that heard different versions still reach the same quorums.
  using votes_by_voter = std::map<std::uint32_t, std::vector<consensus_vote>>;
  struct round_votes {
    votes_by_voter prevotes, precommits;
  };
  using key_of_value = std::pair<bool, hash256>;  // (nil, id)

  void start_round(std::uint32_t round, engine_output& out);
  std::optional<consensus_lock> current_lock() const {
    if (locked_round_ < 0) return std::nullopt;
    return consensus_lock{height_, static_cast<std::uint32_t>(locked_round_), locked_id_};
  }
  void broadcast_vote(vote_kind kind, bool nil, const hash256& id, engine_output& out);
  void schedule(timer kind, std::uint32_t round, std::uint64_t base, engine_output& out) const;
  bool proposer_absent(std::uint32_t round) const {
    const std::uint32_t p = proposer_of(height_, round);
    return p < absent_.size() && absent_[p] && !(config_.self && *config_.self == p);
  }
  void check_rules(engine_output& out);
  bool valid(const consensus_proposal& p);
  std::uint64_t power_for(const votes_by_voter& votes, const key_of_value* only) const;
  bool quorum(std::uint64_t power) const { return 3 * power > 2 * total_power_; }
  bool one_third(std::uint64_t power) const { return 3 * power > total_power_; }
  void decide(const consensus_proposal& p, std::uint32_t round, engine_output& out);
  void add_vote(const consensus_vote& v, engine_output& out);
  void reset_height(std::uint64_t height);
  void replay_future(engine_output& out);
  void keep_proposal(const consensus_proposal& p);
  const consensus_proposal* proposal_with(std::uint32_t round, const hash256& id) const;
  // The very message (signature included) is held already: gossip sends
  // messages again every period, and each would cost a verification.
  bool holds(const consensus_proposal& p) const;
  bool holds(const consensus_vote& v) const;

  engine_config config_;
  consensus_crypto& crypto_;
  sign_guard& guard_;
  value_source source_;
  value_check check_;
  std::uint64_t total_power_ = 0;

  std::uint64_t height_ = 0;
  std::uint32_t round_ = 0;
  round_step step_ = round_step::propose;
  std::int64_t locked_round_ = -1;
  hash256 locked_id_{};  // meaningful when locked_round_ >= 0
  std::int64_t valid_round_ = -1;
  std::optional<consensus_proposal> valid_value_;
  bool decided_ = false;

  // Proposals by round; the first received comes first. A Byzantine proposer
  // may send several values in one round: each is kept (up to a bound) so a
  // quorum for any of them can be acted on.
  std::map<std::uint32_t, std::vector<consensus_proposal>> proposals_;
  std::map<std::uint32_t, round_votes> votes_;             // by round
  std::map<hash256, bool> validity_;                       // value id -> valid
  std::set<std::uint32_t> prevote_timer_, precommit_timer_, locked_on_;  // "for the first time" per round
  std::set<std::pair<std::uint32_t, std::uint32_t>> evidence_seen_;     // (round*4+kind, voter)
  std::vector<consensus_proposal> own_proposals_;
  std::vector<consensus_vote> own_votes_;
  std::vector<bool> absent_;  // by validator index: the host saw it go away
  // Messages for later heights, replayed when the engine gets there.
  std::vector<consensus_proposal> future_proposals_;
  std::vector<consensus_vote> future_votes_;
};

}  // namespace voltaic::chain
