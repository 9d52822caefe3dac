#include "lab_report.hpp"

#include <chrono>
#include <optional>
#include <tuple>

#include "voltaic/agents/miner.hpp"

namespace voltaic::runtime::trading {

void report_start(std::ostream& out, const scenario_config& sc, const std::string& feeder_name,
                  std::size_t validators, const std::vector<party>& parties, std::uint64_t done) {
  out << "voltaic: " << parties.size() << " prosumers in " << sc.markets << " market(s) of " << feeder_name << ", "
      << validators << " validator(s), " << sc.cycles << " cycle(s), " << to_string(sc.rules.mechanism) << " ("
      << to_string(sc.rules.policy) << "), " << (sc.wall_clock ? "wall" : "simulated") << " clock, seed " << sc.seed
      << std::endl;
  std::string silent, short_meters;
  for (const auto& p : parties) {
    if (p.silent) silent += " " + p.name;
    if (p.delivery_permille != 1'000) short_meters += " " + p.name;
  }
  if (!silent.empty()) out << "meters that never report:" << silent << std::endl;
  if (!short_meters.empty()) out << "meters that read short:" << short_meters << std::endl;
  for (const auto& p : parties)
    if (p.silent) out << p.name << ": meter silent; its holds expire" << std::endl;
  if (done > 0) out << "resuming at cycle " << done + 1 << "; cycles 1 to " << done << " are on chain" << std::endl;
}

void report_end(std::ostream& out, caf::scoped_actor& self, const std::vector<caf::actor>& miners,
                const run_config& rc, bool apart, const std::string& out_dir, const std::string& chain_dir,
                double seconds) {
  for (std::size_t i = 0; i < miners.size(); ++i) {
    std::optional<std::tuple<std::uint64_t, std::string>> head;
    // The run is over and validators are idle: one that does not answer soon
    // has gone (a killed process).
    self->request(miners[i], std::chrono::seconds(10), agents::head_atom::value)
        .receive([&](std::uint64_t h, std::string hash) { head.emplace(h, hash); }, [](caf::error&) {});
    if (!head) {
      out << rc.validators[i].name << ": did not answer" << std::endl;
      continue;
    }
    out << rc.validators[i].name << ": height " << std::get<0>(*head) << ", head " << std::get<1>(*head).substr(0, 16);
    if (!apart) out << ", chain in " << chain_dir << "/" << rc.validators[i].name;
    out << std::endl;
  }
  out << "results in " << out_dir
      << "/ (orders, outcomes, clearing, trades, settlements, balances, welfare, dso_channel .csv) after "
      << static_cast<int>(seconds * 10) / 10.0 << " s; check a replica with: voltaic chain verify " << chain_dir << "/"
      << rc.validators[0].name << std::endl;
}

}  // namespace voltaic::runtime::trading
