#pragma once
// What `voltaic run --only` asks this process to run of a trading scenario
// (private to runtime/, used by run_trading).
// Thread-safety: a pure function.

#include <string>
#include <vector>

#include "parties.hpp"
#include "voltaic/market/error.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

struct lab_part {
  std::vector<bool> validators;     // by index in the validator set
  std::vector<bool> houses;         // by party index
  std::vector<bool> meters;         // meters the file places apart that run here, by party index
  bool dso = false, clock = false, recorder = false;
  // Whether party i's meter runs in this process: with its house, unless
  // the file places it apart; a placed one where --only names it.
  bool meter_here(const scenario_config& sc, const std::vector<party>& parties, std::size_t i) const;
  bool any_validator() const;
  bool any_agent() const;
};

// `names` as --only lists them; empty: everything. `p3.meter` names a meter
// the file places apart. A name that matches nothing, a range whose ends are
// not parties in order, a meter the file does not place, or validators with
// agents in one process, is refused; so is a [[meter]] of no party.
market::result<lab_part> resolve_part(const std::vector<std::string>& names, const std::vector<party>& parties,
                                      const scenario_config& sc);

}  // namespace voltaic::runtime::trading
