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
  std::vector<chain::public_key> producers;  // the cycle's sellers
  caf::typed_response_promise<std::vector<chain::hash256>> promise;
  std::uint64_t height = 0;
  std::uint64_t chain_nonce = 0;  // the meter's last nonce on chain
};
using job_ptr = std::shared_ptr<reading_job>;

void sign_and_submit(meter_actor* self, job_ptr job) {
  auto& st = self->state;
  auto tx = st.signer.sign(job->body, job->chain_nonce, job->height + 100);
  detail::submit_all(self, st.cfg.miner, {tx}, st.cfg.name,
                     [job](std::vector<chain::hash256> ids) { job->promise.deliver(std::move(ids)); });
}

void collect_holds(meter_actor* self, job_ptr job) {
  self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, ctps_atom::value, self->state.cfg.party)
      .then(
          [self, job](const std::vector<open_ctp>& open) {
            // Only holds still open at this height can be released.
            for (const auto& c : open)
              if (c.expiry_height >= job->height + 1 &&
                  std::find(job->producers.begin(), job->producers.end(), c.producer) != job->producers.end())
                job->body.release_ctps.push_back(c.id);
            sign_and_submit(self, job);
          },
          [job](caf::error& e) { job->promise.deliver(e); });
}

caf::behavior smart_meter(meter_actor* self, smart_meter_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](read_atom, const meter_read& r) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        if (!s.cfg.reports || r.role > 1) return std::vector<chain::hash256>{};
        auto job = std::make_shared<reading_job>();
        auto& b = job->body;
        b.market = r.market;
        b.cycle = r.cycle;
        b.party = s.cfg.party;
        b.role = static_cast<chain::party_role>(r.role);
        b.agreed_mwh = r.agreed_mwh;
        b.metered_mwh = r.agreed_mwh * s.cfg.delivery_permille / 1'000;
        b.price_ucpkwh = r.price_ucpkwh;
        b.tariff_uc = r.tariff_uc;
        job->producers = r.producers;
        job->promise = self->make_response_promise<std::vector<chain::hash256>>();
        auto promise = job->promise;
        job->height = r.height;
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
