#include "voltaic/agents/miner.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "voltaic/chain/block_push_pacer.hpp"
#include "voltaic/chain/certificate.hpp"
#include "voltaic/chain/cycle_desk.hpp"
#include "voltaic/chain/consensus_codec.hpp"
#include "voltaic/chain/envelope_checker.hpp"
#include "voltaic/chain/ledger.hpp"
#include "voltaic/chain/lmdb_store.hpp"
#include "voltaic/chain/mempool.hpp"

namespace voltaic::agents {

namespace {

using cblock_atom = caf::atom_constant<caf::atom("cblock")>;
using gflush_atom = caf::atom_constant<caf::atom("gflush")>;
using admit_atom = caf::atom_constant<caf::atom("admit")>;
using checked_atom = caf::atom_constant<caf::atom("checked")>;
using advance_atom = caf::atom_constant<caf::atom("advance")>;

constexpr std::size_t max_blocks_per_push = 64;  // certified blocks sent to a lagging peer at once
// Gossip leaves in batches: one message per envelope per peer cost more than
// checking the envelope. A batch waits at most gossip_delay.
constexpr std::size_t gossip_batch = 1'024;
constexpr auto gossip_delay = std::chrono::milliseconds(2);
// Transactions and orders wait for the rest of the mailbox (at most this
// many), then go to the envelope checker as one batch.
constexpr std::size_t admit_batch = 256;
// A client's batch larger than this is refused whole.
constexpr std::size_t max_client_batch = 4'096;
// Market-range queries answer for at most this many markets at once.
constexpr std::uint64_t max_markets_per_query = 100'000;

chain::bytes as_bytes(const std::string& s) { return chain::bytes(s.begin(), s.end()); }
std::string as_string(const chain::bytes& b) { return std::string(b.begin(), b.end()); }

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

struct miner_state {
  miner_config cfg;
  std::unique_ptr<chain::ledger> chain;
  std::unique_ptr<chain::consensus_crypto> crypto;
  std::unique_ptr<chain::sign_guard> guard;
  std::unique_ptr<chain::consensus_engine> engine;
  chain::mempool pool;
  std::unique_ptr<chain::cycle_desk> desk;  // when the miner clears markets
  // A proposal's block with its ERCs and carried orders, decoded.
  struct proposal {
    chain::block blk;
    std::vector<chain::signed_transaction> ercs;
    std::vector<chain::bytes> orders;
  };
  std::optional<proposal> own_proposal;  // the last this validator made, until a decision
  chain::block_push_pacer pushes;  // to peers seen at older heights
  // Wall clock: the height just decided, while the next waits for work.
  std::optional<std::uint64_t> idle_at;
  std::vector<caf::actor> peers;  // by validator index; our own slot unused
  std::uint64_t own_nonce = 0;  // last nonce this validator used for its own transactions
  std::uint64_t behind_to = 0;  // highest height a peer was seen at
  bool fetching = false;        // a block request is out
  bool started = false;         // the engine has run a height
  std::uint64_t target_height = 0;  // on demand: run consensus up to here
  std::uint64_t sim_time_ms = 0;    // on demand: the time blocks carry
  // On demand: when set, blocks propose only these waiting transactions, so
  // a chunk commits while the next one is still being admitted.
  std::optional<std::vector<chain::hash256>> selection;
  // Who waits for a height, answered once it is committed.
  std::multimap<std::uint64_t, caf::typed_response_promise<std::uint64_t>> height_waiters;
  // Envelopes admitted here, to pass on to the other validators.
  std::vector<std::string> gossip_txs, gossip_orders;
  bool gossip_flush_due = false;
  // Envelopes waiting for admission, each with the promise of a verdict.
  struct admission_queue {
    std::vector<chain::bytes> envelopes;
    std::vector<caf::typed_response_promise<std::string>> verdicts;
  };
  admission_queue waiting_txs, waiting_orders;
  bool admission_due = false;
  // Batches at the checker, oldest first, and who waits for their verdicts:
  // a promise per envelope, or one for a client's whole batch; a peer's
  // gossip waits for nothing and is not passed on again.
  struct in_check {
    std::vector<caf::typed_response_promise<std::string>> verdicts;
    std::optional<caf::typed_response_promise<std::vector<std::string>>> batch_verdicts;
    bool from_peer = false;
  };
  std::deque<in_check> checking;
  std::uint64_t batches_submitted = 0, batches_admitted = 0;
  // What must wait until the batches submitted before it are admitted (a
  // market's close, questions about what is admitted): the count to wait for.
  std::vector<std::pair<std::uint64_t, std::function<void()>>> after_admission;
  // Open CTP ids by buyer, rebuilt on the first query after a commit.
  std::unordered_map<chain::public_key, std::vector<std::uint64_t>, chain::key_hasher> ctps_by_buyer;
  std::uint64_t ctps_indexed_at = UINT64_MAX;
  // Where recently committed entries are: clients ask about what they just
  // sent, and the store would decode a whole block to confirm each id.
  std::unordered_map<chain::hash256, std::pair<std::uint64_t, std::uint32_t>, chain::hash256_hasher> recent;

  std::optional<chain::tx_location> locate(const chain::hash256& id) {
    if (auto it = recent.find(id); it != recent.end()) return chain::tx_location{it->second.first, it->second.second};
    auto loc = chain->store().find_tx(id);
    if (!loc || !loc.value()) return std::nullopt;
    return *loc.value();
  }
  // Checks batches' signatures, on its own thread if cfg.checks_on_own_thread.
  // Declared last: destroyed (its thread joined) first.
  std::unique_ptr<chain::envelope_checker> checker;
  static inline const char* name = "voltaic.miner";
};

using miner_actor = caf::stateful_actor<miner_state>;

chain::block_options strict() {
  chain::block_options o;
  o.require_erc_witness = true;
  return o;
}

// Consensus traffic jumps the queue of transactions waiting for admission
// (CAF serves urgent messages at twice the rate of normal ones): under load,
// a vote stuck behind batches of signatures to check would time rounds out.
constexpr auto urgent = caf::message_priority::high;

void broadcast(miner_actor* self, const std::string& message) {
  for (std::size_t i = 0; i < self->state.peers.size(); ++i)
    if (i != self->state.cfg.index && self->state.peers[i])
      self->send<urgent>(self->state.peers[i], cons_atom::value, message);
}

void after_commit(miner_actor* self, const chain::block& b, const std::vector<chain::bytes>& carried_orders = {});
void run_next(miner_actor* self);

void gossip(miner_actor* self, std::vector<std::string>& batch, std::string envelope);

void flush_gossip(miner_actor* self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.peers.size(); ++i) {
    if (i == st.cfg.index || !st.peers[i]) continue;
    if (!st.gossip_txs.empty()) self->send(st.peers[i], txgossip_atom::value, st.gossip_txs);
    if (!st.gossip_orders.empty()) self->send(st.peers[i], ordgossip_atom::value, st.gossip_orders);
  }
  st.gossip_txs.clear();
  st.gossip_orders.clear();
}

// A checked batch of transactions, admitted against the head state in
// order. Returns each one's verdict ("ok" or why not).
std::vector<std::string> admit_txs(miner_state& st, chain::envelope_checker::batch& b) {
  const auto& head = st.chain->state();
  std::vector<std::string> verdicts;
  for (std::size_t i = 0; i < b.envelopes.size(); ++i) {
    auto& c = b.transactions[i];
    chain::remember_checked(head, c);
    // What does not decode takes the envelope path, for its exact refusal.
    const auto r = c.tx ? st.pool.add(std::move(*c.tx), head) : st.pool.add(b.envelopes[i], head);
    verdicts.push_back(r ? std::string("ok") : r.err().message);
  }
  return verdicts;
}

std::vector<std::string> admit_orders(miner_state& st, chain::envelope_checker::batch& b) {
  if (!st.desk) return std::vector<std::string>(b.envelopes.size(), "no-market");
  std::vector<std::string> verdicts;
  for (std::size_t i = 0; i < b.envelopes.size(); ++i)
    verdicts.push_back(st.desk->admit_checked(b.envelopes[i], std::move(b.orders[i]), st.chain->state()));
  return verdicts;
}

std::vector<chain::bytes> as_batch(const std::vector<std::string>& envelopes) {
  std::vector<chain::bytes> out;
  out.reserve(envelopes.size());
  for (const auto& e : envelopes) out.push_back(as_bytes(e));
  return out;
}

// Passes what was admitted on to the peers.
void pass_on(miner_actor* self, const std::vector<chain::bytes>& envelopes, const std::vector<std::string>& verdicts,
             std::vector<std::string>& outbox) {
  const auto& peers = self->state.peers;
  if (std::none_of(peers.begin(), peers.end(), [](const caf::actor& p) { return static_cast<bool>(p); })) return;
  for (std::size_t i = 0; i < envelopes.size(); ++i)
    if (verdicts[i] == "ok") gossip(self, outbox, as_string(envelopes[i]));
}

void admit_checked(miner_actor* self);

// Hands a batch to the checker; `who` learns the verdicts once it is admitted.
void submit_for_check(miner_actor* self, chain::envelope_checker::kind what, std::vector<chain::bytes> envelopes,
                      miner_state::in_check who) {
  auto& st = self->state;
  if (envelopes.empty()) return;
  auto b = std::make_unique<chain::envelope_checker::batch>();
  b->what = what;
  b->envelopes = std::move(envelopes);
  if (what == chain::envelope_checker::kind::orders) {
    if (st.desk) b->known = st.desk->verified_orders();
  } else {
    const auto memo = st.chain->state().verified;  // shared by the head and its successors
    b->known = std::shared_ptr<const chain::verified_set>(memo, &memo->transactions);
  }
  st.checking.push_back(std::move(who));
  ++st.batches_submitted;
  st.checker->submit(std::move(b));
  if (!st.cfg.checks_on_own_thread) admit_checked(self);  // checked already
}

// Sends what waits for admission to the checker.
void check_waiting(miner_actor* self) {
  auto& st = self->state;
  st.admission_due = false;
  using kind = chain::envelope_checker::kind;
  for (auto [queue, what] :
       {std::make_pair(&st.waiting_txs, kind::transactions), std::make_pair(&st.waiting_orders, kind::orders)}) {
    auto q = std::exchange(*queue, {});
    submit_for_check(self, what, std::move(q.envelopes),
                     miner_state::in_check{std::move(q.verdicts), std::nullopt, false});
  }
}

void wake(miner_actor* self);

// Admits the batches the checker is done with, in the order they were
// submitted, answers whoever waits for them, and runs what waited for them.
void admit_checked(miner_actor* self) {
  auto& st = self->state;
  for (auto& b : st.checker->take_checked()) {
    auto who = std::move(st.checking.front());
    st.checking.pop_front();
    const bool txs = b->what == chain::envelope_checker::kind::transactions;
    const auto verdicts = txs ? admit_txs(st, *b) : admit_orders(st, *b);
    if (!who.from_peer) pass_on(self, b->envelopes, verdicts, txs ? st.gossip_txs : st.gossip_orders);
    for (std::size_t i = 0; i < who.verdicts.size(); ++i) who.verdicts[i].deliver(verdicts[i]);
    if (who.batch_verdicts) who.batch_verdicts->deliver(verdicts);
    ++st.batches_admitted;
  }
  auto due = std::stable_partition(st.after_admission.begin(), st.after_admission.end(),
                                   [&st](const auto& w) { return w.first <= st.batches_admitted; });
  auto ready = std::vector<std::pair<std::uint64_t, std::function<void()>>>(
      std::make_move_iterator(st.after_admission.begin()), std::make_move_iterator(due));
  st.after_admission.erase(st.after_admission.begin(), due);
  for (auto& w : ready) w.second();
  wake(self);
}

// Runs f once everything received so far is admitted: at once when nothing
// is waiting or at the checker.
void once_admitted(miner_actor* self, std::function<void()> f) {
  auto& st = self->state;
  check_waiting(self);
  if (st.batches_admitted == st.batches_submitted) {
    f();
    return;
  }
  st.after_admission.emplace_back(st.batches_submitted, std::move(f));
}

caf::typed_response_promise<std::string> wait_for_admission(miner_actor* self, miner_state::admission_queue& queue,
                                                             const std::string& envelope) {
  auto& st = self->state;
  auto verdict = self->make_response_promise<std::string>();
  queue.envelopes.push_back(as_bytes(envelope));
  queue.verdicts.push_back(verdict);
  if (st.waiting_txs.envelopes.size() + st.waiting_orders.envelopes.size() >= admit_batch) {
    check_waiting(self);
  } else if (!st.admission_due) {
    st.admission_due = true;
    self->send(self, admit_atom::value);  // after what is in the mailbox now
  }
  return verdict;
}

void gossip(miner_actor* self, std::vector<std::string>& batch, std::string envelope) {
  auto& st = self->state;
  batch.push_back(std::move(envelope));
  if (st.gossip_txs.size() + st.gossip_orders.size() >= gossip_batch) {
    flush_gossip(self);
  } else if (!st.gossip_flush_due) {
    st.gossip_flush_due = true;
    self->delayed_send(self, gossip_delay, gflush_atom::value);
  }
}

// Wall clock: the next height starts once the decided block is committed
// (started inside the decision, its proposal would be built on the state
// before that block, refused by every validator, and cost a round). It
// starts from a message, not from here: a lone validator decides inside
// advance() and would recurse without end.
void pace_next_height(miner_actor* self, std::uint64_t decided, bool was_empty) {
  auto& st = self->state;
  // Not urgent: what already waits for admission goes into the next block
  // (a lone validator that jumped that queue made blocks of a few entries).
  if (was_empty) {
    st.idle_at = decided;
    self->delayed_send(self, std::chrono::milliseconds(st.cfg.empty_block_interval_ms), advance_atom::value, decided);
  } else {
    self->send(self, advance_atom::value, decided);
  }
}

void handle(miner_actor* self, chain::engine_output out);

// Starts the height after `decided` unless it has started already.
void advance_from(miner_actor* self, std::uint64_t decided) {
  auto& st = self->state;
  if (st.cfg.on_demand || !st.engine->decided() || st.engine->height() != decided) return;
  st.idle_at.reset();
  handle(self, st.engine->advance());
}

// Work arrived while the next height waits after an empty block.
void wake(miner_actor* self) {
  if (self->state.idle_at) advance_from(self, *self->state.idle_at);
}

void handle(miner_actor* self, chain::engine_output out) {
  auto& st = self->state;
  for (const auto& t : out.timeouts)
    self->delayed_send<urgent>(self, std::chrono::milliseconds(t.delay_ms), tick_atom::value,
                       static_cast<std::uint8_t>(t.kind), t.height, t.round);
  bool last_was_empty = false;
  for (const auto& c : out.decisions) {
    miner_state::proposal decided;
    if (st.own_proposal && st.own_proposal->blk.hash == c.value_id) {
      decided = std::move(*st.own_proposal);  // ours: no need to decode what we encoded
    } else {
      auto p = chain::decode_block_proposal(c.value);
      if (!p) {
        std::cerr << st.cfg.name << ": a decided value is not a block: " << p.err().message << "\n";
        continue;
      }
      decided.blk = std::move(p.value().blk);
      for (const auto& e : p.value().ercs)
        if (auto stx = chain::decode_envelope(e)) decided.ercs.push_back(std::move(stx).value());
      decided.orders = std::move(p.value().orders);
    }
    st.own_proposal.reset();
    chain::block& b = decided.blk;
    b.certificate = chain::certificate_of(c);
    if (auto s = st.chain->append(b, decided.ercs, strict()); !s) {
      std::cerr << st.cfg.name << ": cannot commit decided block " << b.header.height << ": " << s.err().message
                << "\n";
      continue;
    }
    after_commit(self, b, decided.orders);
    last_was_empty = b.entries.empty();
  }
  // Equivocation goes on chain as an evidence transaction from this validator.
  for (const auto& e : out.evidence) {
    chain::evidence_body body;
    body.height = e.first.height;
    body.round = e.first.round;
    body.vote_kind = static_cast<std::uint8_t>(e.first.kind);
    body.voter = e.first.voter;
    body.nil_a = e.first.nil;
    body.value_a = e.first.value_id;
    body.sig_a = e.first.sig;
    body.nil_b = e.second.nil;
    body.value_b = e.second.value_id;
    body.sig_b = e.second.sig;
    const chain::account* mine = st.chain->state().accounts.find(st.cfg.key.pub);
    st.own_nonce = std::max(st.own_nonce, mine ? mine->nonce : 0) + 1;
    chain::transaction tx;
    tx.signer = st.cfg.key.pub;
    tx.nonce = st.own_nonce;
    tx.expiry_height = st.chain->state().height + 1'000;
    tx.body = body;
    const auto stx = chain::sign_transaction(tx, st.cfg.genesis.chain_id, st.cfg.key);
    if (st.pool.add(stx.envelope, st.chain->state())) {
      std::cerr << st.cfg.name << ": validator " << e.first.voter << " signed two votes at height " << e.first.height
                << " round " << e.first.round << "; evidence submitted\n";
      gossip(self, st.gossip_txs, as_string(stx.envelope));
    }
  }
  // Peers at older heights get the certified blocks they lack.
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [peer, height] : out.lagging) {
    if (peer >= st.peers.size() || !st.peers[peer] ||
        !st.pushes.should_push(peer, height, st.chain->state().height, now))
      continue;
    for (std::uint64_t h = height; h <= st.chain->state().height && h < height + max_blocks_per_push; ++h) {
      auto raw = st.chain->store().block_bytes(h);
      if (raw && raw.value()) self->send<urgent>(st.peers[peer], cblock_atom::value, as_string(*raw.value()));
    }
  }
  for (const auto& p : out.proposals) broadcast(self, as_string(chain::encode_consensus_message(p)));
  for (const auto& v : out.votes) {
    broadcast(self, as_string(chain::encode_consensus_message(v)));
    if (st.cfg.double_sign && v.voter == st.cfg.index && v.kind == chain::vote_kind::prevote) {
      chain::consensus_vote other = v;
      other.nil = !v.nil;
      other.value_id = v.nil ? chain::blake2b_256("equivocation/" + std::to_string(v.height)) : chain::hash256{};
      other.sig = st.crypto->sign(chain::vote_sign_bytes(other));
      broadcast(self, as_string(chain::encode_consensus_message(other)));
    }
  }
  if (out.decisions.empty()) return;
  if (st.cfg.on_demand)
    run_next(self);
  else
    pace_next_height(self, out.decisions.back().height, last_was_empty);
}

// On demand: starts the next height while the chain is below the target.
void run_next(miner_actor* self) {
  auto& st = self->state;
  if (st.chain->state().height >= st.target_height) return;
  if (!st.started) {
    st.started = true;
    handle(self, st.engine->start(st.chain->state().height + 1));
  } else if (st.engine->decided()) {
    handle(self, st.engine->advance());
  }
}

// On demand: run consensus up to `target`, blocks stamped `time_ms`,
// proposing only `selection` of the pool when given.
void step_to(miner_actor* self, std::uint64_t target, std::uint64_t time_ms,
             std::optional<std::vector<chain::hash256>> selection) {
  auto& s = self->state;
  s.selection = std::move(selection);
  s.target_height = std::max(s.target_height, target);
  s.sim_time_ms = std::max(s.sim_time_ms, time_ms);
  run_next(self);
}

void after_commit(miner_actor* self, const chain::block& b, const std::vector<chain::bytes>& carried_orders) {
  std::vector<chain::hash256> used;
  auto& recent = self->state.recent;
  if (recent.size() > 2'000'000) recent.clear();  // bounded; the store still answers
  for (std::size_t i = 0; i < b.entries.size(); ++i) {
    used.push_back(chain::entry_id(b.entries[i]));
    recent[used.back()] = {b.header.height, static_cast<std::uint32_t>(i)};
  }
  // A waiting transaction voided by the block (its nonce used by another of
  // its sender's, or expired) can never commit: its client must know.
  if (const auto voided = self->state.pool.prune(self->state.chain->state(), used); voided > 0)
    std::cerr << self->state.cfg.name << ": height " << b.header.height << " voids " << voided
              << " waiting transaction(s) (nonce used or expired)\n";
  if (self->state.desk) self->state.desk->committed(b, carried_orders);
  auto& waiters = self->state.height_waiters;
  const auto reached = waiters.upper_bound(b.header.height);
  for (auto it = waiters.begin(); it != reached; ++it) it->second.deliver(b.header.height);
  waiters.erase(waiters.begin(), reached);
}

void apply_certified(miner_actor* self, const chain::bytes& raw);

// Pulls certified blocks one by one from a peer that is ahead, until level.
// (A restarted validator may be unable to sign at its height, so it cannot
// rely on its own messages making peers notice it is behind.)
void fetch_from(miner_actor* self, const caf::actor& peer) {
  auto& st = self->state;
  if (st.fetching || !peer || st.behind_to <= st.chain->state().height) return;
  st.fetching = true;
  self->request(peer, std::chrono::seconds(5), blockreq_atom::value, st.chain->state().height + 1)
      .then(
          [self, peer](const std::string& raw) {
            self->state.fetching = false;
            if (raw.empty()) return;
            const std::uint64_t before = self->state.chain->state().height;
            apply_certified(self, as_bytes(raw));
            if (self->state.chain->state().height > before) fetch_from(self, peer);
          },
          [self](caf::error&) { self->state.fetching = false; });
}

// A certified block from a peer, for a miner that fell behind.
void apply_certified(miner_actor* self, const chain::bytes& raw) {
  auto& st = self->state;
  auto b = chain::decode_block(raw);
  if (!b || b.value().header.height != st.chain->state().height + 1) return;
  if (!chain::verify_certificate(b.value(), st.cfg.genesis.validators, st.cfg.genesis.chain_id)) return;
  if (auto s = st.chain->append(b.value(), {}); !s) {
    std::cerr << st.cfg.name << ": a certified block does not apply: " << s.err().message << "\n";
    return;
  }
  after_commit(self, b.value());
  if (st.cfg.on_demand) {
    st.started = false;  // the next step starts the engine at the new height
    run_next(self);
    return;
  }
  handle(self, st.engine->start(st.chain->state().height + 1));
}

caf::behavior miner(miner_actor* self, miner_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.pushes = chain::block_push_pacer(std::chrono::milliseconds(st.cfg.timing.gossip_ms));
  auto fail = [self](const std::string& why) {
    std::cerr << self->state.cfg.name << ": " << why << "\n";
    self->quit(caf::make_error(caf::sec::runtime_error, why));
    return caf::behavior{};
  };
  auto store = chain::open_lmdb_store(st.cfg.store_dir);
  if (!store) return fail(store.err().message);
  auto opened = chain::ledger::open(std::move(store).value(), &st.cfg.genesis);
  if (!opened) return fail(opened.err().message);
  st.chain = std::move(opened).value();
  if (st.chain->state().genesis.chain_id != st.cfg.genesis.chain_id)
    return fail("the store holds another chain");
  auto guard = chain::open_file_sign_guard(st.cfg.sign_guard_path);
  if (!guard) return fail(guard.err().message);
  st.guard = std::move(guard).value();
  st.crypto = chain::make_ed25519_consensus_crypto(st.cfg.genesis.chain_id, st.cfg.key);

  chain::engine_config ec = st.cfg.timing;
  ec.validators = st.cfg.genesis.validators;
  ec.self = st.cfg.index;
  ec.value_id = chain::block_proposal_id;
  ec.start_next_height = false;  // see pace_next_height
  if (st.cfg.grid) st.desk = std::make_unique<chain::cycle_desk>(st.cfg.genesis.chain_id, *st.cfg.grid, st.cfg.rules);
  auto source = [self](std::uint64_t) {
    check_waiting(self);  // for the next block: this one takes what is admitted
    auto& s = self->state;
    std::vector<chain::signed_transaction> txs;
    chain::cycle_batch cycles;
    if (s.desk) {
      cycles = s.desk->propose(s.chain->state(), s.cfg.key, s.own_nonce);
      txs = cycles.txs;
    }
    auto take = [&s] {
      if (!s.cfg.on_demand) return s.pool.take(s.cfg.max_block_txs);
      return s.selection ? s.pool.take_selected(*s.selection, s.cfg.max_block_txs)
                         : s.pool.take_canonical(s.cfg.max_block_txs);
    };
    auto pooled = take();
    if (s.desk) {
      const auto unfit = s.desk->unfit_grid_updates(pooled);
      if (!unfit.empty()) {
        s.pool.prune(s.chain->state(), unfit);
        pooled = take();
      }
    }
    txs.insert(txs.end(), pooled.begin(), pooled.end());
    // The block stays applied as the candidate: checking and committing it
    // need no second execution.
    auto built = s.chain->build(txs, s.cfg.on_demand ? s.sim_time_ms : now_ms(), s.cfg.key.pub);
    // What the current state refuses (e.g. evidence another validator already
    // recorded) leaves the pool rather than being proposed again.
    std::vector<chain::hash256> refused;
    for (const auto& [id, why] : built.rejected) refused.push_back(id);
    if (!refused.empty())
      std::cerr << s.cfg.name << ": block " << built.blk.header.height << " leaves out " << refused.size()
                << " transaction(s), e.g. " << built.rejected.front().second.message << "\n";
    s.pool.drop(refused);
    std::vector<chain::bytes> ercs;
    for (const auto& e : built.ercs) ercs.push_back(e.envelope);
    // Carry the orders of every cycle whose three transactions made it in.
    const auto& after = s.chain->candidate_state();
    std::vector<chain::bytes> orders;
    for (const auto& [cycle, envelopes] : cycles.orders)
      if (after.dues_recorded.find(cycle)) orders.insert(orders.end(), envelopes.begin(), envelopes.end());
    auto value = chain::encode_block_proposal(built.blk, ercs, orders);
    s.own_proposal = miner_state::proposal{std::move(built.blk), std::move(built.ercs), std::move(orders)};
    return value;
  };
  auto check = [self](std::uint64_t height, const chain::bytes& value) {
    auto p = chain::decode_block_proposal(value);
    if (!p || p.value().blk.header.height != height) return false;
    auto& s = self->state;
    // Our own proposal, or one checked already at this head.
    if (s.chain->is_candidate(p.value().blk.hash)) return true;
    std::vector<chain::signed_transaction> ercs;
    for (const auto& e : p.value().ercs) {
      auto stx = chain::decode_envelope(e);
      if (!stx) return false;
      ercs.push_back(std::move(stx).value());
    }
    if (s.desk) {
      if (auto why = s.desk->check(p.value().blk, p.value().orders, s.chain->state()); !why.empty()) {
        std::cerr << s.cfg.name << ": refusing block " << height << ": " << why << "\n";
        return false;
      }
    } else if (!p.value().orders.empty()) {
      return false;  // cannot check a clearing without the grid
    }
    return s.chain->try_block(p.value().blk, ercs, strict()).ok();
  };
  st.engine = std::make_unique<chain::consensus_engine>(ec, *st.crypto, *st.guard, source, check);
  // The checker tells this actor (if it is still there) that batches are done.
  st.checker = std::make_unique<chain::envelope_checker>(
      st.cfg.genesis.chain_id,
      [me = self->address()] {
        if (auto miner = caf::actor_cast<caf::actor>(me)) caf::anon_send(miner, checked_atom::value);
      },
      st.cfg.checks_on_own_thread);
  if (!st.cfg.on_demand) {
    st.started = true;
    handle(self, st.engine->start(st.chain->state().height + 1));
  }
  // On exit, drop every handle to other actors first: miners refer to each
  // other, and CAF 0.17 destroys a stateful actor only when no handle is left.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.peers.clear();
    self->quit(msg.reason);
  });

  return {
      [self](tx_atom, const std::string& envelope) {
        return wait_for_admission(self, self->state.waiting_txs, envelope);
      },
      [self](txs_atom, const std::vector<std::string>& envelopes) -> caf::result<std::vector<std::string>> {
        if (envelopes.size() > max_client_batch)
          return std::vector<std::string>(envelopes.size(), "batch-too-large: more than " +
                                                                std::to_string(max_client_batch) + " envelopes");
        check_waiting(self);  // single envelopes that came first go first
        auto verdicts = self->make_response_promise<std::vector<std::string>>();
        submit_for_check(self, chain::envelope_checker::kind::transactions, as_batch(envelopes),
                         miner_state::in_check{{}, verdicts, false});
        if (envelopes.empty()) verdicts.deliver(std::vector<std::string>{});
        return verdicts;
      },
      [self](admit_atom) { check_waiting(self); },
      [self](checked_atom) { admit_checked(self); },
      [self](advance_atom, std::uint64_t decided) { advance_from(self, decided); },
      [self](txgossip_atom, const std::vector<std::string>& envelopes) {
        submit_for_check(self, chain::envelope_checker::kind::transactions, as_batch(envelopes),
                         miner_state::in_check{{}, std::nullopt, true});
      },
      [self](gflush_atom) {
        self->state.gossip_flush_due = false;
        flush_gossip(self);
      },
      [self](peers_atom, const std::vector<caf::actor>& peers) {
        self->state.peers = peers;
        // Never hold a strong reference to ourselves: the actor would never be destroyed.
        if (self->state.cfg.index < self->state.peers.size()) self->state.peers[self->state.cfg.index] = caf::actor{};
      },
      [self](cons_atom, const std::string& raw) {
        auto m = chain::decode_consensus_message(as_bytes(raw));
        if (!m) return;  // malformed: dropped (the engine would refuse it anyway)
        // A peer already at the next height: follow it.
        const std::uint64_t at = std::visit([](const auto& x) { return x.height; }, m.value());
        if (at > self->state.chain->state().height) wake(self);
        auto& engine = *self->state.engine;
        chain::engine_output out;
        if (auto* p = std::get_if<chain::consensus_proposal>(&m.value())) out = engine.on_proposal(*p);
        else if (auto* v = std::get_if<chain::consensus_vote>(&m.value())) out = engine.on_vote(*v);
        else out = engine.on_commit(std::get<chain::commit_record>(m.value()));
        const std::uint64_t ahead = out.behind_to;
        handle(self, std::move(out));
        if (ahead > self->state.chain->state().height + 1) {
          self->state.behind_to = std::max(self->state.behind_to, ahead - 1);
          fetch_from(self, caf::actor_cast<caf::actor>(self->current_sender()));
        }
      },
      [self](tick_atom, std::uint8_t kind, std::uint64_t height, std::uint32_t round) {
        chain::timeout_request t;
        t.kind = static_cast<chain::timer>(kind);
        t.height = height;
        t.round = round;
        auto& engine = *self->state.engine;
        const std::uint32_t round_before = engine.round();
        auto out = engine.on_timeout(t);
        // Rounds past the third at one height mean lost messages, a silent
        // proposer or split locks: say where this validator stands.
        if (engine.round() > round_before && engine.round() >= 3 && !engine.decided())
          std::cerr << self->state.cfg.name << ": height " << engine.height() << " reaches round " << engine.round()
                    << ": " << engine.describe() << "\n";
        handle(self, std::move(out));
      },
      [self](cblock_atom, const std::string& raw) { apply_certified(self, as_bytes(raw)); },
      [self](blockreq_atom, std::uint64_t height) -> std::string {
        auto raw = self->state.chain->store().block_bytes(height);
        return raw && raw.value() ? as_string(*raw.value()) : std::string{};
      },
      [self](head_atom) -> std::tuple<std::uint64_t, std::string> {
        const auto& s = self->state.chain->state();
        return std::make_tuple(s.height, chain::to_hex(s.head_hash));
      },
      // A block proposed on demand holds what was received before the step
      // (and the closes before it): the same chain in every run.
      [self](step_atom, std::uint64_t target, std::uint64_t time_ms) {
        once_admitted(self, [self, target, time_ms] { step_to(self, target, time_ms, std::nullopt); });
      },
      [self](step_atom, std::uint64_t target, std::uint64_t time_ms, const std::vector<std::string>& only) {
        std::vector<chain::hash256> ids;
        ids.reserve(only.size());
        for (const auto& hex : only)
          if (chain::hash256 id{}; chain::from_hex(hex, id)) ids.push_back(id);
        once_admitted(self, [self, target, time_ms, ids = std::move(ids)]() mutable {
          step_to(self, target, time_ms, std::move(ids));
        });
      },
      [self](reached_atom, std::uint64_t height) -> caf::result<std::uint64_t> {
        auto& s = self->state;
        if (s.chain->state().height >= height) return s.chain->state().height;
        auto promise = self->make_response_promise<std::uint64_t>();
        s.height_waiters.emplace(height, promise);
        return promise;
      },
      [self](pooled_atom, const std::vector<std::string>& ids) -> caf::result<std::uint64_t> {
        // Answered once what was received before the question is admitted.
        auto held = self->make_response_promise<std::uint64_t>();
        once_admitted(self, [self, held, ids]() mutable {
          std::uint64_t n = 0;
          for (const auto& hex : ids) {
            chain::hash256 id{};
            if (!chain::from_hex(hex, id)) continue;
            if (self->state.pool.contains(id) || self->state.locate(id)) ++n;
          }
          held.deliver(n);
        });
        return held;
      },
      [self](peercount_atom) -> std::uint64_t {
        std::uint64_t n = 0;
        for (const auto& p : self->state.peers) n += static_cast<bool>(p);
        return n;
      },
      [self](progress_atom, std::uint64_t market) -> std::uint64_t {
        std::uint64_t last = 0;
        for (const auto& [key, root] : self->state.chain->state().order_roots.items())
          if (key.first == market) last = std::max(last, key.second);
        return last;
      },
      [self](balances_atom, const std::vector<std::string>& keys) -> std::string {
        // Decimal text: a vector of integers is not a type CAF 0.17 sends between nodes unannounced.
        std::string out;
        for (const auto& hex : keys) {
          chain::public_key k{};
          const chain::account* a = chain::from_hex(hex, k) ? self->state.chain->state().accounts.find(k) : nullptr;
          out += std::to_string(a ? a->balance_uc : 0) + " " + std::to_string(a ? a->held_uc : 0) + " ";
        }
        return out;
      },
      [self](expired_atom) -> std::vector<std::string> {
        const auto& head = self->state.chain->state();
        std::set<chain::public_key, chain::key_less> buyers;
        for (const auto& [id, c] : head.ctps.items())
          if (c.expiry_height < head.height) buyers.insert(c.buyer);
        std::vector<std::string> out;
        for (const auto& b : buyers) out.push_back(chain::to_hex(b));
        return out;
      },
      [self](openctps_atom) -> std::tuple<std::uint64_t, std::uint64_t> {
        std::uint64_t last = 0;
        const auto& ctps = self->state.chain->state().ctps.items();
        for (const auto& [id, c] : ctps) last = std::max(last, c.expiry_height);
        return {ctps.size(), last};
      },
      [self](committed_atom, const std::vector<std::string>& ids) -> std::vector<std::string> {
        std::vector<std::string> missing;
        for (const auto& hex : ids) {
          chain::hash256 id{};
          if (!chain::from_hex(hex, id) || !self->state.locate(id)) missing.push_back(hex);
        }
        return missing;
      },
      [self](ordcount_atom, std::uint64_t first, std::uint64_t end, std::uint64_t cycle) -> caf::result<std::string> {
        if (end - first > max_markets_per_query) return std::string{};  // none, as for cycleq
        // Counted once the orders received before the question are admitted.
        auto counts = self->make_response_promise<std::string>();
        once_admitted(self, [self, counts, first, end, cycle]() mutable {
          std::string text;
          for (std::uint64_t market = first; market < end; ++market)
            text += std::to_string(self->state.desk ? self->state.desk->open_orders({market, cycle}) : 0) + " ";
          counts.deliver(text);
        });
        return counts;
      },
      [self](order_atom, const std::string& envelope) {
        return wait_for_admission(self, self->state.waiting_orders, envelope);
      },
      [self](ordgossip_atom, const std::vector<std::string>& envelopes) {
        submit_for_check(self, chain::envelope_checker::kind::orders, as_batch(envelopes),
                         miner_state::in_check{{}, std::nullopt, true});
      },
      [self](close_atom, std::uint64_t market, std::uint64_t cycle) {
        // Orders received before the close belong to the cycle.
        once_admitted(self, [self, market, cycle] {
          if (self->state.desk) self->state.desk->close({market, cycle});
          wake(self);
        });
      },
      [self](cycleq_atom, std::uint64_t first, std::uint64_t end,
             std::uint64_t cycle) -> std::tuple<bool, std::vector<std::string>, std::string> {
        std::vector<std::string> out;
        std::string counts;
        if (end - first > max_markets_per_query) return {false, out, counts};
        for (std::uint64_t market = first; market < end; ++market) {
          const auto* fixed = self->state.desk ? self->state.desk->fixed_orders({market, cycle}) : nullptr;
          if (!fixed || !self->state.chain->state().dues_recorded.find({market, cycle})) return {false, {}, {}};
          for (const auto& e : *fixed) out.push_back(as_string(e));
          counts += std::to_string(fixed->size()) + " ";
        }
        return {true, out, counts};
      },
      [self](headnonce_atom, const std::string& key_hex) -> std::tuple<std::uint64_t, std::uint64_t> {
        const auto& head = self->state.chain->state();
        chain::public_key k{};
        const chain::account* a = chain::from_hex(key_hex, k) ? head.accounts.find(k) : nullptr;
        return {head.height, a ? a->nonce : 0};
      },
      [self](account_atom, const std::string& key_hex) -> std::tuple<std::int64_t, std::int64_t, std::uint64_t> {
        chain::public_key k{};
        if (!chain::from_hex(key_hex, k)) return {0, 0, 0};
        const chain::account* a = self->state.chain->state().accounts.find(k);
        return a ? std::make_tuple(a->balance_uc, a->held_uc, a->nonce) : std::make_tuple(std::int64_t{0}, std::int64_t{0}, std::uint64_t{0});
      },
      [self](ctps_atom, const std::string& buyer_hex) -> std::vector<std::string> {
        std::vector<std::string> out;
        chain::public_key buyer{};
        if (!chain::from_hex(buyer_hex, buyer)) return out;
        auto& s = self->state;
        const auto& ctps = s.chain->state().ctps;
        if (s.ctps_indexed_at != s.chain->state().height) {
          s.ctps_by_buyer.clear();
          for (const auto& [id, c] : ctps.items()) s.ctps_by_buyer[c.buyer].push_back(id);
          s.ctps_indexed_at = s.chain->state().height;
        }
        auto it = s.ctps_by_buyer.find(buyer);
        if (it == s.ctps_by_buyer.end()) return out;
        for (auto id : it->second) {
          const chain::ctp_record* c = ctps.find(id);
          if (!c) continue;
          out.push_back(std::to_string(id) + " " + chain::to_hex(c->producer) + " " + std::to_string(c->expiry_height) +
                        " " + std::to_string(c->amount_uc));
        }
        return out;
      },
      [self](txfind_atom, const std::string& id_hex) -> std::tuple<std::uint64_t, std::uint32_t> {
        chain::hash256 id{};
        if (!chain::from_hex(id_hex, id)) return std::make_tuple(std::uint64_t{0}, std::uint32_t{0});
        auto loc = self->state.locate(id);
        if (!loc) return std::make_tuple(std::uint64_t{0}, std::uint32_t{0});
        return std::make_tuple(loc->height, loc->index);
      },
  };
}

}  // namespace

caf::actor spawn_miner(caf::actor_system& system, const miner_config& config) {
  return system.spawn<caf::detached>(miner, config);
}

}  // namespace voltaic::agents
