// The miner actor's smoke test: four miners in one actor system, each with
// its own LMDB store, agree on a chain under load (every replica verifies
// with certificates required and all hold the same blocks), and a client's
// batch crosses the actor intact. What the validator decides is tested
// without actors in tests/chain/validator_test.cpp.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "miners.hpp"
#include "support/funding.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/verify.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

using namespace voltaic;
namespace fs = std::filesystem;

namespace {

chain::signed_transaction fund(const chain::workload& wl, std::uint64_t nonce, std::size_t to) {
  return test::funding(wl, nonce, to);
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
