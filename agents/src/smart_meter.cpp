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

// Signs the reading with the meter's next counter (its nonce) and submits it.
void sign_and_submit(meter_actor* self, chain::meter_settlement_body body, std::uint64_t chain_nonce, std::uint64_t height,
                     caf::typed_response_promise<std::vector<chain::hash256>> promise) {
  auto& st = self->state;
  auto tx = st.signer.sign(std::move(body), chain_nonce, height + 100);
  detail::submit_all(self, st.cfg.miner, {tx}, st.cfg.name,
                     [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(std::move(ids)); });
}

caf::behavior smart_meter(meter_actor* self, smart_meter_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](read_atom, const meter_read& r) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        if (!s.cfg.reports || r.role > 1) return std::vector<chain::hash256>{};
        chain::meter_settlement_body b;
        b.market = r.market;
        b.cycle = r.cycle;
        b.party = s.cfg.party;
        b.role = static_cast<chain::party_role>(r.role);
        b.agreed_mwh = r.agreed_mwh;
        b.metered_mwh = r.agreed_mwh * s.cfg.delivery_permille / 1'000;
        b.price_ucpkwh = r.price_ucpkwh;
        b.tariff_uc = r.tariff_uc;
        b.release_ctps = r.release_ctps;
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        const std::uint64_t height = r.height;
        detail::with_nonce(self, promise, [self, b, height, promise](std::uint64_t nonce) mutable {
          sign_and_submit(self, std::move(b), nonce, height, promise);
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
