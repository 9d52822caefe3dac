#pragma once
// The market clock's settings for a trading lab (private to runtime/, used by
// run_trading).

#include <caf/all.hpp>

#include <cstdint>
#include <ostream>
#include <string>

#include "lab_agents.hpp"
#include "voltaic/agents/market_clock.hpp"
#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

// Cycles from `done + 1` on, with the validators `place` names and the
// agents of `roster`; `money_uc` is what every account holds together (the
// clock checks it is conserved). With `crash_after` ("cycle:phase") the
// process ends abruptly after that phase, as a crash would.
agents::market_clock_config clock_settings(const scenario_config& sc, const chain::genesis_config& genesis,
                                           const lab_place& place, caf::actor roster, std::uint64_t done,
                                           std::int64_t money_uc, std::ostream& out, const std::string& crash_after);

}  // namespace voltaic::runtime::trading
