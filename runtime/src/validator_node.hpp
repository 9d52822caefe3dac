#pragma once
// Serving validators (private to runtime/): the miners a process runs,
// published at their configured addresses, kept connected to the others
// (reconnecting when a peer goes away) until SIGINT or SIGTERM.

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "voltaic/agents/miner.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime {

// Where validator i listens, and where its store is (for the log).
struct peer_endpoint {
  std::string name;
  std::string host;
  std::uint16_t port = 0;
  std::string store_dir;  // empty: it keeps no chain (a backbone router)
  std::string kind = "validator";
};

// What a validator process's actor system needs: the protocol, the
// middleman with heartbeats, and work sharing.
void configure_validator_system(caf::actor_system_config& cfg);

// Publishes each validator this process runs (`peers[i]` set) at `at[i]`,
// connects to the others and tells the local ones who their peers are,
// again whenever one comes or goes, until SIGINT or SIGTERM; then ends the
// process. Returns (1) only when a validator cannot listen. Any validator
// actor that takes (peers, handles) and (head) serves: miners, carbon validators.
int serve_peers(caf::actor_system& system, const std::vector<peer_endpoint>& at, std::vector<caf::actor> peers,
                std::ostream& out, std::ostream& err);

// `local[i]`: validator i runs here. `customize` adjusts each miner's
// configuration (a scenario's grid, rules and clock). Stores go to
// chain_dir/<name>/. Ends the process when stopped.
int serve_validators(const run_config& c, const std::vector<bool>& local, const std::string& chain_dir,
                     const std::function<void(agents::miner_config&)>& customize, std::ostream& out,
                     std::ostream& err);

}  // namespace voltaic::runtime
