#include "voltaic/chain/node/state_changes.hpp"

#include "voltaic/chain/core/codec.hpp"

namespace voltaic::chain {

hash256 changes_hash(const state_changes& changes) {
  encoder e;
  e.array(static_cast<std::uint32_t>(changes.size()));
  static const bytes empty;
  for (const auto& c : changes) e.array(3).bin(c.key).boolean(c.value.has_value()).bin(c.value ? *c.value : empty);
  return blake2b_256(e.take());
}

hash256 next_state_root(const hash256& previous, const state_changes& changes) {
  const hash256 h = changes_hash(changes);
  return blake2b_256(previous.data(), previous.size(), h.data(), h.size());
}

}  // namespace voltaic::chain
