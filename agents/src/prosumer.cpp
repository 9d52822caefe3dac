#include "voltaic/agents/prosumer.hpp"

#include <algorithm>
#include <iostream>
#include <map>

#include "signed_ask.hpp"
#include "tx_signer.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/chain/energy/signed_order.hpp"
#include "voltaic/market/outcome.hpp"
#include "voltaic/market/rng.hpp"

namespace voltaic::agents {

namespace {

struct prosumer_state {
  prosumer_config cfg;
  detail::tx_signer signer;
  market::bid_memory memory;
  market::price_ucpkwh last_bid = 0;
  std::uint64_t ordered_cycle = 0;  // of its last order its validator took
  std::uint64_t late_cycle = 0;     // of its last order refused as late
  std::uint64_t outcome_cycle = 0;  // the last cycle whose outcome it learnt
  // Outcomes with energy to settle, by cycle: a cycle settles in the next
  // cycle's settlement phase.
  std::map<std::uint64_t, chain::outcome_answer> dues;
  bool coe_shown = false;  // its meter's CoE has reached the chain since this process started
  bool restarted = true;  // knows nothing of what it did before this process (until its first quotation)
  std::uint64_t feedback_from = 0;  // the first cycle whose feedback this process took part in
  std::map<std::uint64_t, std::uint64_t> holds;  // cycle -> expiry height of its CTPs for that cycle
  static constexpr std::size_t kept_dues = 4;
  std::vector<outcome_record> history;
  static inline const char* name = "voltaic.prosumer";
};

using prosumer_actor = caf::stateful_actor<prosumer_state>;
using done_promise = caf::typed_response_promise<phase_done>;
using ids_fn = std::function<void(std::vector<chain::hash256>)>;

// The cycle's own random stream: the same seed, name and cycle give the same
// bid in any process and whatever other agents do.
market::rng cycle_rng(const prosumer_config& c, std::uint64_t cycle) {
  std::uint64_t h = c.seed * 0x9e3779b97f4a7c15ULL ^ cycle;
  for (char ch : c.name) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
  return market::rng(h);
}

template <class T, class F>
void ask_own(prosumer_actor* self, const std::string& path, const chain::bytes& args, done_promise promise, F on_answer) {
  auto& c = self->state.cfg;
  detail::ask_signed<T>(self, c.miner, c.miner_timeout, path, args, c.key, c.chain_id, std::move(on_answer),
                        [self, promise, path](const std::string& why) mutable {
                          std::cerr << self->state.cfg.name << ": " << path << ": " << why << "\n";
                          promise.deliver(phase_done{});
                        });
}

// Times out its CTPs whose expiry lies before `height` (none asked for when
// it knows of none), then calls `then` with the timeouts it submitted.
void expire_holds(prosumer_actor* self, std::uint64_t height, done_promise promise, ids_fn then) {
  auto& s = self->state;
  if (std::none_of(s.holds.begin(), s.holds.end(), [height](const auto& h) { return h.second < height; })) {
    then({});
    return;
  }
  ask_own<chain::answer_list<chain::ctp_row>>(
      self, "my_ctps", detail::number_args({}), promise,
      [self, height, promise, then](const chain::answer_list<chain::ctp_row>& open) {
        for (auto it = self->state.holds.begin(); it != self->state.holds.end();)
          it = it->second < height ? self->state.holds.erase(it) : std::next(it);
        std::vector<std::uint64_t> expired;
        for (const auto& c : open.items)
          if (c.expiry_height < height) expired.push_back(c.id);  // a timeout is valid from the block after expiry on
        if (expired.empty()) {
          then({});
          return;
        }
        detail::with_nonce(self, promise, [self, height, expired, then](std::uint64_t nonce) {
          auto& st = self->state;
          std::vector<chain::signed_transaction> txs;
          for (auto id : expired) txs.push_back(st.signer.sign(chain::ctp_timeout_body{id}, nonce, height + 100));
          detail::submit_all(self, st.cfg.miner, std::move(txs), st.cfg.name, then);
        });
      });
}

void bid(prosumer_actor* self, const phase_start& p, done_promise promise, std::vector<chain::hash256> timeouts) {
  auto& s = self->state;
  auto r = cycle_rng(s.cfg, p.cycle);
  market::bid_context ctx{s.cfg.side, s.cfg.valuation, s.cfg.reference, p.cycle};
  auto price = market::choose_price(s.cfg.strategy, ctx, s.memory, r, s.cfg.name);
  if (!price) {
    std::cerr << s.cfg.name << ": no bid: " << price.err().message << "\n";
    promise.deliver(phase_done{std::move(timeouts), s.cfg.market, 0, {}});
    return;
  }
  s.last_bid = price.value();
  chain::order_terms t;
  t.market = s.cfg.market;
  t.cycle = p.cycle;
  t.side = s.cfg.side;
  t.price_ucpkwh = price.value();
  t.energy_mwh = r.between(s.cfg.min_energy, s.cfg.max_energy);
  t.distance_pref_mm = s.cfg.distance_pref;
  t.bus = s.cfg.bus;
  t.seq = p.cycle;
  t.meter = s.cfg.meter_key(p.cycle);
  const auto order = chain::sign_order(t, s.cfg.chain_id, s.cfg.key);
  const std::uint64_t cycle = p.cycle;
  auto answered = [self, promise, timeouts, cycle](const std::string& verdict) mutable {
    auto& st = self->state;
    phase_done done{std::move(timeouts), st.cfg.market, 0, {}};
    st.restarted = false;
    if (verdict == "ok") {
      st.ordered_cycle = cycle;
      done.orders = 1;
    } else if (verdict == "cycle-closed") {
      st.late_cycle = cycle;
      st.history.push_back(outcome_record{cycle, late_outcome, 0, 0, 0, st.last_bid});
      done.note = st.cfg.name + "'s order came after the quotation closed: late";
    } else {
      std::cerr << st.cfg.name << ": order refused: " << verdict << "\n";
    }
    promise.deliver(std::move(done));
  };
  self->request(s.cfg.miner, s.cfg.miner_timeout, order_atom::value, detail::as_string(order.envelope))
      .then(answered, [answered](caf::error& e) mutable { answered("no answer: " + to_string(e)); });
}

// Its outcome in the cycle, as its validator has it; `then` runs once it is
// remembered (not for a late order, nor when the validator cannot say).
void learn_outcome(prosumer_actor* self, const phase_start& p, done_promise promise, std::function<void()> then) {
  auto& s = self->state;
  ask_own<chain::outcome_answer>(
      self, "my_outcome", detail::number_args({s.cfg.market, p.cycle}), promise,
      [self, p, promise, then](chain::outcome_answer a) mutable {
        auto& st = self->state;
        if (a.state == static_cast<std::uint8_t>(chain::outcome_state::absent)) {
          st.outcome_cycle = p.cycle;
          if (st.ordered_cycle != p.cycle) {  // it had no order in the cycle
            promise.deliver(phase_done{});
            return;
          }
          // Taken by its validator, but the set was fixed without it: late, never silence.
          st.late_cycle = p.cycle;
          st.history.push_back(outcome_record{p.cycle, late_outcome, 0, 0, 0, st.last_bid});
          promise.deliver(phase_done{{}, st.cfg.market, 0, st.cfg.name + "'s order missed the cycle's order set: late"});
          return;
        }
        if (a.state != static_cast<std::uint8_t>(chain::outcome_state::found)) {
          promise.deliver(phase_done{{}, st.cfg.market, 0, st.cfg.name + ": its validator does not know the cycle's outcome"});
          return;
        }
        const bool rejected = a.kind == static_cast<std::uint8_t>(market::outcome_kind::rejected);
        st.history.push_back(outcome_record{p.cycle, a.kind, a.reason, a.traded_mwh, a.price_ucpkwh, st.last_bid});
        // An unknown reason from the validator counts as "invalid": the bid stays.
        const auto why = !rejected ? market::reason::none
                         : a.reason <= static_cast<std::uint8_t>(market::reason::invalid)
                             ? static_cast<market::reason>(a.reason)
                             : market::reason::invalid;
        market::remember(st.memory, st.last_bid, why, a.price_ucpkwh);
        st.outcome_cycle = p.cycle;
        if (a.agreed_mwh > 0) {
          st.dues[p.cycle] = std::move(a);
          while (st.dues.size() > prosumer_state::kept_dues) st.dues.erase(st.dues.begin());
        }
        then();
      });
}

// Signs a CTP per trade of the cycle, naming the CoE key its meter will
// confirm with. A house that restarted first leaves out the trades its open
// holds for the cycle already cover: a previous process may have committed
// them before it stopped.
void hold_payments(prosumer_actor* self, const phase_start& p, done_promise promise,
                   const std::vector<chain::ctp_row>& open) {
  auto& s = self->state;
  const auto& due = s.dues[p.cycle];
  std::vector<chain::trade_leg> legs;
  std::vector<bool> covered(open.size(), false);
  for (const auto& t : due.trades) {
    if (t.amount_uc + t.charge_uc < 1) continue;  // worth nothing: no hold to place (a trade of a few mWh at 0 m)
    bool held = false;
    for (std::size_t k = 0; k < open.size() && !held; ++k)
      if (!covered[k] && open[k].cycle == p.cycle && open[k].market == s.cfg.market &&
          open[k].producer == t.counterparty && open[k].energy_mwh == t.energy_mwh)
        covered[k] = held = true;
    if (!held) legs.push_back(t);
  }
  if (legs.empty()) {
    promise.deliver(phase_done{});
    return;
  }
  detail::with_nonce(self, promise, [self, p, promise, legs](std::uint64_t nonce) mutable {
    auto& me = self->state;
    std::vector<chain::signed_transaction> txs;
    const std::uint64_t expiry = p.height + me.cfg.ctp_lifetime_blocks;
    for (const auto& t : legs) {
      chain::ctp_commit_body b;
      b.producer = t.counterparty;
      b.amount_uc = t.amount_uc;
      b.charge_uc = t.charge_uc;
      b.energy_mwh = t.energy_mwh;
      b.expiry_height = expiry;
      b.meter_key = me.cfg.meter_key(p.cycle);
      b.market = me.cfg.market;
      b.cycle = p.cycle;
      txs.push_back(me.signer.sign(b, nonce, expiry));
    }
    me.holds[p.cycle] = expiry;
    detail::submit_all(self, me.cfg.miner, std::move(txs), me.cfg.name,
                       [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(phase_done{std::move(ids)}); });
  });
}

void take_outcome(prosumer_actor* self, const phase_start& p, done_promise promise) {
  if (self->state.feedback_from == 0) self->state.feedback_from = p.cycle;
  if (self->state.late_cycle == p.cycle) {
    promise.deliver(phase_done{});
    return;
  }
  learn_outcome(self, p, promise, [self, p, promise]() mutable {
    auto& st = self->state;
    auto due = st.dues.find(p.cycle);
    if (due == st.dues.end() || due->second.trades.empty()) {
      promise.deliver(phase_done{});
      return;
    }
    if (!st.restarted) {
      hold_payments(self, p, promise, {});
      return;
    }
    ask_own<chain::answer_list<chain::ctp_row>>(
        self, "my_ctps", detail::number_args({}), promise,
        [self, p, promise](const chain::answer_list<chain::ctp_row>& open) { hold_payments(self, p, promise, open.items); });
  });
}

// Its dues in `cycle` as its validator has them, for a house that restarted
// since the cycle's feedback: a restart never skips a settlement.
void relearn_due(prosumer_actor* self, std::uint64_t cycle, done_promise promise, std::function<void()> then) {
  auto& s = self->state;
  ask_own<chain::outcome_answer>(self, "my_outcome", detail::number_args({s.cfg.market, cycle}), promise,
                                 [self, cycle, then](chain::outcome_answer a) {
                                   if (a.state == static_cast<std::uint8_t>(chain::outcome_state::found) &&
                                       a.agreed_mwh > 0)
                                     self->state.dues[cycle] = std::move(a);
                                   then();
                                 });
}

void confirm(prosumer_actor* self, done_promise promise, std::shared_ptr<meter_read> read) {
  auto& st = self->state;
  self->request(st.cfg.meter_agent, st.cfg.miner_timeout, read_atom::value, *read)
      .then(
          [self, promise, read](std::vector<chain::hash256> ids) mutable {
            auto& me = self->state;
            if (!ids.empty() && read->role == static_cast<std::uint8_t>(chain::party_role::buyer))
              me.holds.erase(read->cycle);
            me.dues.erase(read->cycle);
            phase_done done{std::move(ids)};
            if (!done.txs.empty() && !me.coe_shown) me.coe_shown = true, done.first_coes = 1;
            promise.deliver(std::move(done));
          },
          [self, promise](caf::error& e) mutable {
            std::cerr << self->state.cfg.name << ": its meter did not answer: " << to_string(e) << "\n";
            promise.deliver(phase_done{});
          });
}

// The house's meter confirms what the chain recorded for the party in
// `cycle`: a buyer's holds of the cycle still open, each with an ERC; a
// seller's delivery, with a reading.
void settle_due(prosumer_actor* self, std::uint64_t cycle, std::uint64_t height, done_promise promise) {
  auto& s = self->state;
  auto due = s.dues.find(cycle);
  if (due == s.dues.end()) {
    promise.deliver(phase_done{});
    return;
  }
  auto read = std::make_shared<meter_read>(meter_read{s.cfg.market, cycle, due->second.role, due->second.agreed_mwh,
                                                      s.cfg.meter_key_index(cycle), {}, {}, height});
  if (due->second.role != static_cast<std::uint8_t>(chain::party_role::buyer)) {
    confirm(self, promise, read);
    return;
  }
  ask_own<chain::answer_list<chain::ctp_row>>(
      self, "my_ctps", detail::number_args({}), promise,
      [self, read, promise](const chain::answer_list<chain::ctp_row>& open) {
        // Only holds still open at the next height can be released.
        for (const auto& c : open.items)
          if (c.cycle == read->cycle && c.market == self->state.cfg.market && c.expiry_height >= read->height + 1) {
            read->ctp_ids.push_back(c.id);
            read->ctp_energy_mwh.push_back(c.energy_mwh);
          }
        confirm(self, promise, read);
      });
}

// Cycle i settles in cycle i+1's settlement phase (protocols.md section 6):
// the energy of cycle i has flowed by then.
void settle(prosumer_actor* self, const phase_start& p, done_promise promise) {
  if (p.cycle < 2) {
    promise.deliver(phase_done{});
    return;
  }
  const std::uint64_t cycle = p.cycle - 1;
  auto& s = self->state;
  if (s.feedback_from == 0 || cycle < s.feedback_from) {
    relearn_due(self, cycle, promise, [self, cycle, p, promise] { settle_due(self, cycle, p.height, promise); });
    return;
  }
  settle_due(self, cycle, p.height, promise);
}

// What the house does in a phase. A validator in another process may be a
// block behind the one the clock follows (a restarted one catching up): the
// house waits until its own has reached the phase's height first.
void act_in_phase(prosumer_actor* self, const phase_start& p, done_promise promise) {
  auto act = [self, p, promise]() mutable {
    switch (static_cast<phase>(p.what)) {
      case phase::quotation:
        expire_holds(self, p.height, promise,
                     [self, p, promise](std::vector<chain::hash256> ids) { bid(self, p, promise, std::move(ids)); });
        break;
      case phase::feedback: take_outcome(self, p, promise); break;
      case phase::settlement: settle(self, p, promise); break;
      case phase::expiry:
        expire_holds(self, p.height, promise,
                     [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(phase_done{std::move(ids)}); });
        break;
      default: promise.deliver(phase_done{}); break;
    }
  };
  auto& c = self->state.cfg;
  if (c.fallback_miners.empty()) {  // validators in this process commit together
    act();
    return;
  }
  self->request(c.miner, c.miner_timeout, reached_atom::value, p.height)
      .then([act](std::uint64_t) mutable { act(); }, [act](caf::error&) mutable { act(); });
}

caf::behavior prosumer(prosumer_actor* self, prosumer_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](valback_atom, caf::actor validator, bool home) {
        detail::take_validator_back(self, std::move(validator), home);
      },
      [self](phase_atom, const phase_start& p) -> caf::result<phase_done> {
        auto promise = self->make_response_promise<phase_done>();
        act_in_phase(self, p, promise);
        return promise;
      },
      [self](history_atom) { return self->state.history; },
      [self](balance_atom) -> caf::result<std::int64_t, std::int64_t> {
        auto promise = self->make_response_promise<std::int64_t, std::int64_t>();
        auto& c = self->state.cfg;
        detail::ask_signed<chain::account_answer>(
            self, c.miner, c.miner_timeout, "my_account", detail::number_args({}), c.key, c.chain_id,
            [promise](const chain::account_answer& a) mutable { promise.deliver(a.balance_uc, a.held_uc); },
            [promise](const std::string& why) mutable { promise.deliver(caf::make_error(caf::sec::unexpected_response, why)); });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_prosumer(caf::actor_system& system, const prosumer_config& config) {
  return system.spawn(prosumer, config);
}

}  // namespace voltaic::agents
