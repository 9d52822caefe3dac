#pragma once
// The DSO agent: it holds the feeder, publishes the grid version with the
// hash of the distances between load buses, the charge per metre and the
// imbalance penalty, and reconfigures the grid (opens or closes a line) as
// the quotation of a scheduled cycle opens. Validators apply the same
// change to their copy of the grid and refuse an update whose hashes they
// do not reproduce.
// It also keeps the DSO channel: once a cycle is settled it asks its
// validator (a question only the DSO may sign) for each market's price and
// the energy traded and grid charges per bus — summaries only, never an
// order's reserve price — and appends them to `channel_path` as CSV
// (cycle,market,price,bus,traded_kwh,grid_charge).
// Messages: see messages.hpp (publish, phase).
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/energy/market_grid.hpp"

namespace voltaic::agents {

struct dso_config {
  std::string name = "dso";
  chain::key_pair key;
  std::string chain_id;
  chain::market_grid grid;
  std::int64_t charge_uc_per_m = 2'000;
  std::int64_t penalty_ucpkwh = 50'000;
  std::string channel_path;  // empty: the channel is not written
  std::uint64_t markets = 1;
  std::vector<std::string> bus_names;  // of the load buses, by index
  // Grid changes ("open L12"), each before the quotation of its cycle.
  std::vector<std::pair<std::uint64_t, std::string>> grid_changes;
  caf::actor miner;
  // Other validators to turn to, in order, when `miner` goes away.
  std::vector<caf::actor> fallback_miners;
  caf::duration miner_timeout{std::chrono::seconds(10)};  // see prosumer_config::miner_timeout
};

caf::actor spawn_dso(caf::actor_system& system, const dso_config& config);

}  // namespace voltaic::agents
