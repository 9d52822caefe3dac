#include "voltaic/agents/smart_meter.hpp"

#include <algorithm>
#include <iostream>

#include "tx_signer.hpp"
#include "voltaic/agents/messages.hpp"

namespace voltaic::agents {

namespace {

struct meter_state {
  smart_meter_config cfg;
  detail::tx_signer signer;
  static inline const char* name = "voltaic.smart_meter";
};

using meter_actor = caf::stateful_actor<meter_state>;

// One reading on its way to the chain: the meter's last nonce, then (for a
// buyer) its holds; then it is signed and submitted. Expiries count from the
// height the settlement phase started at.
struct reading_job {
  chain::meter_settlement_body body;
  std::vector<std::string> producers;  // hex keys of the cycle's sellers
  caf::typed_response_promise<std::string> promise;
  std::uint64_t height = 0;
  std::uint64_t chain_nonce = 0;  // the meter's last nonce on chain
};
using job_ptr = std::shared_ptr<reading_job>;

void sign_and_submit(meter_actor* self, job_ptr job) {
  auto& st = self->state;
  auto tx = st.signer.sign(job->body, job->chain_nonce, job->height + 100);
  detail::submit_all(self, st.cfg.miner, {tx}, st.cfg.name, [job](std::vector<std::string> ids) {
    job->promise.deliver(ids.empty() ? std::string{} : ids.front());
  });
}

void collect_holds(meter_actor* self, job_ptr job) {
  self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, ctps_atom::value, chain::to_hex(self->state.cfg.party))
      .then(
          [self, job](const std::vector<std::string>& open) {
            for (const auto& line : open) {
              const auto c = detail::parse_open_ctp(line);
              // Only holds still open at this height can be released.
              if (c && c->expiry_height >= job->height + 1 &&
                  std::find(job->producers.begin(), job->producers.end(), c->producer) != job->producers.end())
                job->body.release_ctps.push_back(c->id);
            }
            sign_and_submit(self, job);
          },
          [job](caf::error& e) { job->promise.deliver(e); });
}

caf::behavior smart_meter(meter_actor* self, smart_meter_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](read_atom, std::uint64_t market, std::uint64_t cycle, std::uint8_t role, std::int64_t agreed,
             std::int64_t price, std::int64_t tariff, const std::vector<std::string>& producers,
             std::uint64_t height) -> caf::result<std::string> {
        auto& s = self->state;
        if (!s.cfg.reports || role > 1) return std::string{};
        auto job = std::make_shared<reading_job>();
        auto& b = job->body;
        b.market = market;
        b.cycle = cycle;
        b.party = s.cfg.party;
        b.role = static_cast<chain::party_role>(role);
        b.agreed_mwh = agreed;
        b.metered_mwh = agreed * s.cfg.delivery_permille / 1'000;
        b.price_ucpkwh = price;
        b.tariff_uc = tariff;
        job->producers = producers;
        job->promise = self->make_response_promise<std::string>();
        auto promise = job->promise;
        job->height = height;
        detail::with_nonce(self, promise, [self, job](std::uint64_t nonce) {
          job->chain_nonce = nonce;
          if (job->body.role == chain::party_role::buyer) collect_holds(self, job);
          else sign_and_submit(self, job);
        });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_smart_meter(caf::actor_system& system, const smart_meter_config& config) {
  return system.spawn(smart_meter, config);
}

}  // namespace voltaic::agents
