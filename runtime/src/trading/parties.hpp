#pragma once
// The parties of a trading scenario: who they are, where they sit, what they
// value, which meters are faulty, and their (lab) keys (private to runtime/).
// Thread-safety: make_parties uses all cores and returns plain values.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/genesis.hpp"
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
  market::energy_mwh energy = 0;  // a P-series party's fixed position; 0: drawn per cycle
  std::int64_t delivery_permille = 1'000;
  bool silent = false;
  bool faulty() const { return silent || delivery_permille != 1'000; }
  caf::actor prosumer, meter;
};

// Per market, `prosumers` on the load buses in order (of `load_bus_count`);
// with a P-series, its buyers then its sellers on their positions' buses
// (market/p_series.hpp), each with its generated energy.
std::vector<party> make_parties(const scenario_config& sc, std::size_t load_bus_count);

// The lab's genesis balances and manufacturer: every prosumer starts with
// initial_credits; the DSO, who collects grid charges and penalties, with as
// much as all of them together. Returns what all accounts hold together.
std::int64_t lab_genesis(const scenario_config& sc, const std::vector<party>& parties, chain::genesis_config& genesis);

// The lab's meter manufacturer, whom the genesis names.
chain::key_pair lab_manufacturer(const scenario_config& sc);
// CoE keys per lab meter: a cycle's order and holds name one of them in turn.
inline constexpr std::size_t lab_coe_keys = 4;
// The CoE keys of party g's meter, vouched for by the next party's meter
// (another certified meter, spec/protocols.md section 3), which `maker`
// (lab_manufacturer) certified.
chain::meter_keys lab_meter(const scenario_config& sc, const std::string& chain_id, const std::vector<party>& parties,
                            std::size_t g, const chain::key_pair& maker);

}  // namespace voltaic::runtime::trading
