#pragma once
// The validators of a trading run in one process (private to runtime/, used
// by run_trading).
// Thread-safety: call from one thread.

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

// Each validator of `rc` spawned here, its chain in chain_dir/<name>.
caf::expected<std::vector<caf::actor>> spawn_validators(caf::actor_system& system, const scenario_config& sc,
                                                         const run_config& rc, const chain::market_grid& grid,
                                                         const std::string& chain_dir);

}  // namespace voltaic::runtime::trading
