// node::validator: opening, admission, gossip batching and deferred work.
#include "voltaic/chain/node/validator.hpp"

#include <algorithm>
#include <iterator>


namespace voltaic::chain::node {

namespace {

// Gossip leaves in batches: one message per envelope per peer cost more than
// checking the envelope. A batch waits at most gossip_delay_ms.
constexpr std::size_t gossip_batch = 1'024;
// Transactions and messages wait for the rest of the mailbox (at most this
// many), then go to the envelope checker as one batch.
constexpr std::size_t admit_batch = 256;

}  // namespace

validator::validator(validator_config cfg, std::unique_ptr<application> app)
    : cfg_(std::move(cfg)), app_(std::move(app)) {}

validator::~validator() = default;

result<std::unique_ptr<validator>> validator::open(validator_config cfg, std::unique_ptr<application> app,
                                                   std::function<void()> on_checked) {
  std::unique_ptr<validator> v(new validator(std::move(cfg), std::move(app)));
  auto& c = v->cfg_;
  v->pushes_ = block_push_pacer(std::chrono::milliseconds(c.timing.gossip_ms));
  auto guard = open_file_sign_guard(c.sign_guard_path);
  if (!guard) return guard.err();
  // A validator signs at most one height past its chain's head: a guard
  // further ahead belongs to another chain or a newer store, and would keep
  // this validator from ever signing again without saying so.
  if (const auto last = guard.value()->last_signed(); last && last->height > v->app_->height() + 1)
    return market::make_error(
        market::errc::malformed_file,
        "sign-guard: " + c.sign_guard_path + " records a signature at height " + std::to_string(last->height) +
            " but this validator's chain is at height " + std::to_string(v->app_->height()) +
            ": the guard belongs to another chain or a newer copy of this store; bring the store up to height " +
            std::to_string(last->height - 1) + " (copy a peer's) or, if the guard is another chain's, move it aside");
  v->guard_ = std::move(guard).value();
  v->crypto_ = make_ed25519_consensus_crypto(c.chain_id, c.key);

  engine_config ec = c.timing;
  ec.validators = c.validators;
  ec.self = c.index;
  application* a = v->app_.get();
  ec.value_id = [a](const bytes& value) { return a->value_id(value); };
  ec.start_next_height = false;  // see pace_next_height
  validator* self = v.get();
  v->engine_ = std::make_unique<consensus_engine>(
      ec, *v->crypto_, *v->guard_, [self](std::uint64_t height) { return self->build_proposal(height); },
      [a](std::uint64_t height, const bytes& value) { return a->process_proposal(height, value); });
  v->checker_ = std::make_unique<envelope_checker>(
      [a](admission_batch& b, std::size_t i) { a->check(b, i); }, std::move(on_checked), c.checks_on_own_thread);
  return v;
}

// The output so far, with what the application had to say.
validator_output validator::take() {
  for (auto& line : app_->take_log()) out_.log.push_back(std::move(line));
  return std::exchange(out_, {});
}

validator_output validator::start() {
  if (!cfg_.on_demand && !started_) {
    started_ = true;
    handle(engine_->start(app_->height() + 1));
  }
  return take();
}

void validator::set_peers(std::vector<bool> connected) {
  peers_ = std::move(connected);
  if (cfg_.index < peers_.size()) peers_[cfg_.index] = false;
}

validator_output validator::set_absent(const std::vector<bool>& absent) {
  for (std::uint32_t i = 0; i < absent.size(); ++i)
    if (i != cfg_.index) handle(engine_->set_absent(i, absent[i]));
  return take();
}

bool validator::has_peers() const { return std::find(peers_.begin(), peers_.end(), true) != peers_.end(); }

std::uint64_t validator::connected_peers() const {
  return static_cast<std::uint64_t>(std::count(peers_.begin(), peers_.end(), true));
}

// --- admission

void validator::queue_for_admission(lane what, ticket t, bytes envelope) {
  auto& queue = what == lane::transactions ? waiting_txs_ : waiting_messages_;
  queue.envelopes.push_back(std::move(envelope));
  queue.verdicts.push_back(t);
  if (waiting_txs_.envelopes.size() + waiting_messages_.envelopes.size() >= admit_batch) {
    check_waiting();
  } else if (!admission_due_) {
    admission_due_ = true;
    out_.schedule_admission = true;  // after what is in the mailbox now
  }
}

validator_output validator::submit_tx(ticket t, bytes envelope) {
  queue_for_admission(lane::transactions, t, std::move(envelope));
  return take();
}

validator_output validator::submit_message(ticket t, bytes envelope) {
  queue_for_admission(lane::messages, t, std::move(envelope));
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
  submit_for_check(lane::transactions, std::move(envelopes), in_check{{}, t, false});
  return take();
}

validator_output validator::gossip_in(lane what, std::vector<bytes> envelopes) {
  submit_for_check(what, std::move(envelopes), in_check{{}, std::nullopt, true});
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
  for (auto [queue, what] : {std::make_pair(&waiting_txs_, lane::transactions),
                             std::make_pair(&waiting_messages_, lane::messages)}) {
    auto q = std::exchange(*queue, {});
    submit_for_check(what, std::move(q.envelopes), in_check{std::move(q.verdicts), std::nullopt, false});
  }
}

// Hands a batch to the checker; `who` learns the verdicts once it is admitted.
void validator::submit_for_check(lane what, std::vector<bytes> envelopes, in_check who) {
  if (envelopes.empty()) return;
  auto b = std::make_unique<admission_batch>();
  b->what = what;
  b->envelopes = std::move(envelopes);
  app_->prepare_check(*b);
  checking_.push_back(std::move(who));
  ++batches_submitted_;
  checker_->submit(std::move(b));
  if (!cfg_.checks_on_own_thread) admit_checked();  // checked already
}

// Admits the batches the checker is done with, in the order they were
// submitted, answers whoever waits for them, and runs what waited for them.
void validator::admit_checked() {
  for (auto& b : checker_->take_checked()) {
    auto who = std::move(checking_.front());
    checking_.pop_front();
    auto verdicts = app_->admit(*b);
    // What was admitted here goes on to the peers.
    if (!who.from_peer && has_peers())
      for (std::size_t i = 0; i < b->envelopes.size(); ++i)
        if (verdicts[i] == "ok") gossip(b->what, std::move(b->envelopes[i]));
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

void validator::gossip(lane what, bytes envelope) {
  (what == lane::transactions ? gossip_txs_ : gossip_messages_).push_back(std::move(envelope));
  if (gossip_txs_.size() + gossip_messages_.size() >= gossip_batch) {
    move_gossip_out();
  } else if (!gossip_flush_due_) {
    gossip_flush_due_ = true;
    out_.schedule_gossip_flush = true;
  }
}

void validator::move_gossip_out() {
  if (!has_peers()) {
    gossip_txs_.clear();
    gossip_messages_.clear();
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
  append(out_.gossip_messages, gossip_messages_);
}

validator_output validator::flush_gossip() {
  gossip_flush_due_ = false;
  move_gossip_out();
  return take();
}

// --- deferred work and the simulated clock

validator_output validator::when_admitted(std::function<void()> f, bool then_wake) {
  once_admitted([this, f = std::move(f), then_wake] {
    f();
    if (then_wake) wake();
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
  if (const std::uint64_t now = app_->height(); now >= height) {
    out_.reached.emplace_back(t, now);
  } else {
    height_waiters_.emplace(height, t);
  }
  return take();
}

validator_output validator::count_pooled(ticket t, std::vector<hash256> ids) {
  once_admitted([this, t, ids = std::move(ids)] {
    std::uint64_t n = 0;
    for (const auto& id : ids)
      if (app_->pooled(id) || locate(id)) ++n;
    out_.counts.emplace_back(t, n);
  });
  return take();
}

std::optional<tx_location> validator::locate(const hash256& id) {
  if (auto it = recent_.find(id); it != recent_.end()) return it->second;
  return app_->find_entry(id);
}

}  // namespace voltaic::chain::node
