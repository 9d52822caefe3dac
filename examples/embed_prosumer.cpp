// A house of a running lab inside a program of your own: it takes party
// NAME's place in the scenario (its validators and market clock already
// running elsewhere), trades on its own until the lab is over, then prints
// what it learnt of each cycle.
//   embed_prosumer SCENARIO.toml NAME
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <cstdlib>
#include <iostream>

#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/market/outcome.hpp"
#include "voltaic/market/units.hpp"
#include "voltaic/runtime/lab_house.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: embed_prosumer SCENARIO.toml NAME\n";
    return 2;
  }
  auto scenario = voltaic::runtime::load_scenario(argv[1]);
  if (!scenario) {
    std::cerr << "embed_prosumer: " << scenario.err().message << "\n";
    return 2;
  }
  caf::actor_system_config cfg;
  voltaic::agents::register_protocol(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system system{cfg};
  auto house = voltaic::runtime::join_lab(system, scenario.value(), argv[2]);
  if (!house) {
    std::cerr << "embed_prosumer: " << house.err().message << "\n";
    return 1;
  }
  std::cout << argv[2] << " joined the lab" << std::endl;
  caf::scoped_actor self{system};
  self->monitor(house.value().clock);
  self->receive([](caf::down_msg&) {});  // the lab is over when its clock goes
  int status = 1;
  self->request(house.value().prosumer, std::chrono::seconds(10), voltaic::agents::history_atom::value)
      .receive(
          [&](const std::vector<voltaic::agents::outcome_record>& history) {
            for (const auto& r : history)
              std::cout << argv[2] << ": cycle " << r.cycle << ": "
                        << (r.outcome == voltaic::agents::late_outcome
                                ? "late"
                                : voltaic::market::to_string(static_cast<voltaic::market::outcome_kind>(r.outcome)))
                        << ", " << voltaic::market::format_scaled(r.traded_mwh, voltaic::market::mwh_per_kwh)
                        << " kWh at p0 " << voltaic::market::format_scaled(r.price_ucpkwh, voltaic::market::uc_per_credit)
                        << std::endl;
            status = history.empty() ? 1 : 0;
          },
          [](caf::error& e) { std::cerr << "embed_prosumer: " << to_string(e) << "\n"; });
  // CAF 0.17 may wait forever at exit while it holds handles to actors of
  // other processes: end here, with everything said.
  std::cout.flush();
  std::_Exit(status);
}
