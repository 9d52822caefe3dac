#include "validator_watch.hpp"

#include <iostream>
#include <utility>

#include "../redial.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"

namespace voltaic::runtime::trading {

namespace {

using redial_atom = caf::atom_constant<caf::atom("redial")>;
using caughtup_atom = caf::atom_constant<caf::atom("caughtup")>;

constexpr auto max_backoff = std::chrono::milliseconds(5'000);

struct agent_home {
  caf::actor agent;
  std::size_t validator = 0;
};

struct watch_state {
  std::vector<std::string> names;
  std::vector<endpoint> endpoints;     // by validator index
  std::vector<caf::actor> validators;  // by validator index; empty while away
  std::vector<agent_home> agents;
  std::vector<caf::actor> listeners;  // hear of every validator back (the market clock)
  static inline const char* name = "voltaic.validator_watch";
};

using watch_actor = caf::stateful_actor<watch_state>;

caf::behavior validator_watch(watch_actor* self, std::vector<validator_endpoint> addresses,
                              std::vector<caf::actor> validators, std::vector<agent_home> agents) {
  auto& st = self->state;
  for (const auto& a : addresses) {
    st.names.push_back(a.name);
    st.endpoints.push_back({a.host, a.port});
  }
  st.validators = std::move(validators);
  st.agents = std::move(agents);
  for (const auto& v : st.validators) self->monitor(v);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& s = self->state;
    for (std::size_t v = 0; v < s.validators.size(); ++v)
      if (s.validators[v] && s.validators[v].address() == m.source) {
        s.validators[v] = caf::actor{};
        dial_later<redial_atom>(self, s.endpoints[v], v);
      }
  });
  return {
      [self](redial_atom, std::uint64_t v) {
        dial<redial_atom>(
            self, [self](std::uint64_t slot) -> endpoint& { return self->state.endpoints[slot]; }, v, max_backoff,
            [self, v](caf::actor found) {
              self->state.validators[v] = found;
              self->monitor(found);
              self->send(self, caughtup_atom::value, v);
            });
      },
      // Given back once it has caught up with another validator still
      // there: before that it would answer about an older chain.
      [self](caughtup_atom, std::uint64_t v) {
        auto& s = self->state;
        const caf::actor back = s.validators[v];
        if (!back) return;  // gone again: dialled again
        auto announce = [self, v, back] {
          auto& w = self->state;
          if (w.validators[v] != back) return;
          std::cerr << ("voltaic: validator " + w.names[v] + " answers again; its agents here turn back to it\n");
          for (const auto& a : w.agents) self->send(a.agent, agents::valback_atom::value, back, a.validator == v);
          for (const auto& l : w.listeners) self->send(l, agents::valback_atom::value, back, false);
        };
        caf::actor other;
        for (std::size_t k = 0; k < s.validators.size() && !other; ++k)
          if (k != v && s.validators[k]) other = s.validators[k];
        if (!other) return announce();
        auto later = [self, v] { self->delayed_send(self, std::chrono::milliseconds(200), caughtup_atom::value, v); };
        self->request(other, std::chrono::seconds(2), agents::head_atom::value)
            .then(
                [self, back, announce, later](std::uint64_t target, const std::string&) {
                  self->request(back, std::chrono::seconds(2), agents::head_atom::value)
                      .then([announce, later, target](std::uint64_t height,
                                                      const std::string&) mutable { height >= target ? announce() : later(); },
                            [later](caf::error&) { later(); });
                },
                [later](caf::error&) { later(); });
      },
      [self](agents::valwatch_atom, caf::actor listener) { self->state.listeners.push_back(std::move(listener)); },
  };
}

}  // namespace

caf::actor watch_validators(caf::actor_system& system, const std::vector<validator_endpoint>& addresses,
                            const std::vector<caf::actor>& validators, const lab_agents& agents) {
  std::vector<agent_home> homes;
  const std::size_t n = validators.size();
  for (const auto& [i, house] : agents.houses) homes.push_back({house, i % n});
  for (const auto& [i, meter] : agents.local_meters) homes.push_back({meter, i % n});
  if (agents.dso) homes.push_back({agents.dso, 0});
  return system.spawn(validator_watch, addresses, validators, std::move(homes));
}

}  // namespace voltaic::runtime::trading
