// node::validator: consensus, proposals, commits, catch-up and pacing.
#include <algorithm>
#include <chrono>

#include "voltaic/chain/node/certificate.hpp"
#include "voltaic/chain/node/consensus_codec.hpp"
#include "voltaic/chain/node/validator.hpp"

namespace voltaic::chain::node {

namespace {

constexpr std::uint64_t max_blocks_per_push = 64;  // certified blocks sent to a lagging peer at once
constexpr std::size_t max_recent_entries = 2'000'000;  // bounded; the store still answers

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

std::uint64_t validator::block_time_ms() const { return cfg_.on_demand ? sim_time_ms_ : wall_ms(); }

validator_output validator::on_consensus(const bytes& raw) {
  auto m = decode_consensus_message(raw);
  if (!m) return take();  // malformed: dropped (the engine would refuse it anyway)
  // A peer already at the next height: follow it.
  const std::uint64_t at = std::visit([](const auto& x) { return x.height; }, m.value());
  if (at > app_->height()) wake();
  engine_output out;
  if (auto* p = std::get_if<consensus_proposal>(&m.value())) {
    out = engine_->on_proposal(*p);
  } else if (auto* v = std::get_if<consensus_vote>(&m.value())) {
    out = engine_->on_vote(*v);
  } else {
    out = engine_->on_commit(std::get<commit_record>(m.value()));
  }
  const std::uint64_t ahead = out.behind_to;
  handle(std::move(out));
  if (ahead > app_->height() + 1) {
    behind_to_ = std::max(behind_to_, ahead - 1);
    request_next_block();
  }
  return take();
}

validator_output validator::on_timeout(const timeout_request& t) {
  const std::uint32_t round_before = engine_->round();
  auto out = engine_->on_timeout(t);
  // Rounds past the third at one height mean lost messages, a silent
  // proposer or split locks: say where this validator stands.
  if (engine_->round() > round_before && engine_->round() >= 3 && !engine_->decided())
    out_.log.push_back("height " + std::to_string(engine_->height()) + " reaches round " +
                       std::to_string(engine_->round()) + ": " + engine_->describe());
  handle(std::move(out));
  return take();
}

void validator::handle(engine_output out) {
  if (const auto why = guard_->failure(); !why.empty() && out_.fatal.empty()) out_.fatal = why;
  out_.timeouts.insert(out_.timeouts.end(), out.timeouts.begin(), out.timeouts.end());
  bool last_was_empty = false;
  for (const auto& c : out.decisions) commit_decision(c, last_was_empty);
  // Equivocation goes to the application, which records it as it must.
  for (const auto& e : out.evidence)
    if (auto envelope = app_->report_equivocation(e)) gossip(lane::transactions, std::move(*envelope));
  push_to_laggards(out.lagging);
  for (const auto& p : out.proposals) out_.broadcasts.push_back(encode_consensus_message(p));
  for (const auto& v : out.votes) {
    out_.broadcasts.push_back(encode_consensus_message(v));
    if (cfg_.double_sign && v.voter == cfg_.index && v.kind == vote_kind::prevote) {
      consensus_vote other = v;
      other.nil = !v.nil;
      other.value_id = v.nil ? blake2b_256("equivocation/" + std::to_string(v.height)) : hash256{};
      other.sig = crypto_->sign(vote_sign_bytes(other));
      out_.broadcasts.push_back(encode_consensus_message(other));
    }
  }
  if (out.decisions.empty()) return;
  if (cfg_.on_demand) {
    run_next();
  } else {
    pace_next_height(out.decisions.back().height, last_was_empty);
  }
}

void validator::commit_decision(const commit_record& c, bool& was_empty) {
  auto done = app_->commit(c);
  if (!done) {
    out_.log.push_back(done.err().message);
    if (done.err().message.find("store-full") != std::string::npos && out_.fatal.empty())
      out_.fatal = done.err().message;
    return;
  }
  after_commit(done.value());
  was_empty = done.value().entry_ids.empty();
}

// Peers at older heights get the certified blocks they lack.
void validator::push_to_laggards(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& lagging) {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t head = app_->height();
  for (const auto& [peer, height] : lagging) {
    if (peer >= peers_.size() || !peers_[peer] || !pushes_.should_push(peer, height, head, now)) continue;
    for (std::uint64_t h = height; h <= head && h < height + max_blocks_per_push; ++h) {
      if (auto raw = app_->block_bytes(h)) out_.pushes.emplace_back(peer, std::move(*raw));
    }
  }
}

void validator::after_commit(committed_block& b) {
  if (recent_.size() > max_recent_entries) recent_.clear();
  for (std::size_t i = 0; i < b.entry_ids.size(); ++i)
    recent_[b.entry_ids[i]] = tx_location{b.height, static_cast<std::uint32_t>(i)};
  const auto reached = height_waiters_.upper_bound(b.height);
  for (auto it = height_waiters_.begin(); it != reached; ++it) out_.reached.emplace_back(it->second, b.height);
  height_waiters_.erase(height_waiters_.begin(), reached);
  out_.events.push_back(
      make_event(block_committed_event{b.height, b.hash, static_cast<std::uint64_t>(b.entry_ids.size())}));
  out_.events.insert(out_.events.end(), std::make_move_iterator(b.events.begin()),
                     std::make_move_iterator(b.events.end()));
}

// Wall clock: the next height starts once the decided block is committed
// (started inside the decision, its proposal would be built on the state
// before that block, refused by every validator, and cost a round). It
// starts from the host, not from here: a lone validator decides inside
// advance() and would recurse without end. Not ahead of other traffic: what
// already waits for admission goes into the next block.
void validator::pace_next_height(std::uint64_t decided, bool was_empty) {
  // Transactions that came while the empty block was being decided are work
  // already: they do not wait out the interval (nothing would wake it).
  if (was_empty && app_->pool_size() == 0) {
    idle_at_ = decided;
    out_.advance = validator_output::advance_request{decided, cfg_.empty_block_interval_ms};
  } else {
    out_.advance = validator_output::advance_request{decided, 0};
  }
}

// Starts the height after `decided` unless it has started already.
void validator::advance(std::uint64_t decided) {
  if (cfg_.on_demand || !engine_->decided() || engine_->height() != decided) return;
  idle_at_.reset();
  handle(engine_->advance());
}

validator_output validator::advance_from(std::uint64_t decided) {
  advance(decided);
  return take();
}

// Work arrived while the next height waits after an empty block.
void validator::wake() {
  if (idle_at_) advance(*idle_at_);
}

// On demand: starts the next height while the chain is below the target.
void validator::run_next() {
  if (app_->height() >= target_height_) return;
  if (!started_) {
    started_ = true;
    handle(engine_->start(app_->height() + 1));
  } else if (engine_->decided()) {
    handle(engine_->advance());
  }
}

// --- catch-up

// Pulls certified blocks one by one from a peer that is ahead, until level.
// (A restarted validator may be unable to sign at its height, so it cannot
// rely on its own messages making peers notice it is behind.)
void validator::request_next_block() {
  if (fetching_ || behind_to_ <= app_->height()) return;
  fetching_ = true;
  out_.fetch = app_->height() + 1;
}

validator_output validator::on_fetched(const std::optional<bytes>& raw) {
  fetching_ = false;
  if (!raw || raw->empty()) return take();
  const std::uint64_t before = app_->height();
  apply_certified(*raw);
  if (app_->height() > before) request_next_block();
  return take();
}

validator_output validator::on_certified_block(const bytes& raw) {
  apply_certified(raw);
  return take();
}

// A certified block from a peer, for a validator that fell behind.
void validator::apply_certified(const bytes& raw) {
  auto b = decode_block(raw);
  if (!b || b.value().header.height != app_->height() + 1) return;
  if (!verify_certificate(b.value(), cfg_.validators, cfg_.chain_id)) return;
  auto done = app_->commit_certified(b.value());
  if (!done) {
    out_.log.push_back(done.err().message);
    return;
  }
  after_commit(done.value());
  if (cfg_.on_demand) {
    started_ = false;  // the next step starts the engine at the new height
    run_next();
    return;
  }
  handle(engine_->start(app_->height() + 1));
}

// --- proposals

bytes validator::build_proposal(std::uint64_t height) {
  check_waiting();  // for the next block: this one takes what is admitted
  proposal_options o;
  o.time_ms = block_time_ms();
  o.max_txs = cfg_.max_block_txs;
  o.canonical = cfg_.on_demand;
  o.selection = cfg_.on_demand && selection_ ? &*selection_ : nullptr;
  return app_->prepare_proposal(height, o);
}

}  // namespace voltaic::chain::node
