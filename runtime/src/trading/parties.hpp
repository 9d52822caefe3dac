#pragma once
// The parties of a trading scenario: who they are, where they sit, what they
// value, which meters are faulty, and their (lab) keys (private to runtime/).
// Thread-safety: make_parties uses all cores and returns plain values.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/market/order.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

struct party {
  std::string name;
  chain::key_pair key;
  chain::key_pair meter_key;
  std::uint64_t market = 0;
  std::uint32_t bus = 0;  // load-bus index
  market::side side = market::side::buy;
  market::price_ucpkwh valuation = 0;
  std::int64_t delivery_permille = 1'000;
  bool silent = false;
  bool faulty() const { return silent || delivery_permille != 1'000; }
  caf::actor prosumer, meter;
};

// Per market, `prosumers` on the load buses in order (of `load_bus_count`).
std::vector<party> make_parties(const scenario_config& sc, std::size_t load_bus_count);

}  // namespace voltaic::runtime::trading
