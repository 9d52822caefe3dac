#include "voltaic/agents/dso.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>

#include "signed_ask.hpp"
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

// Signs `bodies` with the DSO's next nonces (read from the chain) and submits
// them; `done` gets the ids its validator took.
template <class Promise>
void sign_and_submit(dso_actor* self, std::vector<chain::tx_body> bodies, Promise promise,
                     std::function<void(std::vector<chain::hash256>)> done) {
  detail::with_height_and_nonce(self, promise, [self, bodies, done](std::uint64_t height, std::uint64_t nonce) mutable {
    auto& st = self->state;
    std::vector<chain::signed_transaction> txs;
    for (auto& b : bodies) txs.push_back(st.signer.sign(std::move(b), nonce, height + 100));
    detail::submit_all(self, st.cfg.miner, std::move(txs), st.cfg.name, std::move(done));
  });
}

// The grid changes scheduled before this cycle's quotation.
void change_grid(dso_actor* self, const phase_start& p, caf::typed_response_promise<phase_done> promise) {
  auto& s = self->state;
  std::vector<chain::tx_body> updates;
  std::string note;
  for (const auto& [cycle, change] : s.cfg.grid_changes) {
    if (cycle != p.cycle) continue;
    if (auto st = s.cfg.grid.apply(change); !st) {
      note += "the DSO could not apply '" + change + "': " + st.err().message;
      continue;
    }
    updates.push_back(update_of(s.cfg.grid, change));
    note += (note.empty() ? "" : "; ") + std::string("the DSO applied '") + change + "' (grid " +
            chain::to_hex(s.cfg.grid.version()).substr(0, 16) + ")";
  }
  if (updates.empty()) {
    promise.deliver(phase_done{{}, 0, 0, note});
    return;
  }
  sign_and_submit(self, std::move(updates), promise, [promise, note](std::vector<chain::hash256> ids) mutable {
    promise.deliver(phase_done{std::move(ids), 0, 0, note});
  });
}

// The cycle's channel rows, from what the chain committed.
void write_channel(dso_actor* self, const phase_start& p, caf::typed_response_promise<phase_done> promise) {
  auto& c = self->state.cfg;
  if (c.channel_path.empty()) {
    promise.deliver(phase_done{});
    return;
  }
  const std::uint64_t cycle = p.cycle;
  detail::ask_signed<chain::answer_list<chain::channel_entry>>(
      self, c.miner, c.miner_timeout, "channel", detail::number_args({0, c.markets, cycle}), c.key, c.chain_id,
      [self, promise, cycle](const chain::answer_list<chain::channel_entry>& rows) mutable {
        auto& cfg = self->state.cfg;
        auto bus_name = [&cfg](std::uint32_t bus) {
          return bus < cfg.bus_names.size() ? cfg.bus_names[bus] : std::to_string(bus);
        };
        // Within a market, by bus name (the channel's order since its first version).
        std::vector<std::pair<std::uint64_t, std::string>> order;
        for (std::size_t i = 0; i < rows.items.size(); ++i) order.emplace_back(rows.items[i].market, bus_name(rows.items[i].bus));
        std::vector<std::size_t> by(rows.items.size());
        for (std::size_t i = 0; i < by.size(); ++i) by[i] = i;
        std::stable_sort(by.begin(), by.end(), [&order](std::size_t a, std::size_t b) { return order[a] < order[b]; });
        std::string text;
        for (const auto i : by) {
          const auto& r = rows.items[i];
          text += std::to_string(cycle) + "," + std::to_string(r.market) + "," +
                  market::format_scaled(r.price_ucpkwh, market::uc_per_credit) + "," + order[i].second + "," +
                  market::format_scaled(r.traded_mwh, market::mwh_per_kwh) + "," +
                  market::format_scaled(r.charge_uc, market::uc_per_credit) + "\n";
        }
        std::ofstream out(cfg.channel_path, std::ios::app);  // one write per cycle
        out << text;
        out.flush();
        promise.deliver(phase_done{{}, 0, 0, out ? std::string{} : "the DSO could not write " + cfg.channel_path});
      },
      [promise, cycle](const std::string& why) mutable {
        promise.deliver(phase_done{{}, 0, 0, "the DSO has no channel for cycle " + std::to_string(cycle) + ": " + why});
      });
}

caf::behavior dso(dso_actor* self, dso_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](valback_atom, caf::actor validator, bool home) {
        detail::take_validator_back(self, std::move(validator), home);
      },
      [self](publish_atom) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        sign_and_submit(self,
                        {chain::dso_params_body{s.cfg.charge_uc_per_m, s.cfg.penalty_ucpkwh},
                         update_of(s.cfg.grid, "initial")},
                        promise, [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(ids); });
        return promise;
      },
      [self](phase_atom, const phase_start& p) -> caf::result<phase_done> {
        auto promise = self->make_response_promise<phase_done>();
        switch (static_cast<phase>(p.what)) {
          case phase::quotation: change_grid(self, p, promise); break;
          case phase::record: write_channel(self, p, promise); break;
          default: promise.deliver(phase_done{}); break;
        }
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_dso(caf::actor_system& system, const dso_config& config) { return system.spawn(dso, config); }

}  // namespace voltaic::agents
