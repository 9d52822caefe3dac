#pragma once
// Test helper: a small signed offer (an energy account update) by one of a
// workload's accounts.
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::test {

inline chain::signed_transaction offer(const chain::workload& wl, std::size_t sender, std::uint64_t nonce) {
  chain::transaction t;
  t.signer = wl.account_key(sender).pub;
  t.nonce = nonce;
  t.expiry_height = 100;
  t.body = chain::energy_account_body{1'000'000, 150'000};
  return chain::sign_transaction(t, wl.genesis().chain_id, wl.account_key(sender));
}

}  // namespace voltaic::test
