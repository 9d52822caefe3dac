#pragma once
// The backbone's range table (spec/protocols.md section 4): the public-key
// space split by the most significant 16 bits of a key into ranges, each
// served by one router, with a standby that takes the range over when its
// router is gone. Every router and participant holds the same table (from
// the lab file), so where a key is served is known without asking anyone.
// Plain logic, no actors.
// Thread-safety: immutable after construction.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

struct route_range {
  std::uint16_t first = 0;  // prefixes first..last, inclusive
  std::uint16_t last = 0xffff;
  std::size_t router = 0;   // who serves it
  std::size_t standby = 0;  // who takes it over when that router is gone
};

class routing_table {
 public:
  routing_table() = default;
  // `routers` ranges of (nearly) equal width in prefix order; range i is
  // router i's, its standby router (i + 1) mod routers.
  static routing_table even(std::size_t routers);

  std::uint16_t prefix_of(const chain::public_key& key) const {
    return static_cast<std::uint16_t>((key[0] << 8) | key[1]);
  }
  const route_range& range_of(const chain::public_key& key) const;
  std::size_t router_of(const chain::public_key& key) const { return range_of(key).router; }
  std::size_t standby_of(const chain::public_key& key) const { return range_of(key).standby; }
  // Who serves `key` when the routers flagged in `gone` are gone: its router,
  // else its standby; routers() when both are gone.
  std::size_t serving(const chain::public_key& key, const std::vector<bool>& gone) const;
  std::size_t routers() const { return routers_; }
  const std::vector<route_range>& ranges() const { return ranges_; }

 private:
  std::vector<route_range> ranges_;  // in prefix order, covering 0..0xffff
  std::size_t routers_ = 0;
};

}  // namespace voltaic::agents
