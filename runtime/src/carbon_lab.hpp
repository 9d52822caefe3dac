#pragma once
// A scenario's carbon market as agents (private to runtime/): carbon
// validators on LMDB under out_dir/carbon_chain/, the participants and the
// carbon clock, one period after another; writes carbon_quotas.csv,
// carbon_trades.csv and carbon_results.csv into out_dir. In one process, or
// spread over several (voltaic run FILE --only with the names below).
// Exit status as the commands': 0, 1 when a period fails, 2 for bad input
// (a prices file, an existing chain, a part the file cannot place).

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "voltaic/market/error.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

// Which of the carbon market's agents run in this process. Names for
// --only: carbon.c0, carbon.c1, ... (validators), carbon.<bus> (a
// participant), carbon.clock, and carbon (the clock and every participant).
struct carbon_part {
  std::vector<bool> validators;
  std::vector<bool> participants;  // as [[carbon_participant]] lists them
  bool clock = false;
  bool any_validator() const;
  bool any_agent() const;
  bool all() const;  // every part: the market in one process
};

// The whole market in this process.
carbon_part whole_carbon_market(const carbon_scenario& c);
// The carbon names among `names` (those starting "carbon"); the others are
// left to the electricity lab. Unknown carbon names are refused.
market::result<carbon_part> resolve_carbon_part(const carbon_scenario& c, const std::vector<std::string>& names);
bool names_carbon(const std::string& name);

int run_carbon_lab(const carbon_scenario& carbon, std::uint64_t seed, const std::string& out_dir,
                   const carbon_part& part, std::ostream& out, std::ostream& err);

}  // namespace voltaic::runtime
