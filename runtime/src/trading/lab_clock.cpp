#include "lab_clock.hpp"

#include <cstdlib>

namespace voltaic::runtime::trading {

agents::market_clock_config clock_settings(const scenario_config& sc, const chain::genesis_config& genesis,
                                           const lab_place& place, caf::actor roster, std::uint64_t done,
                                           std::int64_t money_uc, std::ostream& out, const std::string& crash_after) {
  agents::market_clock_config mc;
  mc.validators = *place.validators;
  mc.validators_local = place.validators_local;
  mc.validator_watch = place.validator_watch;
  mc.roster = std::move(roster);
  for (std::uint64_t m = 1; m <= sc.markets; ++m) mc.market_ends.push_back(m * sc.prosumers);
  mc.first_cycle = done + 1;
  mc.cycles = sc.cycles;
  mc.cycle_ms = sc.cycle_ms;
  mc.genesis_ms = genesis.time_ms;
  mc.wall_clock = sc.wall_clock;
  mc.chunk_answers = sc.chunk_answers;
  mc.money_uc = money_uc;
  mc.say = [&out](const std::string& line) { out << line << std::endl; };
  if (!crash_after.empty())
    mc.after_phase = [crash_after, &out](std::uint64_t cycle, const std::string& phase) {
      if (std::to_string(cycle) + ":" + phase != crash_after) return;
      out << "--crash-after " << crash_after << ": ending abruptly" << std::endl;
      std::_Exit(137);
    };
  return mc;
}

}  // namespace voltaic::runtime::trading
