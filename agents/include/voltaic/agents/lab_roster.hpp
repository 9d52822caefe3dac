#pragma once
// Where a lab's trading agents are: the house (prosumer) of every party, the
// DSO, the recorder and the carbon market's participants, wherever their
// processes run. Agents join it — from
// this process or another, again after a restart (the newer handle wins) —
// and the market clock reads it at every phase, so an agent restarted
// elsewhere takes part from the next phase on. An agent whose actor ends
// leaves its place empty until it joins again.
// Messages:
//   (join, role, index, actor) -> bool  role "house" (index: the party's),
//                                       "dso" or "recorder" (index 0),
//                                       "carbon" (the participant's); false
//                                       for an unknown role or index
//   (roster)                   -> lab_roster
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voltaic::agents {

using join_atom = caf::atom_constant<caf::atom("join")>;
using roster_atom = caf::atom_constant<caf::atom("roster")>;

struct lab_roster {
  std::vector<caf::actor> houses;  // by party index; empty handle: not (or no longer) there
  caf::actor dso;
  caf::actor recorder;
  std::vector<caf::actor> carbon;  // by carbon participant index
  bool full() const {
    for (const auto& h : houses)
      if (!h) return false;
    return dso && recorder;
  }
  bool carbon_full() const {
    for (const auto& c : carbon)
      if (!c) return false;
    return true;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lab_roster& x) {
  return f(caf::meta::type_name("lab_roster"), x.houses, x.dso, x.recorder, x.carbon);
}

caf::actor spawn_lab_roster(caf::actor_system& system, std::size_t houses, std::size_t carbon_participants = 0);

}  // namespace voltaic::agents
