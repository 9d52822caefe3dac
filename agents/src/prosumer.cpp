#include "voltaic/agents/prosumer.hpp"

#include <algorithm>
#include <iostream>

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
  std::vector<outcome_record> history;
  static inline const char* name = "voltaic.prosumer";
};

using prosumer_actor = caf::stateful_actor<prosumer_state>;

// The cycle's own random stream: the same seed, name and cycle give the same
// bid in any process and whatever other agents do.
market::rng cycle_rng(const prosumer_config& c, std::uint64_t cycle) {
  std::uint64_t h = c.seed * 0x9e3779b97f4a7c15ULL ^ cycle;
  for (char ch : c.name) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
  return market::rng(h);
}

caf::behavior prosumer(prosumer_actor* self, prosumer_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](bid_atom, std::uint64_t cycle) -> caf::result<std::string> {
        auto& s = self->state;
        auto r = cycle_rng(s.cfg, cycle);
        market::bid_context ctx{s.cfg.side, s.cfg.valuation, s.cfg.reference, cycle};
        auto price = market::choose_price(s.cfg.strategy, ctx, s.memory, r, s.cfg.name);
        if (!price) {
          std::cerr << s.cfg.name << ": no bid: " << price.err().message << "\n";
          return std::string{};
        }
        s.last_bid = price.value();
        chain::order_terms t;
        t.market = s.cfg.market;
        t.cycle = cycle;
        t.side = s.cfg.side;
        t.price_ucpkwh = price.value();
        t.energy_mwh = r.between(s.cfg.min_energy, s.cfg.max_energy);
        t.distance_pref_mm = s.cfg.distance_pref;
        t.bus = s.cfg.bus;
        t.seq = cycle;
        t.meter = s.cfg.meter;
        const auto order = chain::sign_order(t, s.cfg.chain_id, s.cfg.key);
        const std::string envelope = detail::as_string(order.envelope);
        auto promise = self->make_response_promise<std::string>();
        self->request(s.cfg.miner, s.cfg.miner_timeout, order_atom::value, envelope)
            .then(
                [self, promise, envelope](const std::string& verdict) mutable {
                  if (verdict != "ok") std::cerr << self->state.cfg.name << ": order refused: " << verdict << "\n";
                  promise.deliver(verdict == "ok" ? envelope : std::string{});
                },
                [promise](caf::error&) mutable { promise.deliver(std::string{}); });
        return promise;
      },
      [self](outcome_atom, const outcome_notice& n) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        const bool rejected = n.outcome == static_cast<std::uint8_t>(market::outcome_kind::rejected);
        s.history.push_back(outcome_record{n.cycle, n.outcome, n.reason, n.traded_mwh, n.price_ucpkwh, s.last_bid});
        market::remember(s.memory, s.last_bid, rejected, n.price_ucpkwh);
        if (n.trades.empty()) return std::vector<chain::hash256>{};
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        detail::with_nonce(self, promise, [self, promise, n](std::uint64_t nonce) mutable {
          auto& me = self->state;
          std::vector<chain::signed_transaction> txs;
          const chain::hash256 meter_root = chain::blake2b_256(me.cfg.meter.data(), me.cfg.meter.size());
          const std::uint64_t expiry = n.height + me.cfg.ctp_lifetime_blocks;
          for (const auto& t : n.trades) {
            chain::ctp_commit_body b;
            b.producer = t.seller;
            b.energy_mwh = t.energy_mwh;
            b.amount_uc = t.amount_uc;
            b.expiry_height = expiry;
            b.meter_root = meter_root;
            txs.push_back(me.signer.sign(b, nonce, expiry));
          }
          detail::submit_all(self, me.cfg.miner, std::move(txs), me.cfg.name,
                             [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(ids); });
        });
        return promise;
      },
      [self](history_atom) { return self->state.history; },
      [self](balance_atom) -> caf::result<std::int64_t, std::int64_t> {
        auto promise = self->make_response_promise<std::int64_t, std::int64_t>();
        self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, account_atom::value, self->state.cfg.key.pub)
            .then([promise](std::int64_t balance, std::int64_t held, std::uint64_t) mutable { promise.deliver(balance, held); },
                  [promise](caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
      [self](expire_atom) -> caf::result<std::vector<chain::hash256>> {
        // Open holds first: most prosumers have none, and then need no height or nonce.
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, ctps_atom::value, self->state.cfg.key.pub)
            .then(
                [self, promise](const std::vector<open_ctp>& open) mutable {
                  if (open.empty()) {
                    promise.deliver(std::vector<chain::hash256>{});
                    return;
                  }
                  detail::with_height_and_nonce(self, promise, [self, promise, open](std::uint64_t height,
                                                                                     std::uint64_t nonce) mutable {
                    auto& s = self->state;
                    std::vector<chain::signed_transaction> txs;
                    // A timeout is valid from the block after expiry on.
                    for (const auto& c : open)
                      if (c.expiry_height < height)
                        txs.push_back(s.signer.sign(chain::ctp_timeout_body{c.id}, nonce, height + 100));
                    detail::submit_all(self, s.cfg.miner, std::move(txs), s.cfg.name,
                                       [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(ids); });
                  });
                },
                [promise](caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_prosumer(caf::actor_system& system, const prosumer_config& config) {
  return system.spawn(prosumer, config);
}

}  // namespace voltaic::agents
