#pragma once
// The cycles of a trading run (private to runtime/): everything run_trading
// set up, and the loop over the scenario's cycles.
// Thread-safety: runs on the caller's thread, with the actors it names.

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "chain_clock.hpp"
#include "driver.hpp"
#include "lab_setup.hpp"
#include "outputs.hpp"
#include "parties.hpp"
#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

struct cycle_world {
  const scenario_config& sc;
  const run_config& rc;
  driver& d;
  chain_clock& clock;
  const std::vector<caf::actor>& miners;
  const caf::actor& watcher;  // the validator whose chain the driver reads
  const caf::actor& dso;
  std::vector<party>& parties;
  const std::unordered_map<chain::public_key, std::size_t, chain::key_hasher>& party_of;
  chain::market_grid& view;  // the grid as of the next cycle
  const market::feeder& feeder;
  std::chrono::seconds limit;  // for each wait on the chain
  std::ostream& out;
  std::int64_t money_total;
  csv_out& orders_csv;
  csv_out& outcomes_csv;
  csv_out& clearing_csv;
  csv_out& trades_csv;
  csv_out& settlements_csv;
  csv_out& balances_csv;
  std::function<bool()> expire_holds;  // times out expired holds; false if that fails
  std::size_t& expired_now;            // timeouts the last expire_holds submitted
};

// Runs cycles first_cycle..sc.cycles; empty, or what went wrong.
std::string run_cycles(cycle_world& w, std::uint64_t first_cycle);

}  // namespace voltaic::runtime::trading
