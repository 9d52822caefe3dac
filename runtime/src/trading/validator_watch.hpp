#pragma once
// The validators of other processes, watched for this process's agents
// (private to runtime/, used by run_trading). When one goes away, the watch
// dials its address again with backoff (redial.hpp: 100 ms doubling to 5 s);
// once it answers, under a new handle, and has caught up with a validator
// still there, every agent here hears of it
// (valback, agents/messages.hpp): the agents whose own validator it is turn
// back to it, the others keep it as a fallback (hostile test F13).
// Thread-safety: an actor; spawn once per process.

#include <caf/all.hpp>

#include <vector>

#include "lab_agents.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime::trading {

// `validators` are the handles connected at start, in the file's order; a
// house, and its meter, belong to validator (party index mod count), the DSO
// to the first.
caf::actor watch_validators(caf::actor_system& system, const std::vector<validator_endpoint>& addresses,
                            const std::vector<caf::actor>& validators, const lab_agents& agents);

}  // namespace voltaic::runtime::trading
