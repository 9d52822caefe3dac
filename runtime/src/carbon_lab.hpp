#pragma once
// A scenario's carbon market as agents in this process (private to
// runtime/): carbon validators on LMDB under out_dir/carbon_chain/, the
// participants and the carbon clock, one period; writes carbon_quotas.csv
// and carbon_trades.csv into out_dir. Exit status as the commands': 0, 1 when
// the period fails, 2 for bad input (a prices file, an existing chain).

#include <cstdint>
#include <iosfwd>
#include <string>

#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

int run_carbon_lab(const carbon_scenario& carbon, std::uint64_t seed, const std::string& out_dir, std::ostream& out,
                   std::ostream& err);

}  // namespace voltaic::runtime
