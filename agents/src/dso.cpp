#include "voltaic/agents/dso.hpp"

#include <fstream>
#include <iostream>

#include "tx_signer.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::agents {

namespace {

struct dso_state {
  dso_config cfg;
  detail::tx_signer signer;
  static inline const char* name = "voltaic.dso";
};

using dso_actor = caf::stateful_actor<dso_state>;

chain::grid_update_body update_of(const chain::market_grid& g, std::string change) {
  return {g.version(), g.distances_hash(), std::move(change)};
}

// Signs `bodies` with the DSO's next nonces (read from the chain) and submits them.
void sign_and_submit(dso_actor* self, std::vector<chain::tx_body> bodies,
                     caf::typed_response_promise<std::vector<chain::hash256>> promise) {
  detail::with_height_and_nonce(self, promise, [self, bodies, promise](std::uint64_t height, std::uint64_t nonce) mutable {
    auto& st = self->state;
    std::vector<chain::signed_transaction> txs;
    for (auto& b : bodies) txs.push_back(st.signer.sign(std::move(b), nonce, height + 100));
    detail::submit_all(self, st.cfg.miner, std::move(txs), st.cfg.name,
                       [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(ids); });
  });
}

caf::behavior dso(dso_actor* self, dso_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](publish_atom) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        sign_and_submit(self,
                        {chain::dso_params_body{s.cfg.charge_uc_per_m, s.cfg.penalty_ucpkwh},
                         update_of(s.cfg.grid, "initial")},
                        promise);
        return promise;
      },
      [self](summary_atom, std::uint64_t cycle, const std::vector<channel_row>& rows) -> std::uint64_t {
        auto& s = self->state;
        if (s.cfg.channel_path.empty()) return 0;
        std::string text;
        for (const auto& r : rows)
          text += std::to_string(cycle) + "," + std::to_string(r.market) + "," +
                  market::format_scaled(r.price_ucpkwh, market::uc_per_credit) + "," + r.bus + "," +
                  market::format_scaled(r.traded_mwh, market::mwh_per_kwh) + "," +
                  market::format_scaled(r.grid_charge_uc, market::uc_per_credit) + "\n";
        // One write per cycle.
        std::ofstream out(s.cfg.channel_path, std::ios::app);
        out << text;
        out.flush();
        return out ? rows.size() : 0;
      },
      [self](gridchg_atom, const std::string& change) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        if (auto st = s.cfg.grid.apply(change); !st) {
          std::cerr << s.cfg.name << ": " << st.err().message << "\n";
          return std::vector<chain::hash256>{};
        }
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        sign_and_submit(self, {update_of(s.cfg.grid, change)}, promise);
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_dso(caf::actor_system& system, const dso_config& config) { return system.spawn(dso, config); }

}  // namespace voltaic::agents
