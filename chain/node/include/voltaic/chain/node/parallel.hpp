#pragma once
// Runs independent work items on the calling thread and on helper threads
// (one fewer than the machine's cores), for stateless checks such as
// signature verification. Items must not share mutable state, nor call
// parallel_for themselves. While the helpers serve another caller's batch, a
// caller does its own items alone, so several replicas in one process never
// wait for each other.
// Thread-safety: parallel_for may be called from any thread.

#include <cstddef>
#include <functional>

namespace voltaic::chain {

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& item);

}  // namespace voltaic::chain
