#include "voltaic/agents/carbon_participant.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::agents {

namespace {

struct carbon_participant_state {
  carbon_participant_config cfg;
  std::uint64_t nonce = 0;
  std::map<std::uint64_t, carbon_outcome> results;  // by period, once learnt
  static inline const char* name = "voltaic.carbon_participant";
};

using participant_actor = caf::stateful_actor<carbon_participant_state>;

constexpr auto patience = std::chrono::seconds(30);

// Signs and submits one transaction; the validator's verdict and the
// transaction's id go to `promise`.
void submit(participant_actor* self, chain::carbon::carbon_body body, caf::response_promise promise) {
  auto& s = self->state;
  chain::carbon::carbon_transaction tx{s.cfg.key.pub, ++s.nonce, UINT64_MAX, std::move(body)};
  const auto stx = chain::carbon::sign_carbon_transaction(tx, s.cfg.chain_id, s.cfg.key);
  const chain::hash256 id = stx.id;
  self->request(s.cfg.validator, patience, tx_atom::value, std::string(stx.envelope.begin(), stx.envelope.end()))
      .then([promise, id](const std::string& verdict) mutable { promise.deliver(verdict, id); },
            [promise, id](caf::error& e) mutable { promise.deliver("no answer: " + to_string(e), id); });
}

// The claim of a PVP: each month signed by its meter, counters rising with the period.
chain::carbon::quota_claim_body quota_claim(const carbon_participant_config& c, std::uint64_t period) {
  chain::carbon::quota_claim_body b{period, c.delta_version, {}, c.estimate_kg};
  for (std::uint8_t m = 1; m <= 12 && m <= c.monthly_mwh.size(); ++m)
    b.readings.push_back(chain::carbon::sign_monthly_reading(c.key.pub, period, m, c.monthly_mwh[m - 1],
                                                            period * 12 + m, c.chain_id, c.meter));
  return b;
}

// Asks its validator the query `path`; the answer's bytes go to `then`, a
// refusal's or failure's reason to `fail`.
template <class Then, class Fail>
void ask_validator(participant_actor* self, const std::string& path, const chain::bytes& request, Then then,
                   Fail fail) {
  self->request(self->state.cfg.validator, patience, query_atom::value, path,
                std::string(request.begin(), request.end()))
      .then(
          [then, fail](bool ok, const std::string& answer) mutable {
            if (!ok) return fail(answer);
            then(chain::bytes(answer.begin(), answer.end()));
          },
          [fail](caf::error& e) mutable { fail("no answer: " + to_string(e)); });
}

chain::bytes balance_request(const chain::public_key& who, std::uint64_t period) {
  chain::encoder ask;
  ask.array(2).bin(who).uint(period);
  return ask.take();
}

// The balance in a "balance" answer, or nothing if it is damaged.
std::optional<std::int64_t> read_balance(const chain::bytes& raw) {
  auto d = chain::decoder::open(raw);
  if (!d) return std::nullopt;
  chain::detail::field_reader r(d.value());
  r.array(1);
  const std::int64_t balance = r.i64();
  if (!r.finish()) return std::nullopt;
  return balance;
}

// This participant's share of a recorded auction.
carbon_outcome outcome_of(const carbon_participant_config& c, const chain::carbon::auction_result_body& result) {
  carbon_outcome o;
  o.name = c.name;
  o.period = result.period;
  for (const auto& t : result.trades) {
    if (t.buyer == c.key.pub) o.bought_kg += t.quantity_kg, o.pays_uc += t.turnover_uc, ++o.trades;
    if (t.seller == c.key.pub) o.sold_kg += t.quantity_kg, o.receives_uc += t.turnover_uc, ++o.trades;
  }
  return o;
}

// The period's recorded auction and the balance after it, from the validator.
void learn_results(participant_actor* self, std::uint64_t period, caf::response_promise promise) {
  auto failed = [self, promise, period](const std::string& why) mutable {
    carbon_outcome o;
    o.name = self->state.cfg.name;
    o.period = period;
    o.problem = why;
    promise.deliver(o);
  };
  chain::encoder rq;
  rq.array(1).uint(period);
  ask_validator(
      self, "recorded", rq.take(),
      [self, promise, period, failed](const chain::bytes& raw) mutable {
        auto result = chain::carbon::decode_auction_result(raw);
        if (!result) return failed("a damaged auction record: " + result.err().message);
        auto outcome = outcome_of(self->state.cfg, result.value());
        ask_validator(
            self, "balance", balance_request(self->state.cfg.key.pub, period),
            [self, promise, period, outcome, failed](const chain::bytes& answer) mutable {
              const auto balance = read_balance(answer);
              if (!balance) return failed("a damaged balance answer");
              outcome.balance_kg = *balance;
              self->state.results[period] = outcome;
              promise.deliver(outcome);
            },
            failed);
      },
      failed);
}

caf::behavior carbon_participant(participant_actor* self, carbon_participant_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.cfg.validator = caf::actor{};
    self->quit(msg.reason);
  });
  return {
      [self](claim_atom, std::uint64_t period) {
        auto promise = self->make_response_promise();
        const auto& c = self->state.cfg;
        if (c.role == market::carbon_role::pvp) {
          submit(self, quota_claim(c, period), promise);
        } else {
          auto report = std::find_if(c.reports.begin(), c.reports.end(),
                                     [period](const auto& r) { return r.period == period; });
          if (report == c.reports.end())
            promise.deliver("no verified emissions for period " + std::to_string(period), chain::hash256{});
          else
            submit(self, *report, promise);
        }
        return promise;
      },
      [self](corder_atom, std::uint64_t period) {
        auto promise = self->make_response_promise();
        ask_validator(
            self, "balance", balance_request(self->state.cfg.key.pub, period),
            [self, promise, period](const chain::bytes& answer) mutable {
              const auto balance = read_balance(answer);
              if (!balance) return promise.deliver(std::string("no balance: a damaged answer"), chain::hash256{});
              if (*balance == 0) return promise.deliver(std::string("no-balance"), chain::hash256{});
              submit(self, chain::carbon::carbon_order_body{period, self->state.cfg.price}, promise);
            },
            [promise](const std::string& why) mutable { promise.deliver("no balance: " + why, chain::hash256{}); });
        return promise;
      },
      [self](cresult_atom, std::uint64_t period) {
        auto promise = self->make_response_promise();
        if (auto known = self->state.results.find(period); known != self->state.results.end())
          promise.deliver(known->second);
        else
          learn_results(self, period, promise);
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_carbon_participant(caf::actor_system& system, const carbon_participant_config& config) {
  return system.spawn(carbon_participant, config);
}

}  // namespace voltaic::agents
