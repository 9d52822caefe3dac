#pragma once
// voltaic run of a scenario whose market is "bilateral" (private to runtime/).

#include <iosfwd>
#include <string>
#include <vector>

#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::bilateral {

// The whole lab in this process, or the parts `only` names (bilateral_lab.hpp,
// run_apart); exit 1 when a deal failed (not for a rejected negotiation or a
// refunded hold: those are outcomes).
int run_scenario(const scenario_config& sc, const std::vector<std::string>& only, const std::string& out_dir,
                 std::ostream& out, std::ostream& err);

}  // namespace voltaic::runtime::bilateral
