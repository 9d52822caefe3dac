// Four miners in one actor system, each with its own LMDB store, agree on a
// chain under load: every replica verifies with certificates required and
// all hold the same blocks.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "miners.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/lmdb_store.hpp"
#include "voltaic/chain/verify.hpp"
#include "voltaic/chain/workload.hpp"

using namespace voltaic;
namespace fs = std::filesystem;

namespace {

chain::signed_transaction fund(const chain::workload& wl, std::uint64_t nonce, std::size_t to) {
  chain::transaction t;
  t.signer = wl.authority().pub;
  t.nonce = nonce;
  t.expiry_height = 1'000'000;
  t.body = chain::fund_body{wl.account_key(to % 64).pub, 1'000};
  return chain::sign_transaction(t, wl.genesis().chain_id, wl.authority());
}

}  // namespace

TEST_CASE("four miners in one process commit a certified chain under load") {
  const fs::path root = test::fresh_dir("miners");
  const chain::workload_options wo = test::lab_options(4, "miners-test");
  chain::workload wl(wo);

  std::uint64_t target = 25;
  {
    test::miner_lab lab(wl, root, {0, 1, 2, 3});
    const auto& miners = lab.miners;
    auto& client = lab.client;
    std::uint64_t accepted = 0, nonce = 0;
    auto head_of = [&](const caf::actor& m) { return test::head_of(client, m); };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      // A burst of transactions to one miner in turn; they gossip onwards.
      for (int k = 0; k < 20; ++k) {
        ++nonce;
        const auto t = fund(wl, nonce, nonce);
        const std::string env(t.envelope.begin(), t.envelope.end());
        client->request(miners[nonce % 4], std::chrono::seconds(10), agents::tx_atom::value, env)
            .receive([&](const std::string& r) { accepted += r == "ok"; }, [&](caf::error&) {});
      }
      bool all = true;
      for (auto& m : miners) all = all && head_of(m) >= target;
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(accepted == nonce);
    for (auto& m : miners) CHECK(head_of(m) >= target);
  }

  // Every replica verifies on its own, certificates required, and all agree.
  std::vector<std::string> at_target;
  for (std::uint32_t i = 0; i < 4; ++i) {
    auto store = chain::open_lmdb_store((root / ("v" + std::to_string(i))).string());
    REQUIRE(store.ok());
    chain::verify_options vo;
    vo.require_certificates = true;
    const auto v = chain::verify_chain(*store.value(), {}, vo);
    CHECK_MESSAGE(v.ok, v.reason);
    auto b = store.value()->block_bytes(target);
    REQUIRE(b.ok());
    REQUIRE(b.value().has_value());
    at_target.push_back(chain::to_hex(chain::decode_block(*b.value()).value().hash));
  }
  for (const auto& h : at_target) CHECK(h == at_target[0]);
  fs::remove_all(root);
}

TEST_CASE("four miners decide each height in its first round and space out empty blocks") {
  const fs::path root = test::fresh_dir("rounds");
  const chain::workload_options wo = test::lab_options(4, "rounds-test");
  chain::workload wl(wo);
  std::uint64_t last = 0;
  {
    test::miner_lab lab(wl, root, {0, 1, 2, 3});
    const auto& miners = lab.miners;
    auto& client = lab.client;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (test::head_of(client, miners[0]) < 3 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // Idle: one empty block per interval (100 ms by default), not one per
    // consensus round trip (a few ms here).
    const std::uint64_t before = test::head_of(client, miners[0]);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::uint64_t idle_blocks = test::head_of(client, miners[0]) - before;
    CHECK(idle_blocks >= 1);
    CHECK(idle_blocks <= 20);
    // One sender's nonces to one miner, in order: a later nonce committed
    // first would void an earlier one waiting elsewhere.
    for (std::uint64_t nonce = 1; nonce <= 50; ++nonce) {
      const auto t = fund(wl, nonce, nonce);
      client->request(miners[0], std::chrono::seconds(10), agents::tx_atom::value,
                      std::string(t.envelope.begin(), t.envelope.end()))
          .receive([](const std::string&) {}, [](caf::error&) {});
    }
    for (int k = 0; k < 40; ++k) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    last = test::head_of(client, miners[0]);
  }
  // A proposal built on the state before the block just decided is refused by
  // everyone and costs a round: a quiet loopback run needs round 0 (nearly)
  // everywhere. Heights 1-2 may need more while the miners meet.
  auto store = chain::open_lmdb_store((root / "v0").string());
  REQUIRE(store.ok());
  std::uint64_t first_round = 0, later = 0, entries = 0;
  for (std::uint64_t h = 3; h <= last; ++h) {
    auto raw = store.value()->block_bytes(h);
    REQUIRE(raw.ok());
    if (!raw.value()) break;
    const auto b = chain::decode_block(*raw.value()).value();
    (b.certificate.round == 0 ? first_round : later) += 1;
    entries += b.entries.size();
  }
  CAPTURE(first_round);
  CAPTURE(later);
  CHECK(entries == 50);
  CHECK(first_round >= 9 * (first_round + later) / 10);
  fs::remove_all(root);
}

TEST_CASE("a miner admits a burst as one batch and answers each sender with its own verdict") {
  const fs::path root = test::fresh_dir("burst");
  const chain::workload_options wo = test::lab_options(1, "burst-test");
  chain::workload wl(wo);
  {
    test::miner_lab lab(wl, root, {0});
    const auto& miners = lab.miners;
    auto& client = lab.client;
    // Sent before any answer is read, so they wait in the mailbox together.
    std::vector<std::string> burst, expected;
    for (std::uint64_t n = 1; n <= 40; ++n) {
      const auto t = fund(wl, 1'000 + n, n);
      burst.emplace_back(t.envelope.begin(), t.envelope.end());
      expected.push_back("ok");
    }
    std::string forged = burst[3];
    forged.back() = static_cast<char>(forged.back() ^ 1);
    burst.insert(burst.begin() + 10, forged);
    expected.insert(expected.begin() + 10, "bad-signature");
    burst.insert(burst.begin() + 20, std::string("garbage"));
    expected.insert(expected.begin() + 20, "decode");
    burst.push_back(burst[0]);
    expected.push_back("duplicate");  // or "nonce-stale" if a block took the first copy meanwhile
    std::vector<decltype(client->request(miners[0], std::chrono::seconds(10), agents::tx_atom::value, burst[0]))> asked;
    for (const auto& e : burst) asked.push_back(client->request(miners[0], std::chrono::seconds(10), agents::tx_atom::value, e));
    for (std::size_t i = 0; i < asked.size(); ++i) {
      CAPTURE(i);
      std::string verdict = "no answer";
      asked[i].receive([&](const std::string& r) { verdict = r; }, [&](caf::error&) {});
      const std::string reason = verdict.substr(0, verdict.find(':'));
      if (expected[i] == "duplicate") CHECK((reason == "duplicate" || reason == "nonce-stale"));
      else CHECK(reason == expected[i]);
    }
  }
  fs::remove_all(root);
}

TEST_CASE("a client batch gets every verdict in order, and an oversized batch is refused whole") {
  const fs::path root = test::fresh_dir("batch");
  const chain::workload_options wo = test::lab_options(1, "batch-test");
  chain::workload wl(wo);
  {
    test::miner_lab lab(wl, root, {0});
    const auto& miners = lab.miners;
    auto& client = lab.client;
    std::vector<std::string> batch;
    for (std::uint64_t n = 1; n <= 5; ++n) {
      const auto t = fund(wl, 2'000 + n, n);
      batch.emplace_back(t.envelope.begin(), t.envelope.end());
    }
    batch[1].back() = static_cast<char>(batch[1].back() ^ 1);  // forged
    batch[3] = "garbage";
    std::vector<std::string> verdicts;
    client->request(miners[0], std::chrono::seconds(10), agents::txs_atom::value, batch)
        .receive([&](const std::vector<std::string>& v) { verdicts = v; }, [](caf::error&) {});
    REQUIRE(verdicts.size() == 5);
    CHECK(verdicts[0] == "ok");
    CHECK(verdicts[1].rfind("bad-signature", 0) == 0);
    CHECK(verdicts[2] == "ok");
    CHECK(verdicts[3].rfind("decode", 0) == 0);
    CHECK(verdicts[4] == "ok");

    std::vector<std::string> oversized(4'097, batch[0]);
    client->request(miners[0], std::chrono::seconds(10), agents::txs_atom::value, oversized)
        .receive([&](const std::vector<std::string>& v) { verdicts = v; }, [](caf::error&) {});
    REQUIRE(verdicts.size() == oversized.size());
    CHECK(verdicts.front().rfind("batch-too-large", 0) == 0);
    CHECK(verdicts.back().rfind("batch-too-large", 0) == 0);
  }
  fs::remove_all(root);
}
