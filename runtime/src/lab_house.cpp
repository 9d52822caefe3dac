#include "voltaic/runtime/lab_house.hpp"

#include <algorithm>
#include <sstream>

#include "trading/lab_agents.hpp"
#include "trading/lab_part.hpp"
#include "trading/lab_setup.hpp"
#include "trading/parties.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

market::result<lab_house> join_lab(caf::actor_system& system, const scenario_config& sc, const std::string& name) {
  auto refuse = [](const std::string& why) { return market::error{market::errc::invalid_argument, why}; };
  auto feeder = market::load_feeder(sc.feeder, feeder_data_root());
  if (!feeder) return feeder.err();
  std::vector<std::uint32_t> load_buses;
  for (const auto& bus : feeder.value().load_buses) load_buses.push_back(feeder.value().grid.bus_index(bus).value());
  auto grid = chain::market_grid::make(feeder.value().grid, load_buses);
  if (!grid) return grid.err();
  auto parties = trading::make_parties(sc, load_buses.size());
  auto part = trading::resolve_part({name}, parties, sc);
  if (!part) return part.err();
  const auto& h = part.value().houses;
  if (part.value().any_validator() || part.value().dso || part.value().clock || part.value().recorder ||
      std::count(h.begin(), h.end(), true) != 1)
    return refuse("'" + name + "' is not one house");
  if (sc.clock_port == 0) return refuse("the scenario gives no [clock] port to join");
  caf::scoped_actor self{system};
  std::ostringstream err;
  const auto validators = trading::connect_validators(system, self, sc.run, err);
  if (validators.empty()) return refuse(err.str());
  const trading::lab_place place{&validators, false, std::string{}, false, {}};
  const auto agents =
      trading::spawn_lab_agents(system, sc, sc.run.genesis, parties, grid.value(), feeder.value(), place, part.value());
  lab_house house;
  house.clock = trading::connect_to(system, self, sc.clock_host, sc.clock_port, err);
  if (!house.clock || !trading::join_roster(self, house.clock, agents))
    return refuse("the market clock at " + sc.clock_host + ":" + std::to_string(sc.clock_port) + " did not take it " +
                  err.str());
  const auto& p = parties[agents.houses.front().first];
  house.prosumer = p.prosumer;
  house.meter = p.meter;
  return house;
}

}  // namespace voltaic::runtime
