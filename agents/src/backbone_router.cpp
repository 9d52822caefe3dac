#include "voltaic/agents/backbone_router.hpp"

#include <map>

#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

namespace {

constexpr auto patience = std::chrono::seconds(10);

struct association {
  caf::actor who;
  std::uint64_t counter = 0;
};

struct router_state {
  backbone_router_config cfg;
  std::vector<caf::actor> routers;
  std::vector<bool> gone;
  std::map<chain::public_key, association> associated;
  std::map<chain::public_key, std::uint64_t> counters;  // the last each key used here
  static inline const char* name = "voltaic.backbone_router";
};

using router_actor = caf::stateful_actor<router_state>;

std::string short_hex(const chain::public_key& k) { return chain::to_hex(k.data(), 8); }

// Delivers to the participant associated here, or says why not.
void deliver_here(router_actor* self, const chain::public_key& destination, const std::string& sealed,
                  caf::response_promise promise) {
  auto it = self->state.associated.find(destination);
  if (it == self->state.associated.end())
    return promise.deliver("undeliverable: no participant is associated with key " + short_hex(destination) +
                           " at router " + std::to_string(self->state.cfg.index));
  self->request(it->second.who, patience, deliver_atom::value, destination, sealed)
      .then([promise](const std::string& verdict) mutable { promise.deliver(verdict); },
            [promise](caf::error& e) mutable {
              promise.deliver("undeliverable: the participant did not take it: " + to_string(e));
            });
}

void route(router_actor* self, const chain::public_key& destination, const std::string& sealed,
           caf::response_promise promise) {
  auto& s = self->state;
  if (s.cfg.tap) s.cfg.tap(destination, sealed);
  const std::size_t serving = s.cfg.table.serving(destination, s.gone);
  if (serving == s.cfg.index) return deliver_here(self, destination, sealed, promise);
  if (serving >= s.routers.size() || !s.routers[serving])
    return promise.deliver("undeliverable: no router serves key " + short_hex(destination) + " (its router and standby are gone)");
  self->request(s.routers[serving], patience, relay_atom::value, destination, sealed)
      .then([promise](const std::string& verdict) mutable { promise.deliver(verdict); },
            [promise, serving](caf::error& e) mutable {
              promise.deliver("undeliverable: router " + std::to_string(serving) + " did not answer: " + to_string(e));
            });
}

caf::behavior backbone_router(router_actor* self, backbone_router_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.gone.assign(self->state.cfg.table.routers(), false);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& s = self->state;
    for (std::size_t i = 0; i < s.routers.size(); ++i)
      if (s.routers[i] && s.routers[i].address() == m.source) {
        s.routers[i] = caf::actor{};
        s.gone[i] = true;
      }
    for (auto it = s.associated.begin(); it != s.associated.end();)
      it = it->second.who.address() == m.source ? s.associated.erase(it) : std::next(it);
  });
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.routers.clear();
    self->state.associated.clear();
    self->quit(m.reason);
  });
  // The routers by index, from its process (`peers` is what a process
  // serving validators and routers alike tells them: runtime/validator_node.hpp).
  auto take_routers = [self](std::vector<caf::actor> routers) {
    auto& s = self->state;
    s.routers = std::move(routers);
    s.routers.resize(s.cfg.table.routers());
    for (std::size_t i = 0; i < s.routers.size(); ++i) {
      s.gone[i] = !s.routers[i];
      if (s.routers[i] && i != s.cfg.index) self->monitor(s.routers[i]);
    }
  };
  return {
      [take_routers](routers_atom, std::vector<caf::actor> routers) { take_routers(std::move(routers)); },
      [take_routers](peers_atom, std::vector<caf::actor> routers) { take_routers(std::move(routers)); },
      [self](associate_atom, const chain::public_key& key, std::uint64_t counter, const std::string& sig,
             caf::actor who) -> std::string {
        auto& s = self->state;
        const auto& range = s.cfg.table.range_of(key);
        if (range.router != s.cfg.index && range.standby != s.cfg.index)
          return "wrong-router: key " + short_hex(key) + " is served by router " + std::to_string(range.router);
        chain::signature signature{};
        if (sig.size() != signature.size()) return "bad-signature: not 64 bytes";
        std::copy(sig.begin(), sig.end(), signature.begin());
        if (!chain::verify(chain::domain::routing_envelope, s.cfg.chain_id,
                           association_message(key, s.cfg.index, counter), signature, key))
          return "bad-signature: the key did not sign this association";
        if (auto last = s.counters.find(key); last != s.counters.end() && counter <= last->second)
          return "stale-counter: " + std::to_string(counter) + " is not above " + std::to_string(last->second);
        if (!who) return "no-participant";
        s.counters[key] = counter;
        self->monitor(who);
        s.associated[key] = {std::move(who), counter};
        return "ok";
      },
      [self](route_atom, const chain::public_key& destination, const std::string& sealed) {
        auto promise = self->make_response_promise();
        route(self, destination, sealed, promise);
        return promise;
      },
      [self](relay_atom, const chain::public_key& destination, const std::string& sealed) {
        auto promise = self->make_response_promise();
        if (self->state.cfg.tap) self->state.cfg.tap(destination, sealed);
        deliver_here(self, destination, sealed, promise);
        return promise;
      },
  };
}

}  // namespace

chain::bytes association_message(const chain::public_key& key, std::uint64_t router, std::uint64_t counter) {
  chain::encoder e;
  e.array(4).str("associate").bin(key).uint(router).uint(counter);
  return e.take();
}

caf::actor spawn_backbone_router(caf::actor_system& system, const backbone_router_config& config) {
  return system.spawn(backbone_router, config);
}

}  // namespace voltaic::agents
