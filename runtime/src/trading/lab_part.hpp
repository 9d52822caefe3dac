#pragma once
// What `voltaic run --only` asks this process to run of a trading scenario
// (private to runtime/, used by run_trading).
// Thread-safety: a pure function.

#include <string>
#include <vector>

#include "parties.hpp"
#include "voltaic/market/error.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime::trading {

struct lab_part {
  std::vector<bool> validators;     // by index in the validator set
  std::vector<bool> houses;         // by party index
  bool dso = false, clock = false, recorder = false;
  bool any_validator() const;
  bool any_agent() const;
};

// `names` as --only lists them; empty: everything. A name that matches
// nothing, a range whose ends are not parties in order, or validators with
// agents in one process, is refused.
market::result<lab_part> resolve_part(const std::vector<std::string>& names, const std::vector<party>& parties,
                                      const run_config& rc);

}  // namespace voltaic::runtime::trading
