#include "voltaic/agents/carbon_participant.hpp"

#include <chrono>

#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::agents {

namespace {

struct carbon_participant_state {
  carbon_participant_config cfg;
  std::uint64_t nonce = 0;
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
          auto report = c.report;
          report.period = period;
          submit(self, report, promise);
        }
        return promise;
      },
      [self](corder_atom, std::uint64_t period) {
        auto promise = self->make_response_promise();
        auto& c = self->state.cfg;
        chain::encoder ask;
        ask.array(2).bin(c.key.pub).uint(period);
        const auto request = ask.take();
        self->request(c.validator, patience, query_atom::value, std::string("balance"),
                      std::string(request.begin(), request.end()))
            .then(
                [self, promise, period](bool ok, const std::string& answer) mutable {
                  const auto refuse = [&promise](const std::string& why) { promise.deliver(why, chain::hash256{}); };
                  if (!ok) return refuse("no balance: " + answer);
                  chain::bytes raw(answer.begin(), answer.end());
                  auto d = chain::decoder::open(raw);
                  if (!d) return refuse("no balance: a damaged answer");
                  chain::detail::field_reader r(d.value());
                  r.array(1);
                  const std::int64_t balance = r.i64();
                  if (!r.finish()) return refuse("no balance: a damaged answer");
                  if (balance == 0) return refuse("no-balance");
                  submit(self, chain::carbon::carbon_order_body{period, self->state.cfg.price}, promise);
                },
                [promise](caf::error& e) mutable { promise.deliver("no answer: " + to_string(e), chain::hash256{}); });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_carbon_participant(caf::actor_system& system, const carbon_participant_config& config) {
  return system.spawn(carbon_participant, config);
}

}  // namespace voltaic::agents
