#pragma once
// The load generator's client (`voltaic load`): one event-based actor with
// many requests in flight, offering signed transactions to the validators
// at a rate and watching the chain for them (private to runtime/).

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "redial.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

struct load_report {
  std::uint64_t sent = 0, refused = 0, resubmitted = 0, resigned = 0, seen_height = 0, not_committed = 0;
  std::map<std::string, std::uint64_t> refusals;
  std::vector<double> latencies;  // ms
  double span_s = 0;
};

// A validator of the file, `endpoint` (redial.hpp): where to connect again
// when it goes away.

// Runs the client against `validators` (one slot per endpoint; an empty
// slot is connected later) until every offer is committed or given up, and
// returns what it saw.
load_report run_load_client(caf::actor_system& system, const load_options& o, const std::string& chain_id,
                            std::vector<caf::actor> validators, std::vector<endpoint> endpoints);

}  // namespace voltaic::runtime
