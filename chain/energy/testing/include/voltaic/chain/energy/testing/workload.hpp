#pragma once
// A deterministic source of signed, valid transactions of every kind for a
// chain: funding, energy accounts, DSO parameters and grid updates, order
// roots and clearings, CTPs, ERCs with CoE proofs, timeouts of CTPs left to
// expire, and meter settlements. `voltaic chain bench`, the tests and the
// benchmarks build real chains with it.
// Thread-safety: none.

#include <cstdint>
#include <vector>

#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain {

// A lab key from (seed, role, index): the three numbers, little-endian, fill
// the first 24 bytes of the Ed25519 seed. Deterministic, so generators and
// tests can rebuild the same keys; never for real deployments.
key_pair derived_key(std::uint64_t seed, std::uint64_t role, std::uint64_t index);

struct workload_options {
  std::uint32_t txs_per_block = 100;
  std::uint32_t validators = 1;
  std::uint32_t accounts = 64;
  std::uint32_t meter_keys = 8;     // CoE keys per meter
  std::uint64_t ctp_lifetime = 3;   // blocks a CTP stays open
  std::uint64_t seed = 1;
  bool spb_only = false;            // only CTPs and ERCs
  std::string chain_id = "voltaic-bench";
};

class workload {
 public:
  explicit workload(const workload_options& options);

  const genesis_config& genesis() const { return genesis_; }
  // The validator proposing block `height` (round robin).
  const key_pair& proposer(std::uint64_t height) const;

  // Transactions for the block on top of `st`.
  std::vector<signed_transaction> next_block(const ledger_state& st);

  const key_pair& authority() const { return authority_; }
  const key_pair& dso() const { return dso_; }
  const key_pair& validator_key(std::size_t i) const { return validators_[i]; }
  const key_pair& account_key(std::size_t i) const { return accounts_[i]; }
  const meter_keys& meter(std::size_t i) const { return meters_[i]; }

 private:
  struct pending_ctp {
    std::uint64_t id;  // 0 until found on the chain (blocks may reorder transactions)
    std::size_t buyer;
    std::int64_t energy_mwh;
    std::uint64_t expiry_height;
    bool confirm;  // false: left to expire and timed out
  };
  void resolve_ids(const ledger_state& st);
  // Signs with the next nonce: above both this generator's and the chain's.
  signed_transaction sign_as(const key_pair& key, tx_body body, const ledger_state& st);
  std::uint64_t next_u64();

  workload_options options_;
  std::uint64_t rng_;
  key_pair authority_, dso_, manufacturer_;
  std::vector<key_pair> validators_;
  std::vector<key_pair> accounts_;
  std::vector<meter_keys> meters_;
  std::vector<std::uint64_t> meter_counters_;
  std::vector<std::pair<public_key, std::uint64_t>> nonces_;  // linear; small sets
  std::vector<pending_ctp> pending_;
  genesis_config genesis_;
};

}  // namespace voltaic::chain
