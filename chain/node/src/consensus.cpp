#include "voltaic/chain/node/consensus.hpp"

#include "voltaic/chain/core/codec.hpp"

namespace voltaic::chain {

namespace {

constexpr std::size_t max_future_messages = 100'000;

class ed25519_crypto final : public consensus_crypto {
 public:
  ed25519_crypto(std::string chain_id, key_pair key) : chain_id_(std::move(chain_id)), key_(key) {}
  signature sign(const bytes& message) override {
    return chain::sign(domain::consensus_vote, chain_id_, message, key_);
  }
  bool verify(const bytes& message, const signature& sig, const public_key& key) override {
    return chain::verify(domain::consensus_vote, chain_id_, message, sig, key);
  }

 private:
  std::string chain_id_;
  key_pair key_;
};

std::uint8_t kind_code(vote_kind k) { return static_cast<std::uint8_t>(k); }

}  // namespace

void engine_output::append(engine_output&& o) {
  for (auto& p : o.proposals) proposals.push_back(std::move(p));
  for (auto& v : o.votes) votes.push_back(std::move(v));
  for (auto& t : o.timeouts) timeouts.push_back(t);
  for (auto& d : o.decisions) decisions.push_back(std::move(d));
  for (auto& e : o.evidence) evidence.push_back(std::move(e));
  for (auto& l : o.lagging) lagging.push_back(l);
  behind_to = std::max(behind_to, o.behind_to);
}

std::unique_ptr<consensus_crypto> make_ed25519_consensus_crypto(std::string chain_id, key_pair key) {
  return std::make_unique<ed25519_crypto>(std::move(chain_id), key);
}

bytes vote_sign_bytes(const consensus_vote& v) {
  encoder e;
  e.array(6).str("vote").uint(kind_code(v.kind)).uint(v.height).uint(v.round).boolean(v.nil).bin(v.value_id);
  return e.take();
}

bytes proposal_sign_bytes(const consensus_proposal& p) {
  encoder e;
  e.array(5).str("proposal").uint(p.height).uint(p.round).uint(static_cast<std::uint64_t>(p.valid_round + 1)).bin(
      p.value_id);
  return e.take();
}

hash256 default_value_id(const bytes& value) { return blake2b_256(value); }

status verify_commit(const commit_record& c, const std::vector<validator>& validators, consensus_crypto& crypto,
                     const value_id_fn& id_of) {
  auto bad = [](const std::string& what) { return chain_error("bad-certificate", what); };
  if (id_of(c.value) != c.value_id) return bad("the value does not match its id");
  std::uint64_t total = 0, power = 0;
  for (const auto& v : validators) total += v.power;
  std::set<std::uint32_t> seen;
  for (const auto& v : c.precommits) {
    if (v.kind != vote_kind::precommit || v.height != c.height || v.round != c.round || v.nil ||
        v.value_id != c.value_id)
      return bad("a vote that is not a precommit for this value");
    if (v.voter >= validators.size()) return bad("a voter outside the validator set");
    if (!seen.insert(v.voter).second) return bad("a voter counted twice");
    if (!crypto.verify(vote_sign_bytes(v), v.sig, validators[v.voter].key)) return bad("a precommit signature");
    power += validators[v.voter].power;
  }
  if (3 * power <= 2 * total) return bad("precommits of two thirds of the power or less");
  return {};
}

consensus_engine::consensus_engine(engine_config config, consensus_crypto& crypto, sign_guard& guard,
                                   value_source source, value_check check)
    : config_(std::move(config)), crypto_(crypto), guard_(guard), source_(std::move(source)), check_(std::move(check)) {
  for (const auto& v : config_.validators) total_power_ += v.power;
}

std::uint32_t consensus_engine::proposer_of(std::uint64_t height, std::uint32_t round) const {
  return static_cast<std::uint32_t>((height + round) % config_.validators.size());
}

void consensus_engine::reset_height(std::uint64_t height) {
  height_ = height;
  round_ = 0;
  step_ = round_step::propose;
  locked_round_ = -1;
  locked_id_ = hash256{};
  valid_round_ = -1;
  valid_value_.reset();
  decided_ = false;
  proposals_.clear();
  votes_.clear();
  validity_.clear();
  prevote_timer_.clear();
  precommit_timer_.clear();
  locked_on_.clear();
  evidence_seen_.clear();
  own_proposals_.clear();
  own_votes_.clear();
}

engine_output consensus_engine::start(std::uint64_t height) {
  engine_output out;
  reset_height(height);
  out.timeouts.push_back({timer::gossip, height_, 0, config_.gossip_ms});
  // A lock taken in this height before a restart still binds: this validator
  // prevotes only for that value, or for one a later quorum has proved.
  if (const auto lock = guard_.lock(); lock && lock->height == height) {
    locked_round_ = lock->round;
    locked_id_ = lock->value_id;
  }
  // The valid value comes back with its proof, so as a proposer this
  // validator offers it again and others can accept it (line 28).
  const consensus_journal journal = guard_.journal(height);
  if (journal.valid_value) {
    keep_proposal(*journal.valid_value);
    for (const auto& v : journal.valid_prevotes) add_vote(v, out);
    valid_value_ = *journal.valid_value;
    valid_round_ = journal.valid_value->round;
  }
  // After a restart inside a height, this validator resumes the round it last
  // signed in when its journal holds that message (gossip sends it again);
  // otherwise the message may never have left, and it starts the next round
  // rather than wait silently where its guard refuses to sign.
  const auto last = guard_.last_signed();
  std::uint32_t first_round = 0;
  bool resume = false;
  if (last && last->height == height) {
    for (const auto& p : journal.own_proposals) resume |= p.round == last->round && last->step == round_step::propose;
    for (const auto& v : journal.own_votes)
      resume |= v.round == last->round && static_cast<std::uint8_t>(v.kind) == static_cast<std::uint8_t>(last->step);
    first_round = resume ? last->round : last->round + 1;
  }
  start_round(first_round, out);
  for (const auto& p : journal.own_proposals) {
    keep_proposal(p);
    own_proposals_.push_back(p);
  }
  for (const auto& v : journal.own_votes) {
    add_vote(v, out);
    own_votes_.push_back(v);
  }
  if (resume) step_ = last->step;
  replay_future(out);
  check_rules(out);
  return out;
}

void consensus_engine::schedule(timer kind, std::uint32_t round, std::uint64_t base, engine_output& out) const {
  out.timeouts.push_back({kind, height_, round, base + round * config_.timeout_increment_ms});
}

void consensus_engine::start_round(std::uint32_t round, engine_output& out) {
  round_ = round;
  step_ = round_step::propose;
  if (config_.self && *config_.self == proposer_of(height_, round)) {
    consensus_proposal p;
    p.height = height_;
    p.round = round;
    p.valid_round = valid_value_ ? valid_round_ : -1;
    p.value = valid_value_ ? valid_value_->value : source_(height_);
    p.value_id = config_.value_id(p.value);
    p.proposer = *config_.self;
    if (guard_.permit(height_, round, round_step::propose, current_lock())) {
      p.sig = crypto_.sign(proposal_sign_bytes(p));
      guard_.journal_signed(p);
      keep_proposal(p);
      own_proposals_.push_back(p);
      out.proposals.push_back(std::move(p));
      return;
    }
  }
  schedule(timer::propose, round, proposer_absent(round) ? 0 : config_.timeout_propose_ms, out);
}

engine_output consensus_engine::set_absent(std::uint32_t index, bool absent) {
  engine_output out;
  if (index >= config_.validators.size()) return out;
  absent_.resize(config_.validators.size(), false);
  if (absent_[index] == absent) return out;
  absent_[index] = absent;
  // Waiting now for a proposal from the one that went: stop waiting.
  if (absent && !decided_ && height_ > 0 && step_ == round_step::propose && proposer_absent(round_) &&
      !proposals_.count(round_))
    schedule(timer::propose, round_, 0, out);
  return out;
}

void consensus_engine::broadcast_vote(vote_kind kind, bool nil, const hash256& id, engine_output& out) {
  if (!config_.self) return;
  const round_step s = kind == vote_kind::prevote ? round_step::prevote : round_step::precommit;
  if (!guard_.permit(height_, round_, s, current_lock())) return;  // already signed at or after this step
  consensus_vote v;
  v.kind = kind;
  v.height = height_;
  v.round = round_;
  v.nil = nil;
  v.value_id = nil ? hash256{} : id;
  v.voter = *config_.self;
  v.sig = crypto_.sign(vote_sign_bytes(v));
  guard_.journal_signed(v);
  add_vote(v, out);
  own_votes_.push_back(v);
  out.votes.push_back(std::move(v));
}

void consensus_engine::add_vote(const consensus_vote& v, engine_output& out) {
  auto& set = v.kind == vote_kind::prevote ? votes_[v.round].prevotes : votes_[v.round].precommits;
  auto& mine = set[v.voter];
  for (const auto& known : mine)
    if (known.nil == v.nil && known.value_id == v.value_id) return;
  if (!mine.empty() && evidence_seen_.insert({v.round * 4 + kind_code(v.kind), v.voter}).second)
    out.evidence.push_back({mine.front(), v});
  // Votes for nil or for a proposed value are always kept (bounded by the
  // proposals kept); votes for values nobody proposed only up to four, so an
  // equivocator can neither exhaust memory nor crowd out its real vote,
  // which gossip delivers again once its proposal is known.
  if (v.nil || proposal_with(v.round, v.value_id)) {
    mine.push_back(v);
    return;
  }
  std::size_t unproposed = 0;
  for (const auto& known : mine) unproposed += !known.nil && !proposal_with(known.round, known.value_id);
  if (unproposed < 4) mine.push_back(v);
}

bool consensus_engine::valid(const consensus_proposal& p) {
  auto it = validity_.find(p.value_id);
  if (it != validity_.end()) return it->second;
  const bool ok = check_(height_, p.value);
  validity_.emplace(p.value_id, ok);
  return ok;
}

std::uint64_t consensus_engine::power_for(const votes_by_voter& votes, const key_of_value* only) const {
  std::uint64_t power = 0;
  for (const auto& [voter, list] : votes) {
    bool counts = !only && !list.empty();
    for (const auto& v : list)
      counts = counts || (only && only->first == v.nil && (v.nil || only->second == v.value_id));
    if (counts) power += config_.validators[voter].power;
  }
  return power;
}

void consensus_engine::decide(const consensus_proposal& p, std::uint32_t round, engine_output& out) {
  commit_record c;
  c.height = height_;
  c.round = round;
  c.value = p.value;
  c.value_id = p.value_id;
  for (const auto& [voter, list] : votes_[round].precommits)
    for (const auto& v : list)
      if (!v.nil && v.value_id == p.value_id) c.precommits.push_back(v);
  decided_ = true;
  out.decisions.push_back(std::move(c));
  if (!config_.start_next_height) return;
  reset_height(height_ + 1);
  start_round(0, out);
  replay_future(out);
}

engine_output consensus_engine::advance() {
  engine_output out;
  if (!decided_) return out;
  reset_height(height_ + 1);
  start_round(0, out);
  replay_future(out);
  check_rules(out);
  return out;
}

void consensus_engine::check_rules(engine_output& out) {
  for (bool changed = true; changed;) {
    changed = false;
    // Line 49: a proposal with a quorum of precommits decides, in any round.
    for (auto& [r, round_votes_here] : votes_) {
      if (decided_) break;
      std::map<hash256, std::uint64_t> power;
      for (const auto& [voter, list] : round_votes_here.precommits)
        for (const auto& v : list)
          if (!v.nil) power[v.value_id] += config_.validators[voter].power;
      for (const auto& [id, pw] : power) {
        const consensus_proposal* p = quorum(pw) ? proposal_with(r, id) : nullptr;
        if (p && valid(*p)) {
          const consensus_proposal decided = *p;
          const std::uint32_t decided_round = r;
          decide(decided, decided_round, out);
          changed = true;
          break;
        }
      }
      if (changed) break;
    }
    if (changed) continue;

    const std::uint32_t r = round_;
    auto prop = proposals_.find(r);
    round_votes& here = votes_[r];
    if (step_ == round_step::propose && prop != proposals_.end()) {
      const consensus_proposal& p = prop->second.front();
      const key_of_value id{false, p.value_id};
      if (p.valid_round == -1) {  // line 22
        const bool yes = valid(p) && (locked_round_ == -1 || locked_id_ == p.value_id);
        step_ = round_step::prevote;
        broadcast_vote(vote_kind::prevote, !yes, p.value_id, out);
        changed = true;
        continue;
      }
      const auto vr = static_cast<std::uint32_t>(p.valid_round);
      if (p.valid_round < static_cast<std::int64_t>(r) && votes_.count(vr) &&
          quorum(power_for(votes_[vr].prevotes, &id))) {  // line 28
        const bool yes = valid(p) && (locked_round_ <= p.valid_round || locked_id_ == p.value_id);
        step_ = round_step::prevote;
        broadcast_vote(vote_kind::prevote, !yes, p.value_id, out);
        changed = true;
        continue;
      }
    }
    if (step_ == round_step::prevote && quorum(power_for(here.prevotes, nullptr)) && prevote_timer_.insert(r).second) {
      schedule(timer::prevote, r, config_.timeout_prevote_ms, out);  // line 34
      changed = true;
    }
    if (prop != proposals_.end() && step_ != round_step::propose && !locked_on_.count(r)) {  // line 36
      for (const consensus_proposal& p : prop->second) {
        const key_of_value id{false, p.value_id};
        if (!quorum(power_for(here.prevotes, &id)) || !valid(p)) continue;
        locked_on_.insert(r);
        // Journaled before the precommit leaves, so no restart loses a
        // value this validator is locked on.
        std::vector<consensus_vote> proof;
        for (const auto& [voter, list] : here.prevotes)
          for (const auto& v : list)
            if (!v.nil && v.value_id == p.value_id) proof.push_back(v);
        guard_.journal_valid(p, proof);
        valid_value_ = p;
        valid_round_ = r;
        if (step_ == round_step::prevote) {
          locked_id_ = p.value_id;
          locked_round_ = r;
          step_ = round_step::precommit;
          broadcast_vote(vote_kind::precommit, false, p.value_id, out);
        }
        changed = true;
        break;
      }
      if (changed) continue;
    }
    const key_of_value nil{true, hash256{}};
    if (step_ == round_step::prevote && quorum(power_for(here.prevotes, &nil))) {  // line 44
      step_ = round_step::precommit;
      broadcast_vote(vote_kind::precommit, true, hash256{}, out);
      changed = true;
      continue;
    }
    if (quorum(power_for(here.precommits, nullptr)) && precommit_timer_.insert(r).second) {  // line 47
      schedule(timer::precommit, r, proposer_absent(r) ? 0 : config_.timeout_precommit_ms, out);
      changed = true;
    }
    // Line 55: f+1 of the power already in a later round: go there.
    for (auto it = votes_.upper_bound(r); it != votes_.end(); ++it) {
      std::set<std::uint32_t> senders;
      for (const auto& [voter, list] : it->second.prevotes) senders.insert(voter);
      for (const auto& [voter, list] : it->second.precommits) senders.insert(voter);
      if (proposals_.count(it->first)) senders.insert(proposer_of(height_, it->first));
      std::uint64_t power = 0;
      for (auto s : senders) power += config_.validators[s].power;
      if (one_third(power)) {
        start_round(it->first, out);
        changed = true;
        break;
      }
    }
  }
}

engine_output consensus_engine::on_proposal(const consensus_proposal& p) {
  engine_output out;
  if (p.proposer >= config_.validators.size() || p.proposer != proposer_of(p.height, p.round)) return out;
  if (p.height < height_) {
    out.lagging.emplace_back(p.proposer, p.height);
    return out;
  }
  if (p.height == height_ && holds(p)) return out;  // gossip again: checked already
  if (config_.value_id(p.value) != p.value_id ||
      !crypto_.verify(proposal_sign_bytes(p), p.sig, config_.validators[p.proposer].key))
    return out;
  if (p.height > height_) {
    if (future_proposals_.size() < max_future_messages) future_proposals_.push_back(p);
    out.behind_to = p.height;
    return out;
  }
  keep_proposal(p);
  check_rules(out);
  return out;
}

engine_output consensus_engine::on_vote(const consensus_vote& v) {
  engine_output out;
  if (v.voter >= config_.validators.size()) return out;
  if (v.height < height_) {
    out.lagging.emplace_back(v.voter, v.height);
    return out;
  }
  if (v.height == height_ && holds(v)) return out;  // gossip again: checked already
  if (!crypto_.verify(vote_sign_bytes(v), v.sig, config_.validators[v.voter].key)) return out;
  if (v.height > height_) {
    if (future_votes_.size() < max_future_messages) future_votes_.push_back(v);
    out.behind_to = v.height;
    return out;
  }
  add_vote(v, out);
  check_rules(out);
  return out;
}

engine_output consensus_engine::on_timeout(const timeout_request& t) {
  engine_output out;
  if (t.kind == timer::gossip) {
    // Idle at a decided height (on-demand blocks), proposals are not sent
    // again — they can be large — but votes are, for peers still short of
    // the quorum that decided.
    const bool send_proposals = !decided_;
    // Gossip: re-send the proposals and every vote heard in the current round
    // and the valid round, so messages lost before the network healed, and
    // an equivocator's votes heard by only some, reach everyone.
    if (send_proposals)
      for (const auto& p : own_proposals_) out.proposals.push_back(p);
    for (std::int64_t r : {static_cast<std::int64_t>(round_), valid_round_}) {
      if (r < 0) continue;
      const auto round = static_cast<std::uint32_t>(r);
      if (auto p = proposals_.find(round); send_proposals && p != proposals_.end())
        for (const auto& x : p->second) out.proposals.push_back(x);
      if (auto v = votes_.find(round); v != votes_.end())
        for (const auto* set : {&v->second.prevotes, &v->second.precommits})
          for (const auto& [voter, list] : *set)
            for (const auto& x : list) out.votes.push_back(x);
      if (r == static_cast<std::int64_t>(round_) && valid_round_ == r) break;
    }
    for (const auto& v : own_votes_) out.votes.push_back(v);
    out.timeouts.push_back({timer::gossip, height_, 0, config_.gossip_ms});
    return out;
  }
  if (t.height != height_ || t.round != round_) return out;
  if (t.kind == timer::propose && step_ == round_step::propose) {
    step_ = round_step::prevote;
    broadcast_vote(vote_kind::prevote, true, hash256{}, out);
  } else if (t.kind == timer::prevote && step_ == round_step::prevote) {
    step_ = round_step::precommit;
    broadcast_vote(vote_kind::precommit, true, hash256{}, out);
  } else if (t.kind == timer::precommit) {
    start_round(round_ + 1, out);
  }
  check_rules(out);
  return out;
}

engine_output consensus_engine::on_commit(const commit_record& c) {
  engine_output out;
  if (c.height != height_ || decided_) return out;
  if (!verify_commit(c, config_.validators, crypto_, config_.value_id) || !check_(c.height, c.value)) return out;
  decided_ = true;
  out.decisions.push_back(c);
  if (!config_.start_next_height) return out;
  reset_height(height_ + 1);
  start_round(0, out);
  replay_future(out);
  check_rules(out);
  return out;
}

std::string consensus_engine::describe() const {
  std::string s = "h=" + std::to_string(height_) + " r=" + std::to_string(round_) +
                  " step=" + std::to_string(static_cast<int>(step_)) + " locked_round=" + std::to_string(locked_round_) +
                  " valid_round=" + std::to_string(valid_round_);
  auto it = votes_.find(round_);
  auto short_id = [](const consensus_vote& v) { return v.nil ? std::string("nil") : to_hex(v.value_id).substr(0, 6); };
  if (it != votes_.end()) {
    s += " prevotes{";
    for (const auto& [voter, list] : it->second.prevotes)
      for (const auto& v : list) s += std::to_string(voter) + ":" + short_id(v) + " ";
    s += "} precommits{";
    for (const auto& [voter, list] : it->second.precommits)
      for (const auto& v : list) s += std::to_string(voter) + ":" + short_id(v) + " ";
    s += "}";
  }
  auto p = proposals_.find(round_);
  if (p != proposals_.end())
    for (const auto& x : p->second) s += " proposal:" + to_hex(x.value_id).substr(0, 6) + "/vr" + std::to_string(x.valid_round);
  if (locked_round_ >= 0) s += " locked:" + to_hex(locked_id_).substr(0, 6);
  return s;
}

void consensus_engine::keep_proposal(const consensus_proposal& p) {
  auto& list = proposals_[p.round];
  if (list.size() >= 16 || proposal_with(p.round, p.value_id)) return;
  list.push_back(p);
}

bool consensus_engine::holds(const consensus_proposal& p) const {
  const consensus_proposal* known = proposal_with(p.round, p.value_id);
  return known && known->proposer == p.proposer && known->sig == p.sig;
}

bool consensus_engine::holds(const consensus_vote& v) const {
  auto round = votes_.find(v.round);
  if (round == votes_.end()) return false;
  const auto& set = v.kind == vote_kind::prevote ? round->second.prevotes : round->second.precommits;
  auto mine = set.find(v.voter);
  if (mine == set.end()) return false;
  for (const auto& known : mine->second)
    if (known.nil == v.nil && known.value_id == v.value_id && known.sig == v.sig) return true;
  return false;
}

const consensus_proposal* consensus_engine::proposal_with(std::uint32_t round, const hash256& id) const {
  auto it = proposals_.find(round);
  if (it == proposals_.end()) return nullptr;
  for (const auto& p : it->second)
    if (p.value_id == id) return &p;
  return nullptr;
}

void consensus_engine::replay_future(engine_output& out) {
  std::vector<consensus_proposal> proposals;
  std::vector<consensus_vote> votes;
  proposals.swap(future_proposals_);
  votes.swap(future_votes_);
  for (auto& p : proposals) {
    if (p.height == height_) keep_proposal(p);
    else if (p.height > height_) future_proposals_.push_back(std::move(p));
  }
  for (auto& v : votes) {
    if (v.height == height_) add_vote(v, out);
    else if (v.height > height_) future_votes_.push_back(std::move(v));
  }
}

}  // namespace voltaic::chain
