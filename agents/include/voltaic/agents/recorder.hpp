#pragma once
// The recorder agent: the lab's record of what the chain decided. Once a
// cycle is settled it asks its validator, as an observer (a key the
// validators list), for the cycle's order sets with every outcome, the
// clearings and trades, the settlements the chain applied and every named
// account's balance, and appends them to orders.csv, outcomes.csv,
// clearing.csv, trades.csv, settlements.csv and balances.csv in `out_dir`;
// welfare.csv holds each trading party's welfare and surplus at p0
// (spec/experiments.md M10, M11), derived from those answers alone.
// Nothing in them is computed again: every row is an answer of the chain's,
// but for orders that came too late for their cycle's set, which validators
// report (outcome `late`).
// A resumed recorder appends to the files it finds.
// Messages: see messages.hpp (record).
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

struct recorder_config {
  std::string name = "recorder";
  chain::key_pair key;  // an observer's
  std::string chain_id;
  std::string out_dir;
  bool resume = false;  // append to the CSVs already there
  std::uint64_t markets = 1;
  // The accounts balances.csv lists, in its order, and the names every CSV
  // gives keys (a key without a name is written in hex).
  std::vector<std::pair<chain::public_key, std::string>> accounts;
  std::vector<std::string> bus_names;  // of the load buses, by index
  caf::actor miner;
  // Every validator: each is asked for the orders that reached it late
  // (they are on no chain); one that does not answer is passed over.
  std::vector<caf::actor> validators;
  caf::duration miner_timeout{std::chrono::seconds(30)};
};

caf::actor spawn_recorder(caf::actor_system& system, const recorder_config& config);

}  // namespace voltaic::agents
