#include "voltaic/agents/routed_endpoint.hpp"

#include "voltaic/agents/backbone_router.hpp"
#include "voltaic/chain/core/sealed_box.hpp"

namespace voltaic::agents {

namespace {

constexpr auto patience = std::chrono::seconds(20);

struct endpoint_state {
  routed_endpoint_config cfg;
  std::vector<bool> gone;
  std::size_t router = SIZE_MAX;  // associated with, by index
  std::uint64_t counter = 0;      // of its associations, rising
  std::vector<std::string> inbox;
  static inline const char* name = "voltaic.routed_endpoint";
};

using endpoint_actor = caf::stateful_actor<endpoint_state>;

// Associates with the router that serves its key now (its own, else the standby).
void associate(endpoint_actor* self) {
  auto& s = self->state;
  const std::size_t serving = s.cfg.table.serving(s.cfg.key.pub, s.gone);
  if (serving >= s.cfg.routers.size() || !s.cfg.routers[serving]) {
    s.router = SIZE_MAX;
    return;
  }
  const std::uint64_t counter = ++s.counter;
  const auto sig = chain::sign(chain::domain::routing_envelope, s.cfg.chain_id,
                               association_message(s.cfg.key.pub, serving, counter), s.cfg.key);
  self->monitor(s.cfg.routers[serving]);
  self->request(s.cfg.routers[serving], patience, associate_atom::value, s.cfg.key.pub, counter,
                std::string(sig.begin(), sig.end()), caf::actor_cast<caf::actor>(self))
      .then(
          [self, serving](const std::string& verdict) {
            if (verdict == "ok") self->state.router = serving;
          },
          [](caf::error&) {});
}

caf::behavior routed_endpoint(endpoint_actor* self, routed_endpoint_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.gone.assign(self->state.cfg.table.routers(), false);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& s = self->state;
    bool mine = false;
    for (std::size_t i = 0; i < s.cfg.routers.size(); ++i)
      if (s.cfg.routers[i] && s.cfg.routers[i].address() == m.source) {
        s.cfg.routers[i] = caf::actor{};
        s.gone[i] = true;
        mine |= i == s.router;
      }
    if (mine) associate(self);  // the standby takes its range over
  });
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.cfg.routers.clear();
    self->state.cfg.owner = caf::actor{};
    self->quit(m.reason);
  });
  associate(self);
  return {
      [self](send_atom, const chain::public_key& destination, const std::string& plaintext) {
        auto promise = self->make_response_promise();
        auto& s = self->state;
        auto sealed = chain::seal_to(destination, chain::bytes(plaintext.begin(), plaintext.end()));
        if (!sealed) {
          promise.deliver("undeliverable: " + sealed.err().message);
          return promise;
        }
        if (s.router >= s.cfg.routers.size() || !s.cfg.routers[s.router]) {
          promise.deliver(std::string("undeliverable: not associated with any router"));
          return promise;
        }
        self->request(s.cfg.routers[s.router], patience, route_atom::value, destination,
                      std::string(sealed.value().begin(), sealed.value().end()))
            .then([promise](const std::string& verdict) mutable { promise.deliver(verdict); },
                  [promise](caf::error& e) mutable {
                    promise.deliver("undeliverable: its router did not answer: " + to_string(e));
                  });
        return promise;
      },
      [self](deliver_atom, const chain::public_key& destination, const std::string& sealed) -> std::string {
        auto& s = self->state;
        if (destination != s.cfg.key.pub) return "not-for-this-key";
        auto opened = chain::open_sealed(s.cfg.key, chain::bytes(sealed.begin(), sealed.end()));
        if (!opened) return opened.err().message;
        std::string plaintext(opened.value().begin(), opened.value().end());
        if (s.cfg.owner)
          self->send(s.cfg.owner, routed_atom::value, std::move(plaintext));
        else
          s.inbox.push_back(std::move(plaintext));
        return "ok";
      },
      [self](routers_atom, std::vector<caf::actor> routers) {
        auto& s = self->state;
        s.cfg.routers = std::move(routers);
        s.cfg.routers.resize(s.cfg.table.routers());
        for (std::size_t i = 0; i < s.gone.size(); ++i) s.gone[i] = !s.cfg.routers[i];
        associate(self);
      },
      [self](inbox_atom) { return self->state.inbox; },
      [self](associated_atom) { return static_cast<std::uint64_t>(self->state.router); },
  };
}

}  // namespace

caf::actor spawn_routed_endpoint(caf::actor_system& system, const routed_endpoint_config& config) {
  return system.spawn(routed_endpoint, config);
}

}  // namespace voltaic::agents
