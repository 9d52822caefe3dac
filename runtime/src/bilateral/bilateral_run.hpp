#pragma once
// voltaic run of a scenario whose market is "bilateral" (private to runtime/).

#include <iosfwd>
#include <string>

#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::bilateral {

// The whole lab in this process; exit 1 when a deal failed (not for a
// rejected negotiation or a refunded hold: those are outcomes).
int run_scenario(const scenario_config& sc, const std::string& out_dir, std::ostream& out, std::ostream& err);

}  // namespace voltaic::runtime::bilateral
