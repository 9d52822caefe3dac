#include "voltaic/agents/routing_table.hpp"

#include <algorithm>

namespace voltaic::agents {

routing_table routing_table::even(std::size_t routers) {
  routing_table t;
  t.routers_ = std::max<std::size_t>(routers, 1);
  const std::uint32_t span = 0x10000;
  for (std::size_t i = 0; i < t.routers_; ++i) {
    route_range r;
    r.first = static_cast<std::uint16_t>(span * i / t.routers_);
    r.last = static_cast<std::uint16_t>(span * (i + 1) / t.routers_ - 1);
    r.router = i;
    r.standby = (i + 1) % t.routers_;
    t.ranges_.push_back(r);
  }
  return t;
}

const route_range& routing_table::range_of(const chain::public_key& key) const {
  const std::uint16_t prefix = prefix_of(key);
  // The first range whose last prefix is not below the key's.
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), prefix,
                             [](const route_range& r, std::uint16_t p) { return r.last < p; });
  return *it;
}

std::size_t routing_table::serving(const chain::public_key& key, const std::vector<bool>& gone) const {
  const auto& r = range_of(key);
  auto is_gone = [&gone](std::size_t i) { return i < gone.size() && gone[i]; };
  if (!is_gone(r.router)) return r.router;
  if (!is_gone(r.standby)) return r.standby;
  return routers_;
}

}  // namespace voltaic::agents
