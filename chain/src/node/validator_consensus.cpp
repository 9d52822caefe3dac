// node::validator: consensus, proposals, commits, catch-up and pacing.
#include <algorithm>
#include <chrono>

#include "voltaic/chain/certificate.hpp"
#include "voltaic/chain/consensus_codec.hpp"
#include "voltaic/chain/node/validator.hpp"

namespace voltaic::chain::node {

namespace {

constexpr std::uint64_t max_blocks_per_push = 64;  // certified blocks sent to a lagging peer at once
constexpr std::size_t max_recent_entries = 2'000'000;  // bounded; the store still answers

block_options strict() {
  block_options o;
  o.require_erc_witness = true;
  return o;
}

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
  if (at > ledger_->state().height) wake();
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
  if (ahead > ledger_->state().height + 1) {
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
  out_.timeouts.insert(out_.timeouts.end(), out.timeouts.begin(), out.timeouts.end());
  bool last_was_empty = false;
  for (const auto& c : out.decisions) commit_decision(c, last_was_empty);
  for (const auto& e : out.evidence) submit_evidence(e);
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
  proposal decided;
  if (own_proposal_ && own_proposal_->blk.hash == c.value_id) {
    decided = std::move(*own_proposal_);  // ours: no need to decode what we encoded
  } else {
    auto p = decode_block_proposal(c.value);
    if (!p) {
      out_.log.push_back("a decided value is not a block: " + p.err().message);
      return;
    }
    decided.blk = std::move(p.value().blk);
    for (const auto& e : p.value().ercs)
      if (auto stx = decode_envelope(e)) decided.ercs.push_back(std::move(stx).value());
    decided.orders = std::move(p.value().orders);
  }
  own_proposal_.reset();
  block& b = decided.blk;
  b.certificate = certificate_of(c);
  if (auto s = ledger_->append(b, decided.ercs, strict()); !s) {
    out_.log.push_back("cannot commit decided block " + std::to_string(b.header.height) + ": " + s.err().message);
    return;
  }
  after_commit(b, decided.orders);
  was_empty = b.entries.empty();
}

// Equivocation goes on chain as an evidence transaction from this validator.
void validator::submit_evidence(const equivocation& e) {
  evidence_body body;
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
  const chain::account* mine = ledger_->state().accounts.find(cfg_.key.pub);
  own_nonce_ = std::max(own_nonce_, mine ? mine->nonce : 0) + 1;
  transaction tx;
  tx.signer = cfg_.key.pub;
  tx.nonce = own_nonce_;
  tx.expiry_height = ledger_->state().height + 1'000;
  tx.body = body;
  const auto stx = sign_transaction(tx, cfg_.genesis.chain_id, cfg_.key);
  if (pool_.add(stx.envelope, ledger_->state())) {
    out_.log.push_back("validator " + std::to_string(e.first.voter) + " signed two votes at height " +
                       std::to_string(e.first.height) + " round " + std::to_string(e.first.round) +
                       "; evidence submitted");
    gossip(gossip_txs_, stx.envelope);
  }
}

// Peers at older heights get the certified blocks they lack.
void validator::push_to_laggards(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& lagging) {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t head = ledger_->state().height;
  for (const auto& [peer, height] : lagging) {
    if (peer >= peers_.size() || !peers_[peer] || !pushes_.should_push(peer, height, head, now)) continue;
    for (std::uint64_t h = height; h <= head && h < height + max_blocks_per_push; ++h) {
      auto raw = ledger_->store().block_bytes(h);
      if (raw && raw.value()) out_.pushes.emplace_back(peer, std::move(*raw.value()));
    }
  }
}

void validator::after_commit(const block& b, const std::vector<bytes>& carried_orders) {
  std::vector<hash256> used;
  if (recent_.size() > max_recent_entries) recent_.clear();
  for (std::size_t i = 0; i < b.entries.size(); ++i) {
    used.push_back(entry_id(b.entries[i]));
    recent_[used.back()] = tx_location{b.header.height, static_cast<std::uint32_t>(i)};
  }
  // A waiting transaction voided by the block (its nonce used by another of
  // its sender's, or expired) can never commit: its client must know.
  if (const auto voided = pool_.prune(ledger_->state(), used); voided > 0)
    out_.log.push_back("height " + std::to_string(b.header.height) + " voids " + std::to_string(voided) +
                       " waiting transaction(s) (nonce used or expired)");
  if (desk_) desk_->committed(b, carried_orders);
  const auto reached = height_waiters_.upper_bound(b.header.height);
  for (auto it = height_waiters_.begin(); it != reached; ++it) out_.reached.emplace_back(it->second, b.header.height);
  height_waiters_.erase(height_waiters_.begin(), reached);
}

// Wall clock: the next height starts once the decided block is committed
// (started inside the decision, its proposal would be built on the state
// before that block, refused by every validator, and cost a round). It
// starts from the host, not from here: a lone validator decides inside
// advance() and would recurse without end. Not ahead of other traffic: what
// already waits for admission goes into the next block.
void validator::pace_next_height(std::uint64_t decided, bool was_empty) {
  if (was_empty) {
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
  if (ledger_->state().height >= target_height_) return;
  if (!started_) {
    started_ = true;
    handle(engine_->start(ledger_->state().height + 1));
  } else if (engine_->decided()) {
    handle(engine_->advance());
  }
}

// --- catch-up

// Pulls certified blocks one by one from a peer that is ahead, until level.
// (A restarted validator may be unable to sign at its height, so it cannot
// rely on its own messages making peers notice it is behind.)
void validator::request_next_block() {
  if (fetching_ || behind_to_ <= ledger_->state().height) return;
  fetching_ = true;
  out_.fetch = ledger_->state().height + 1;
}

validator_output validator::on_fetched(const std::optional<bytes>& raw) {
  fetching_ = false;
  if (!raw || raw->empty()) return take();
  const std::uint64_t before = ledger_->state().height;
  apply_certified(*raw);
  if (ledger_->state().height > before) request_next_block();
  return take();
}

validator_output validator::on_certified_block(const bytes& raw) {
  apply_certified(raw);
  return take();
}

// A certified block from a peer, for a validator that fell behind.
void validator::apply_certified(const bytes& raw) {
  auto b = decode_block(raw);
  if (!b || b.value().header.height != ledger_->state().height + 1) return;
  if (!verify_certificate(b.value(), cfg_.genesis.validators, cfg_.genesis.chain_id)) return;
  if (auto s = ledger_->append(b.value(), {}); !s) {
    out_.log.push_back("a certified block does not apply: " + s.err().message);
    return;
  }
  after_commit(b.value());
  if (cfg_.on_demand) {
    started_ = false;  // the next step starts the engine at the new height
    run_next();
    return;
  }
  handle(engine_->start(ledger_->state().height + 1));
}

// --- proposals

bytes validator::build_proposal() {
  check_waiting();  // for the next block: this one takes what is admitted
  std::vector<signed_transaction> txs;
  cycle_batch cycles;
  if (desk_) {
    cycles = desk_->propose(ledger_->state(), cfg_.key, own_nonce_);
    txs = cycles.txs;
  }
  auto take_pooled = [this] {
    if (!cfg_.on_demand) return pool_.take(cfg_.max_block_txs);
    return selection_ ? pool_.take_selected(*selection_, cfg_.max_block_txs) : pool_.take_canonical(cfg_.max_block_txs);
  };
  auto pooled = take_pooled();
  if (desk_) {
    const auto unfit = desk_->unfit_grid_updates(pooled);
    if (!unfit.empty()) {
      pool_.prune(ledger_->state(), unfit);
      pooled = take_pooled();
    }
  }
  txs.insert(txs.end(), pooled.begin(), pooled.end());
  // The block stays applied as the candidate: checking and committing it
  // need no second execution.
  auto built = ledger_->build(txs, block_time_ms(), cfg_.key.pub);
  // What the current state refuses (e.g. evidence another validator already
  // recorded) leaves the pool rather than being proposed again.
  std::vector<hash256> refused;
  for (const auto& [id, why] : built.rejected) refused.push_back(id);
  if (!refused.empty())
    out_.log.push_back("block " + std::to_string(built.blk.header.height) + " leaves out " +
                       std::to_string(refused.size()) + " transaction(s), e.g. " +
                       built.rejected.front().second.message);
  pool_.drop(refused);
  std::vector<bytes> ercs;
  for (const auto& e : built.ercs) ercs.push_back(e.envelope);
  // Carry the orders of every cycle whose three transactions made it in.
  const auto& after = ledger_->candidate_state();
  std::vector<bytes> orders;
  for (const auto& [cycle, envelopes] : cycles.orders)
    if (after.dues_recorded.find(cycle)) orders.insert(orders.end(), envelopes.begin(), envelopes.end());
  auto value = encode_block_proposal(built.blk, ercs, orders);
  own_proposal_ = proposal{std::move(built.blk), std::move(built.ercs), std::move(orders)};
  return value;
}

bool validator::check_proposal(std::uint64_t height, const bytes& value) {
  auto p = decode_block_proposal(value);
  if (!p || p.value().blk.header.height != height) return false;
  // Our own proposal, or one checked already at this head.
  if (ledger_->is_candidate(p.value().blk.hash)) return true;
  std::vector<signed_transaction> ercs;
  for (const auto& e : p.value().ercs) {
    auto stx = decode_envelope(e);
    if (!stx) return false;
    ercs.push_back(std::move(stx).value());
  }
  if (desk_) {
    if (auto why = desk_->check(p.value().blk, p.value().orders, ledger_->state()); !why.empty()) {
      out_.log.push_back("refusing block " + std::to_string(height) + ": " + why);
      return false;
    }
  } else if (!p.value().orders.empty()) {
    return false;  // cannot check a clearing without the grid
  }
  return ledger_->try_block(p.value().blk, ercs, strict()).ok();
}

}  // namespace voltaic::chain::node
