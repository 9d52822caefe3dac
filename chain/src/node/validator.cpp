// node::validator: opening, admission and gossip batching.
#include "voltaic/chain/node/validator.hpp"

#include <algorithm>
#include <iterator>

#include "voltaic/chain/certificate.hpp"
#include "voltaic/chain/lmdb_store.hpp"

namespace voltaic::chain::node {

namespace {

// Gossip leaves in batches: one message per envelope per peer cost more than
// checking the envelope. A batch waits at most gossip_delay_ms.
constexpr std::size_t gossip_batch = 1'024;
// Transactions and orders wait for the rest of the mailbox (at most this
// many), then go to the envelope checker as one batch.
constexpr std::size_t admit_batch = 256;

}  // namespace

validator::validator(validator_config cfg) : cfg_(std::move(cfg)) {}

validator::~validator() = default;

result<std::unique_ptr<validator>> validator::open(validator_config cfg, std::function<void()> on_checked) {
  std::unique_ptr<validator> v(new validator(std::move(cfg)));
  auto& c = v->cfg_;
  v->pushes_ = block_push_pacer(std::chrono::milliseconds(c.timing.gossip_ms));
  auto store = open_lmdb_store(c.store_dir);
  if (!store) return store.err();
  auto opened = ledger::open(std::move(store).value(), &c.genesis);
  if (!opened) return opened.err();
  v->ledger_ = std::move(opened).value();
  if (v->ledger_->state().genesis.chain_id != c.genesis.chain_id)
    return chain_error("wrong-chain", "the store at " + c.store_dir + " holds another chain");
  auto guard = open_file_sign_guard(c.sign_guard_path);
  if (!guard) return guard.err();
  v->guard_ = std::move(guard).value();
  v->crypto_ = make_ed25519_consensus_crypto(c.genesis.chain_id, c.key);

  engine_config ec = c.timing;
  ec.validators = c.genesis.validators;
  ec.self = c.index;
  ec.value_id = block_proposal_id;
  ec.start_next_height = false;  // see pace_next_height
  if (c.grid) v->desk_ = std::make_unique<cycle_desk>(c.genesis.chain_id, *c.grid, c.rules);
  validator* self = v.get();
  v->engine_ = std::make_unique<consensus_engine>(
      ec, *v->crypto_, *v->guard_, [self](std::uint64_t) { return self->build_proposal(); },
      [self](std::uint64_t height, const bytes& value) { return self->check_proposal(height, value); });
  v->checker_ = std::make_unique<envelope_checker>(c.genesis.chain_id, std::move(on_checked), c.checks_on_own_thread);
  return v;
}

validator_output validator::start() {
  if (!cfg_.on_demand && !started_) {
    started_ = true;
    handle(engine_->start(ledger_->state().height + 1));
  }
  return take();
}

void validator::set_peers(std::vector<bool> connected) {
  peers_ = std::move(connected);
  if (cfg_.index < peers_.size()) peers_[cfg_.index] = false;
}

bool validator::has_peers() const { return std::find(peers_.begin(), peers_.end(), true) != peers_.end(); }

std::uint64_t validator::connected_peers() const {
  return static_cast<std::uint64_t>(std::count(peers_.begin(), peers_.end(), true));
}

// --- admission

void validator::queue_for_admission(admission_queue& queue, ticket t, bytes envelope) {
  queue.envelopes.push_back(std::move(envelope));
  queue.verdicts.push_back(t);
  if (waiting_txs_.envelopes.size() + waiting_orders_.envelopes.size() >= admit_batch) {
    check_waiting();
  } else if (!admission_due_) {
    admission_due_ = true;
    out_.schedule_admission = true;  // after what is in the mailbox now
  }
}

validator_output validator::submit_tx(ticket t, bytes envelope) {
  queue_for_admission(waiting_txs_, t, std::move(envelope));
  return take();
}

validator_output validator::submit_order(ticket t, bytes envelope) {
  queue_for_admission(waiting_orders_, t, std::move(envelope));
  return take();
}

validator_output validator::submit_tx_batch(ticket t, std::vector<bytes> envelopes) {
  if (envelopes.size() > max_client_batch) {
    out_.batch_verdicts.emplace_back(
        t, std::vector<std::string>(envelopes.size(), "batch-too-large: more than " +
                                                          std::to_string(max_client_batch) + " envelopes"));
    return take();
  }
  check_waiting();  // single envelopes that came first go first
  if (envelopes.empty()) {
    out_.batch_verdicts.emplace_back(t, std::vector<std::string>{});
    return take();
  }
  submit_for_check(envelope_checker::kind::transactions, std::move(envelopes), in_check{{}, t, false});
  return take();
}

validator_output validator::gossip_txs_in(std::vector<bytes> envelopes) {
  submit_for_check(envelope_checker::kind::transactions, std::move(envelopes), in_check{{}, std::nullopt, true});
  return take();
}

validator_output validator::gossip_orders_in(std::vector<bytes> envelopes) {
  submit_for_check(envelope_checker::kind::orders, std::move(envelopes), in_check{{}, std::nullopt, true});
  return take();
}

validator_output validator::admit_waiting() {
  check_waiting();
  return take();
}

validator_output validator::on_checked() {
  admit_checked();
  return take();
}

// Sends what waits for admission to the checker.
void validator::check_waiting() {
  admission_due_ = false;
  using kind = envelope_checker::kind;
  for (auto [queue, what] : {std::make_pair(&waiting_txs_, kind::transactions),
                             std::make_pair(&waiting_orders_, kind::orders)}) {
    auto q = std::exchange(*queue, {});
    submit_for_check(what, std::move(q.envelopes), in_check{std::move(q.verdicts), std::nullopt, false});
  }
}

// Hands a batch to the checker; `who` learns the verdicts once it is admitted.
void validator::submit_for_check(envelope_checker::kind what, std::vector<bytes> envelopes, in_check who) {
  if (envelopes.empty()) return;
  auto b = std::make_unique<envelope_checker::batch>();
  b->what = what;
  b->envelopes = std::move(envelopes);
  if (what == envelope_checker::kind::orders) {
    if (desk_) b->known = desk_->verified_orders();
  } else {
    const auto memo = ledger_->state().verified;  // shared by the head and its successors
    b->known = std::shared_ptr<const verified_set>(memo, &memo->transactions);
  }
  checking_.push_back(std::move(who));
  ++batches_submitted_;
  checker_->submit(std::move(b));
  if (!cfg_.checks_on_own_thread) admit_checked();  // checked already
}

// A checked batch of transactions, admitted against the head state in
// order. Returns each one's verdict ("ok" or why not).
std::vector<std::string> validator::admit_txs(envelope_checker::batch& b) {
  const auto& head = ledger_->state();
  std::vector<std::string> verdicts;
  for (std::size_t i = 0; i < b.envelopes.size(); ++i) {
    auto& c = b.transactions[i];
    remember_checked(head, c);
    // What does not decode takes the envelope path, for its exact refusal.
    const auto r = c.tx ? pool_.add(std::move(*c.tx), head) : pool_.add(b.envelopes[i], head);
    verdicts.push_back(r ? std::string("ok") : r.err().message);
  }
  return verdicts;
}

std::vector<std::string> validator::admit_orders(envelope_checker::batch& b) {
  if (!desk_) return std::vector<std::string>(b.envelopes.size(), "no-market");
  std::vector<std::string> verdicts;
  for (std::size_t i = 0; i < b.envelopes.size(); ++i)
    verdicts.push_back(desk_->admit_checked(b.envelopes[i], std::move(b.orders[i]), ledger_->state()));
  return verdicts;
}

// Admits the batches the checker is done with, in the order they were
// submitted, answers whoever waits for them, and runs what waited for them.
void validator::admit_checked() {
  for (auto& b : checker_->take_checked()) {
    auto who = std::move(checking_.front());
    checking_.pop_front();
    const bool txs = b->what == envelope_checker::kind::transactions;
    auto verdicts = txs ? admit_txs(*b) : admit_orders(*b);
    if (!who.from_peer) pass_on(b->envelopes, verdicts, txs ? gossip_txs_ : gossip_orders_);
    for (std::size_t i = 0; i < who.verdicts.size(); ++i) out_.verdicts.emplace_back(who.verdicts[i], verdicts[i]);
    if (who.batch) out_.batch_verdicts.emplace_back(*who.batch, std::move(verdicts));
    ++batches_admitted_;
  }
  auto due = std::stable_partition(after_admission_.begin(), after_admission_.end(),
                                   [this](const auto& w) { return w.first <= batches_admitted_; });
  auto ready = std::vector<std::pair<std::uint64_t, std::function<void()>>>(
      std::make_move_iterator(after_admission_.begin()), std::make_move_iterator(due));
  after_admission_.erase(after_admission_.begin(), due);
  for (auto& w : ready) w.second();
  wake();
}

// Runs f once everything received so far is admitted: at once when nothing
// is waiting or at the checker.
void validator::once_admitted(std::function<void()> f) {
  check_waiting();
  if (batches_admitted_ == batches_submitted_) {
    f();
    return;
  }
  after_admission_.emplace_back(batches_submitted_, std::move(f));
}

// --- gossip

void validator::pass_on(const std::vector<bytes>& envelopes, const std::vector<std::string>& verdicts,
                        std::vector<bytes>& outbox) {
  if (!has_peers()) return;
  for (std::size_t i = 0; i < envelopes.size(); ++i)
    if (verdicts[i] == "ok") gossip(outbox, envelopes[i]);
}

void validator::gossip(std::vector<bytes>& outbox, bytes envelope) {
  outbox.push_back(std::move(envelope));
  if (gossip_txs_.size() + gossip_orders_.size() >= gossip_batch) {
    move_gossip_out();
  } else if (!gossip_flush_due_) {
    gossip_flush_due_ = true;
    out_.schedule_gossip_flush = true;
  }
}

void validator::move_gossip_out() {
  if (!has_peers()) {
    gossip_txs_.clear();
    gossip_orders_.clear();
    return;
  }
  auto append = [](std::vector<bytes>& to, std::vector<bytes>& from) {
    if (to.empty()) {
      to = std::move(from);
    } else {
      to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    }
    from.clear();
  };
  append(out_.gossip_txs, gossip_txs_);
  append(out_.gossip_orders, gossip_orders_);
}

validator_output validator::flush_gossip() {
  gossip_flush_due_ = false;
  move_gossip_out();
  return take();
}

// --- deferred work of the trading cycle and the simulated clock

validator_output validator::close(const cycle_key& cycle) {
  // Orders received before the close belong to the cycle.
  once_admitted([this, cycle] {
    if (desk_) desk_->close(cycle);
    wake();
  });
  return take();
}

// A block proposed on demand holds what was received before the step (and
// the closes before it): the same chain in every run.
validator_output validator::step(std::uint64_t target, std::uint64_t time_ms,
                                 std::optional<std::vector<hash256>> selection) {
  once_admitted([this, target, time_ms, selection = std::move(selection)]() mutable {
    selection_ = std::move(selection);
    target_height_ = std::max(target_height_, target);
    sim_time_ms_ = std::max(sim_time_ms_, time_ms);
    run_next();
  });
  return take();
}

validator_output validator::when_reached(ticket t, std::uint64_t height) {
  if (ledger_->state().height >= height) {
    out_.reached.emplace_back(t, ledger_->state().height);
  } else {
    height_waiters_.emplace(height, t);
  }
  return take();
}

validator_output validator::count_pooled(ticket t, std::vector<hash256> ids) {
  once_admitted([this, t, ids = std::move(ids)] {
    std::uint64_t n = 0;
    for (const auto& id : ids)
      if (pool_.contains(id) || locate(id)) ++n;
    out_.counts.emplace_back(t, n);
  });
  return take();
}

validator_output validator::count_open_orders(ticket t, std::uint64_t first, std::uint64_t end, std::uint64_t cycle) {
  if (end < first || end - first > max_markets_per_query) {
    out_.order_counts.emplace_back(t, std::vector<std::uint64_t>{});
    return take();
  }
  once_admitted([this, t, first, end, cycle] {
    std::vector<std::uint64_t> counts;
    for (std::uint64_t market = first; market < end; ++market)
      counts.push_back(desk_ ? desk_->open_orders({market, cycle}) : 0);
    out_.order_counts.emplace_back(t, std::move(counts));
  });
  return take();
}

}  // namespace voltaic::chain::node
