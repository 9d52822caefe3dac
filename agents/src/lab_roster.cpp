#include "voltaic/agents/lab_roster.hpp"

namespace voltaic::agents {

namespace {

struct roster_state {
  lab_roster places;
  static inline const char* name = "voltaic.lab_roster";
};

caf::behavior roster(caf::stateful_actor<roster_state>* self, std::size_t houses, std::size_t carbon) {
  self->state.places.houses.resize(houses);
  self->state.places.carbon.resize(carbon);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& p = self->state.places;
    auto gone = [&m](caf::actor& a) {
      if (a && a.address() == m.source) a = caf::actor{};
    };
    for (auto& h : p.houses) gone(h);
    for (auto& c : p.carbon) gone(c);
    gone(p.dso);
    gone(p.recorder);
  });
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.places = lab_roster{};  // drop every handle: CAF 0.17 keeps
                                        // actors alive while one is held
    self->quit(m.reason);
  });
  return {
      [self](join_atom, const std::string& role, std::uint64_t index, caf::actor who) -> bool {
        auto& p = self->state.places;
        caf::actor* place = nullptr;
        if (role == "house" && index < p.houses.size()) place = &p.houses[index];
        if (role == "dso" && index == 0) place = &p.dso;
        if (role == "recorder" && index == 0) place = &p.recorder;
        if (role == "carbon" && index < p.carbon.size()) place = &p.carbon[index];
        if (!place || !who) return false;
        self->monitor(who);
        *place = std::move(who);
        return true;
      },
      [self](roster_atom) { return self->state.places; },
  };
}

}  // namespace

caf::actor spawn_lab_roster(caf::actor_system& system, std::size_t houses, std::size_t carbon_participants) {
  return system.spawn(roster, houses, carbon_participants);
}

}  // namespace voltaic::agents
