#pragma once
// Test helpers: miners of a workload's validator set in one actor system,
// each with its own LMDB store under `root`, and a head query.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"

namespace voltaic::test {

// An empty directory under the system's temp directory, unique to this
// process and test name.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto root = std::filesystem::temp_directory_path() / ("voltaic-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  return root;
}

// The IEEE 33-bus feeder's load buses as a market grid.
inline chain::result<chain::market_grid> ieee33_grid() {
  auto feeder = market::load_feeder("ieee33", source_dir() + "/data/feeders");
  if (!feeder) return feeder.err();
  std::vector<std::uint32_t> buses;
  for (const auto& b : feeder.value().load_buses) buses.push_back(feeder.value().grid.bus_index(b).value());
  return chain::market_grid::make(feeder.value().grid, buses);
}

inline chain::workload_options lab_options(std::uint32_t validators, std::string chain_id) {
  chain::workload_options wo;
  wo.validators = validators;
  wo.chain_id = std::move(chain_id);
  return wo;
}

// Validator `i` of a workload, its store and sign guard under `root`.
inline agents::miner_config lab_miner(const chain::workload& wl, const std::filesystem::path& root, std::uint32_t i) {
  agents::miner_config mc;
  mc.name = "v" + std::to_string(i);
  mc.store_dir = (root / mc.name).string();
  mc.sign_guard_path = (root / (mc.name + ".signed")).string();
  mc.genesis = wl.genesis();
  mc.key = wl.validator_key(i);
  mc.index = i;
  mc.timing.timeout_propose_ms = 200;
  return mc;
}

// Spawns the miners whose indexes are listed (the others' slots stay empty)
// and tells each the whole peer vector.
inline std::vector<caf::actor> spawn_miners(caf::actor_system& system, const chain::workload& wl,
                                            const std::filesystem::path& root, const std::vector<std::uint32_t>& which,
                                            bool checks_on_own_thread = false) {
  std::vector<caf::actor> miners(wl.genesis().validators.size());
  for (std::uint32_t i : which) {
    agents::miner_config mc = lab_miner(wl, root, i);
    mc.timing.gossip_ms = 100;
    mc.checks_on_own_thread = checks_on_own_thread;
    miners[i] = agents::spawn_miner(system, mc);
  }
  for (std::uint32_t i : which) caf::anon_send(miners[i], agents::peers_atom::value, miners);
  return miners;
}

inline std::uint64_t head_of(caf::scoped_actor& client, const caf::actor& miner) {
  std::uint64_t h = 0;
  client->request(miner, std::chrono::seconds(10), agents::head_atom::value)
      .receive([&](std::uint64_t height, const std::string&) { h = height; }, [&](caf::error&) {});
  return h;
}

// Miners of a workload in one actor system, and a client to ask them.
// Leaving the scope stops them (read their stores after that).
struct miner_lab {
  miner_lab(const chain::workload& wl, const std::filesystem::path& root, const std::vector<std::uint32_t>& which,
            bool checks_on_own_thread = false)
      : system(cfg), miners(spawn_miners(system, wl, root, which, checks_on_own_thread)), client(system) {}
  ~miner_lab() {
    for (const auto& m : miners)
      if (m) client->send_exit(m, caf::exit_reason::user_shutdown);
  }
  miner_lab(const miner_lab&) = delete;
  miner_lab& operator=(const miner_lab&) = delete;

  caf::actor_system_config cfg;
  caf::actor_system system;
  std::vector<caf::actor> miners;
  caf::scoped_actor client;
};

}  // namespace voltaic::test
