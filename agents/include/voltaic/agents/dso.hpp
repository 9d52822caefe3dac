#pragma once
// The DSO agent: it holds the feeder, publishes the grid version with the
// hash of the distances between load buses, the charge per metre and the
// imbalance penalty, and reconfigures the grid (opens or closes a line)
// between cycles. Validators apply the same change to their copy of the grid
// and refuse an update whose hashes they do not reproduce.
// Messages: see messages.hpp (publish, gridchg).
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>

#include "voltaic/chain/keys.hpp"
#include "voltaic/chain/market_grid.hpp"

namespace voltaic::agents {

struct dso_config {
  std::string name = "dso";
  chain::key_pair key;
  std::string chain_id;
  chain::market_grid grid;
  std::int64_t charge_uc_per_m = 2'000;
  std::int64_t penalty_ucpkwh = 50'000;
  caf::actor miner;
};

caf::actor spawn_dso(caf::actor_system& system, const dso_config& config);

}  // namespace voltaic::agents
