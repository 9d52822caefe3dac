#pragma once
// A valid transaction for tests: the workload's authority funds account
// `to` (of its 64) with 1,000 micro-credits, signed with `nonce`.
#include "voltaic/chain/energy/testing/workload.hpp"

namespace voltaic::test {

inline chain::signed_transaction funding(const chain::workload& wl, std::uint64_t nonce, std::size_t to) {
  chain::transaction t;
  t.signer = wl.authority().pub;
  t.nonce = nonce;
  t.expiry_height = 1'000'000;
  t.body = chain::fund_body{wl.account_key(to % 64).pub, 1'000};
  return chain::sign_transaction(t, wl.genesis().chain_id, wl.authority());
}

}  // namespace voltaic::test
