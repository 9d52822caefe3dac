// Checks on several cores before admission, and the ledger's candidate block:
// neither may let anything through that the one-by-one path would refuse.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "voltaic/chain/energy/cycle_desk.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/mempool.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/parallel.hpp"
#include "offers.hpp"

using namespace voltaic::chain;
namespace market = voltaic::market;

namespace {

std::string reason(const status& s) { return s.ok() ? "ok" : s.err().message.substr(0, s.err().message.find(':')); }

using voltaic::test::offer;

}  // namespace

TEST_CASE("parallel_for runs every item exactly once, also for callers on several threads at once") {
  constexpr std::size_t items = 20'000;
  std::vector<std::vector<std::atomic<int>>> runs(3);
  for (auto& r : runs) r = std::vector<std::atomic<int>>(items);
  std::vector<std::thread> callers;
  for (std::size_t c = 0; c < runs.size(); ++c)
    callers.emplace_back([&, c] { parallel_for(items, [&](std::size_t i) { runs[c][i].fetch_add(1); }); });
  for (auto& t : callers) t.join();
  for (const auto& r : runs)
    for (const auto& n : r) REQUIRE(n.load() == 1);
  parallel_for(0, [](std::size_t) { FAIL("no item"); });
}

TEST_CASE("preverified transactions: forged, truncated and foreign ones are still refused with their reason") {
  workload_options wo;
  wo.txs_per_block = 64;
  workload wl(wo);
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  std::vector<bytes> batch;
  for (std::size_t i = 0; i < 40; ++i) batch.push_back(offer(wl, i, 1).envelope);
  bytes forged = offer(wl, 40, 1).envelope;
  forged[forged.size() - 1] ^= 1;
  batch.push_back(forged);
  const bytes truncated(batch[0].begin(), batch[0].end() - 5);
  batch.push_back(truncated);
  transaction foreign_tx;
  foreign_tx.signer = wl.account_key(41).pub;
  foreign_tx.nonce = 1;
  foreign_tx.expiry_height = 100;
  foreign_tx.body = energy_account_body{1'000'000, 150'000};
  batch.push_back(sign_transaction(foreign_tx, "another-chain", wl.account_key(41)).envelope);

  preverify(l->state(), batch);
  mempool pool;
  for (std::size_t i = 0; i < 40; ++i) CHECK(reason(pool.add(batch[i], l->state())) == "ok");
  CHECK(reason(pool.add(forged, l->state())) == "bad-signature");
  CHECK(reason(pool.add(truncated, l->state())) == "decode");
  CHECK(reason(pool.add(batch.back(), l->state())) == "bad-signature");
  CHECK(pool.size() == 40);
}

TEST_CASE("preverified decoded transactions: a forged one is still refused") {
  workload wl(workload_options{});
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  std::vector<signed_transaction> txs{offer(wl, 0, 1), offer(wl, 1, 1)};
  txs[1].sig[0] ^= 1;  // the decoded signature is what is checked
  const auto& memo = l->state().verified->transactions;
  const std::size_t before = memo.size();
  preverify(l->state(), txs);
  CHECK(memo.size() == before + 1);  // only the valid one is remembered
  CHECK(signature_checked(l->state(), txs[0]));
  CHECK_FALSE(signature_checked(l->state(), txs[1]));
}

TEST_CASE("check_transaction decodes and checks without a state, only what holds is remembered, and the pool refuses the rest") {
  workload wl(workload_options{});
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  std::vector<bytes> envelopes{offer(wl, 0, 1).envelope, offer(wl, 1, 1).envelope, offer(wl, 2, 1).envelope};
  envelopes[1][envelopes[1].size() - 1] ^= 1;  // in the signature
  envelopes[2].resize(envelopes[2].size() - 4);  // truncated
  const auto& memo = l->state().verified->transactions;
  const std::size_t before = memo.size();
  std::vector<checked_transaction> checked;
  for (const auto& e : envelopes) checked.push_back(check_transaction(e, wl.genesis().chain_id));
  REQUIRE(checked[0].tx.has_value());
  REQUIRE(checked[1].tx.has_value());
  CHECK_FALSE(checked[2].tx.has_value());
  CHECK(checked[0].signature_holds);
  CHECK_FALSE(checked[1].signature_holds);
  CHECK(checked[0].tx->envelope == envelopes[0]);
  CHECK(memo.size() == before);  // checking alone touches no state
  for (const auto& c : checked) remember_checked(l->state(), c);
  CHECK(memo.size() == before + 1);
  mempool pool;
  CHECK(pool.add(std::move(*checked[0].tx), l->state()).ok());
  const auto forged = pool.add(std::move(*checked[1].tx), l->state());
  REQUIRE_FALSE(forged.ok());
  CHECK(forged.err().message.rfind("bad-signature", 0) == 0);
  CHECK(pool.size() == 1);
}

TEST_CASE("orders admitted as a batch: a forged, a garbled and a repeated one are refused as one by one") {
  const std::string chain_id = "parallel-test";
  market::grid g;
  REQUIRE(g.add_line("L1", "a", "b", 150'000, true).ok());
  auto grid = market_grid::make(g, {0, 1});
  REQUIRE(grid.ok());
  genesis_config gen;
  gen.chain_id = chain_id;
  gen.validators = {{derived_key(9, 3, 0).pub, 1}};
  auto chain = std::move(ledger::open(make_memory_store(), &gen)).value();
  cycle_desk desk(chain_id, grid.value(), {});
  std::vector<bytes> orders;
  for (std::uint64_t i = 0; i < 30; ++i) {
    order_terms t;
    t.cycle = 1;
    t.side = i % 2 ? market::side::buy : market::side::sell;
    t.price_ucpkwh = 150'000;
    t.energy_mwh = 1'000'000;
    t.bus = static_cast<std::uint32_t>(i % 2);
    orders.push_back(sign_order(t, chain_id, derived_key(9, 1, i)).envelope);
  }
  orders[7][orders[7].size() - 1] ^= 1;  // in the signature
  orders[11].resize(orders[11].size() - 5);  // truncated
  orders.push_back(orders[3]);              // again
  const auto verdicts = desk.admit_all(orders, chain->state());
  REQUIRE(verdicts.size() == orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    CAPTURE(i);
    if (i == 7) CHECK(verdicts[i] == "bad-signature");
    else if (i == 11) CHECK(verdicts[i].rfind("decode", 0) == 0);
    else if (i == 30) CHECK(verdicts[i] == "duplicate");
    else CHECK(verdicts[i] == "ok");
  }
  CHECK(desk.open_orders({0, 1}) == 28);
}

TEST_CASE("a candidate block: kept applied, set aside for the head state, committed without re-execution only if its entries match") {
  workload_options wo;
  wo.txs_per_block = 50;
  workload wl(wo);
  auto proposer = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  auto replica = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  auto reference = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  block_options strict;
  strict.require_erc_witness = true;
  for (std::uint64_t h = 1; h <= 4; ++h) {
    CAPTURE(h);
    const hash256 head_root = proposer->state().state_root;
    auto built = proposer->build(wl.next_block(proposer->state()), wl.genesis().time_ms + h * 1'000, wl.proposer(h).pub);
    REQUIRE(built.rejected.empty());
    CHECK(proposer->is_candidate(built.blk.hash));
    // Asking for the head state sets the candidate's changes aside: the head
    // is exactly the head, record for record, and the candidate stays.
    CHECK(proposer->state().height == h - 1);
    CHECK(proposer->state().state_root == head_root);
    CHECK(proposer->state().all_records() == reference->state().all_records());
    CHECK(proposer->is_candidate(built.blk.hash));

    // A replica checks the block (it stays the candidate) and commits it.
    REQUIRE(replica->try_block(built.blk, built.ercs, strict).ok());
    CHECK(replica->is_candidate(built.blk.hash));
    CHECK(replica->try_block(built.blk, built.ercs, strict).ok());  // at once: the candidate already

    // The same header with other entries is not the candidate's block.
    block other = built.blk;
    if (other.entries.size() > 1) {
      std::swap(other.entries[0], other.entries[1]);
      CHECK_FALSE(replica->append(other, built.ercs, strict).ok());
      REQUIRE(replica->try_block(built.blk, built.ercs, strict).ok());
    }
    REQUIRE(replica->append(built.blk, built.ercs, strict).ok());
    REQUIRE(proposer->append(built.blk, built.ercs, strict).ok());
    REQUIRE(reference->append(built.blk, built.ercs, strict).ok());
    CHECK(replica->state().state_root == reference->state().state_root);
    CHECK(replica->state().all_records() == reference->state().all_records());
    CHECK(proposer->state().all_records() == reference->state().all_records());
  }
}

TEST_CASE("a block's state changes, collected map by map on all cores, come out sorted by key across maps") {
  workload_options wo;
  wo.txs_per_block = 60;
  workload wl(wo);
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  std::set<std::uint8_t> prefixes;
  for (std::uint64_t h = 1; h <= 6; ++h) {
    const hash256 before = l->state().state_root;
    auto built = l->build(wl.next_block(l->state()), wl.genesis().time_ms + h * 1'000, wl.proposer(h).pub);
    REQUIRE(built.rejected.empty());
    const auto& changes = built.changes;
    REQUIRE_FALSE(changes.empty());
    for (std::size_t i = 1; i < changes.size(); ++i) CHECK(changes[i - 1].key < changes[i].key);
    for (const auto& c : changes) prefixes.insert(c.key.front());
    CHECK(next_state_root(before, changes) == built.blk.header.state_root);
    REQUIRE(l->append(built.blk, built.ercs).ok());
  }
  CHECK(prefixes.size() >= 4);  // accounts, CTPs, energy accounts, settlements at least
}
