#pragma once
// What a block changed in an application's state, as a store keeps it: one
// record per key in one of two tables (the electricity chain keeps its CTP
// database in the second), and the chained state root headers carry.
//   changes_hash   = BLAKE2b-256 of [[key, present, value]...] in key order
//   next_state_root = BLAKE2b-256(previous root || changes_hash)
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <optional>
#include <vector>

#include "voltaic/chain/core/hash.hpp"

namespace voltaic::chain {

enum class state_table : std::uint8_t { state = 0, ctps = 1 };

struct state_change {
  state_table table = state_table::state;
  bytes key;
  std::optional<bytes> value;  // nullopt: deleted
  bool operator==(const state_change& o) const { return table == o.table && key == o.key && value == o.value; }
};
using state_changes = std::vector<state_change>;  // sorted by key

hash256 changes_hash(const state_changes& changes);
hash256 next_state_root(const hash256& previous, const state_changes& changes);

}  // namespace voltaic::chain
