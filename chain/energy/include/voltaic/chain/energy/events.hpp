#pragma once
// The electricity chain's events (node::event), what agents that follow the
// chain act on (after the node's own block_committed, node/application.hpp):
//   "cycle_fixed" = [market, cycle, order_count]: the block fixed the cycle's
//                   order set, with its clearing and dues; validators answer
//                   for it (fixed_orders) from now on
// Thread-safety: plain values and pure functions.

#include <cstdint>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/node/application.hpp"

namespace voltaic::chain {

inline constexpr const char* cycle_fixed_kind = "cycle_fixed";

struct cycle_fixed_event {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  std::uint64_t order_count = 0;
};

node::event make_event(std::uint64_t height, const cycle_fixed_event& e);
// Refuses an event of another kind or with damaged fields.
result<cycle_fixed_event> read_cycle_fixed(const node::event& e);

}  // namespace voltaic::chain
