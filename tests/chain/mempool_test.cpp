#include <doctest/doctest.h>

#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/mempool.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"

using namespace voltaic::chain;

namespace {

std::string reason(const status& s) { return s.ok() ? "ok" : s.err().message.substr(0, s.err().message.find(':')); }

signed_transaction fund(const workload& wl, std::uint64_t nonce, std::uint64_t expiry = 100) {
  transaction t;
  t.signer = wl.authority().pub;
  t.nonce = nonce;
  t.expiry_height = expiry;
  t.body = fund_body{wl.account_key(0).pub, 1'000};
  return sign_transaction(t, wl.genesis().chain_id, wl.authority());
}

}  // namespace

TEST_CASE("the mempool admits signed transactions only and says why it refuses the rest") {
  workload_options wo;
  wo.txs_per_block = 30;
  workload wl(wo);
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  mempool_limits limits;
  limits.max_per_sender = 3;
  mempool pool(limits);
  const auto& st = l->state();

  const auto a = fund(wl, 2);
  CHECK(reason(pool.add(a.envelope, st)) == "ok");
  CHECK(reason(pool.add(a.envelope, st)) == "duplicate");
  CHECK(reason(pool.add(fund(wl, 2, 101).envelope, st)) == "nonce-taken");
  bytes forged = a.envelope;
  forged[forged.size() - 1] ^= 1;
  CHECK(reason(pool.add(forged, st)) == "bad-signature");
  CHECK(reason(pool.add(bytes(a.envelope.begin(), a.envelope.end() - 3), st)) == "decode");
  CHECK(reason(pool.add(bytes(70 * 1024, 0x90), st)) == "too-large");
  CHECK(reason(pool.add(fund(wl, 9, 0).envelope, st)) == "tx-expired");
  CHECK(reason(pool.add(fund(wl, 1).envelope, st)) == "ok");
  CHECK(reason(pool.add(fund(wl, 3).envelope, st)) == "ok");
  CHECK(reason(pool.add(fund(wl, 4).envelope, st)) == "sender-over-quota");
  CHECK(pool.size() == 3);

  // Nonces come out in order although 2 arrived before 1.
  auto next = pool.take(10);
  REQUIRE(next.size() == 3);
  CHECK(next[0].tx.nonce == 1);
  CHECK(next[1].tx.nonce == 2);
  CHECK(next[2].tx.nonce == 3);

  // A block from the pool has nothing refused; pruning removes what it used.
  auto built = l->propose(next, 1, wl.proposer(1).pub);
  REQUIRE(built.ok());
  CHECK(built.value().rejected.empty());
  pool.prune(l->state());
  CHECK(pool.size() == 0);
  CHECK(reason(pool.add(fund(wl, 3, 200).envelope, l->state())) == "nonce-stale");

  mempool_limits tiny;
  tiny.capacity = 1;
  mempool small(tiny);
  CHECK(reason(small.add(fund(wl, 10).envelope, l->state())) == "ok");
  CHECK(reason(small.add(sign_transaction(transaction{wl.dso().pub, 1, 100, dso_params_body{1, 1}},
                                          wl.genesis().chain_id, wl.dso())
                             .envelope,
                         l->state())) == "pool-full");
}

TEST_CASE("blocks proposed from the mempool carry every kind and leave nothing refused") {
  workload_options wo;
  wo.txs_per_block = 40;
  workload wl(wo);
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  mempool pool;
  for (int b = 0; b < 12; ++b) {
    for (const auto& t : wl.next_block(l->state())) REQUIRE(pool.add(t.envelope, l->state()).ok());
    const std::uint64_t h = l->state().height + 1;
    auto built = l->propose(pool.take(1'000), h, wl.proposer(h).pub);
    REQUIRE(built.ok());
    for (const auto& [id, e] : built.value().rejected) MESSAGE(e.message);
    CHECK(built.value().rejected.empty());
    std::vector<hash256> used;
    for (const auto& e : built.value().blk.entries) used.push_back(entry_id(e));
    pool.prune(l->state(), used);
    CHECK(pool.size() == 0);
  }
  CHECK(l->state().height == 12);
}

TEST_CASE("a selection takes only the chosen waiting transactions, canonically, never past an unchosen nonce") {
  workload wl(workload_options{});
  auto l = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
  mempool pool;
  const auto& st = l->state();
  // Two signers, each with waiting nonces 1..3 (the pool admits by signature,
  // nonce and expiry; what the body means is the block's business).
  std::vector<signed_transaction> mine, theirs;
  for (std::uint64_t n = 1; n <= 3; ++n) {
    mine.push_back(fund(wl, n));
    transaction t{wl.account_key(0).pub, n, 100, fund_body{wl.account_key(1).pub, 5}};
    theirs.push_back(sign_transaction(t, wl.genesis().chain_id, wl.account_key(0)));
  }
  for (const auto* set : {&mine, &theirs})
    for (const auto& t : *set) REQUIRE(pool.add(t.envelope, st).ok());
  const bool mine_first = key_less{}(mine[0].tx.signer, theirs[0].tx.signer);
  const hash256 unknown = blake2b_256("not waiting");

  // Chosen out of order, with a duplicate and an id that is not waiting.
  auto got = pool.take_selected({theirs[1].id, mine[1].id, unknown, theirs[0].id, mine[0].id, mine[0].id}, 10);
  REQUIRE(got.size() == 4);
  const auto& first = mine_first ? mine : theirs;
  const auto& second = mine_first ? theirs : mine;
  CHECK(got[0].id == first[0].id);
  CHECK(got[1].id == first[1].id);
  CHECK(got[2].id == second[0].id);
  CHECK(got[3].id == second[1].id);

  // Nonce 1 unchosen: its signer's 2 and 3 would fail in the block.
  got = pool.take_selected({mine[1].id, mine[2].id, theirs[0].id}, 10);
  REQUIRE(got.size() == 1);
  CHECK(got[0].id == theirs[0].id);

  CHECK(pool.take_selected({mine[0].id, mine[1].id, theirs[0].id}, 2).size() == 2);
  CHECK(pool.take_selected({}, 10).empty());
  CHECK(pool.size() == 6);  // taking leaves them waiting until pruned
}
