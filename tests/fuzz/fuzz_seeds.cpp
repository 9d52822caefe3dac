// Writes the fuzz seed corpus into DIR: valid transactions of every kind,
// blocks, receipts, a genesis, state records, and hostile inputs (an array32
// header claiming four billion elements, 10,000-deep nesting).
#include <fstream>
#include <string>

#include "voltaic/chain/carbon/carbon_transaction.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/signed_order.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/certificate.hpp"
#include "voltaic/chain/node/consensus_codec.hpp"

using namespace voltaic::chain;

namespace {
int written = 0;
void put(const std::string& dir, const bytes& b) {
  std::ofstream(dir + "/seed-" + std::to_string(written++), std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
}  // namespace

// One carbon transaction of every kind.
void put_carbon(const std::string& dir) {
  namespace carbon = voltaic::chain::carbon;
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 7;
  const key_pair k = key_pair_from_seed(seed);
  carbon::quota_claim_body claim{2020, 0, {}, 1'000};
  for (std::uint8_t m = 1; m <= 12; ++m)
    claim.readings.push_back(carbon::sign_monthly_reading(k.pub, 2020, m, 1'000'000, m, "fuzz", k));
  const carbon::carbon_body bodies[] = {
      claim,
      carbon::emissions_report_body{k.pub, 2020, 5, k.pub, {}},
      carbon::carbon_order_body{2020, 7'060'000},
      carbon::auction_result_body{2020, {}, {{k.pub, k.pub, 2, 3, 4, 5}}, {{k.pub, 1}}, {{k.pub, 2}}},
      carbon::transfer_body{k.pub, 2020, 9},
  };
  std::uint64_t nonce = 0;
  for (const auto& b : bodies) {
    carbon::carbon_transaction tx{k.pub, ++nonce, 100, b};
    put(dir, carbon::sign_carbon_transaction(tx, "fuzz", k).envelope);
  }
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  put_carbon(dir);
  workload_options wo;
  wo.txs_per_block = 12;
  wo.accounts = 8;
  workload wl(wo);
  auto l = ledger::open(make_memory_store(), &wl.genesis());
  if (!l) return 1;
  put(dir, encode_genesis(wl.genesis()));
  for (int i = 0; i < 12; ++i) {
    const auto& st = l.value()->state();
    auto built = l.value()->propose(wl.next_block(st), st.height + 1, wl.proposer(st.height + 1).pub);
    if (!built) return 1;
    if (i < 6) put(dir, encode_block(built.value().blk));
    for (const auto& e : built.value().blk.entries) put(dir, e);
    for (const auto& e : built.value().ercs) put(dir, e.envelope);
  }
  for (const auto& r : l.value()->state().all_records()) put(dir, *r.value);
  // Consensus messages of each shape.
  consensus_proposal p{3, 1, 0, bytes{1, 2, 3}, blake2b_256(bytes{1, 2, 3}), 2, {}};
  consensus_vote v{vote_kind::precommit, 3, 1, false, p.value_id, 1, {}};
  commit_record c{3, 1, p.value, p.value_id, {v, v}};
  put(dir, encode_consensus_message(p));
  put(dir, encode_consensus_message(v));
  put(dir, encode_consensus_message(c));
  // Signed orders, and a proposal carrying two of them.
  std::vector<bytes> orders;
  for (std::uint64_t i = 0; i < 3; ++i) {
    order_terms t;
    t.market = 1;
    t.cycle = 2;
    t.side = i % 2 ? voltaic::market::side::sell : voltaic::market::side::buy;
    t.price_ucpkwh = 200'000;
    t.energy_mwh = 5'000'000;
    t.distance_pref_mm = i == 0 ? voltaic::market::distance_anywhere : 100'000;
    t.bus = static_cast<std::uint32_t>(i);
    orders.push_back(sign_order(t, wo.chain_id, derived_key(3, 10, i)).envelope);
    put(dir, orders.back());
  }
  {
    const auto& st = l.value()->state();
    auto built = l.value()->propose(wl.next_block(st), st.height + 1, wl.proposer(st.height + 1).pub);
    if (!built) return 1;
    put(dir, encode_block_proposal(built.value().blk, {}, {orders[0], orders[1]}));
  }
  put(dir, bytes{0xdd, 0xff, 0xff, 0xff, 0xff});
  bytes deep(10'000, 0x91);
  deep.push_back(0x00);
  put(dir, deep);
  return 0;
}
