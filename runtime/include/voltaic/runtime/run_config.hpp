#pragma once
// The TOML file `voltaic run` and `voltaic load` read. One schema describes a
// whole deployment; each process runs the validators it is told to (all by
// default) and reaches the others at their configured addresses.
//
//   [chain]      id, dir (stores: <dir>/<validator>/), genesis_time_ms
//   [consensus]  timeout_propose_ms, timeout_prevote_ms, timeout_precommit_ms,
//                timeout_increment_ms, gossip_ms, max_block_txs,
//                empty_block_interval_ms
//   [genesis]    authority, dso (public keys, hex), authority_key_file
//                (for `voltaic load`), manufacturers = [hex...],
//                balances = [{ account = hex, credits = "1000" }...]
//   [[validator]] name, public_key (hex), key_file (needed where it runs),
//                host, port, power (default 1)
// Relative paths are relative to the file's directory.
// Thread-safety: plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/market/error.hpp"

namespace voltaic::runtime {

struct validator_endpoint {
  std::string name;
  chain::public_key key{};
  std::string key_file;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct run_config {
  chain::genesis_config genesis;
  std::string chain_dir;
  std::string authority_key_file;
  chain::engine_config timing;
  std::size_t max_block_txs = 2'000;
  std::uint64_t empty_block_interval_ms = 100;  // see agents::miner_config
  std::vector<validator_endpoint> validators;  // same order as genesis.validators
  std::optional<std::uint64_t> lab_seed;  // scenarios: keys not given derive from it
};

// Reads and checks the file; errors name the file and the key at fault.
market::result<run_config> load_run_config(const std::string& path);

}  // namespace voltaic::runtime
