// A validator that double-signs (played by the test: it sends two different
// signed prevotes for one step) causes no fork, and the honest miners put its
// evidence on chain.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "miners.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/consensus_codec.hpp"
#include "voltaic/chain/ledger.hpp"
#include "voltaic/chain/lmdb_store.hpp"
#include "voltaic/chain/verify.hpp"
#include "voltaic/chain/workload.hpp"

using namespace voltaic;
namespace fs = std::filesystem;

TEST_CASE("a double-signing validator's evidence is committed and the honest replicas agree") {
  const fs::path root = test::fresh_dir("evidence");
  const chain::workload_options wo = test::lab_options(4, "evidence-test");
  chain::workload wl(wo);
  {
    // Validator 3 is the double-signer, played below.
    test::miner_lab lab(wl, root, {0, 1, 2});
    const auto& miners = lab.miners;
    auto& client = lab.client;
    auto head_of = [&](const caf::actor& m) { return test::head_of(client, m); };
    // Two different prevotes from validator 3 for one step of the next height.
    auto crypto = chain::make_ed25519_consensus_crypto(wo.chain_id, wl.validator_key(3));
    const std::uint64_t h = head_of(miners[0]) + 1;
    for (int variant = 0; variant < 2; ++variant) {
      chain::consensus_vote v{chain::vote_kind::prevote, h, 0, false,
                              chain::blake2b_256(std::string("value ") + std::to_string(variant)), 3, {}};
      v.sig = crypto->sign(chain::vote_sign_bytes(v));
      const auto bytes = chain::encode_consensus_message(v);
      for (std::uint32_t i = 0; i < 3; ++i)
        client->send(miners[i], agents::cons_atom::value, std::string(bytes.begin(), bytes.end()));
    }
    // The three honest validators hold a quorum and keep committing.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline && head_of(miners[0]) < h + 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(head_of(miners[0]) >= h + 10);
    for (std::uint32_t i = 0; i < 3; ++i) client->send_exit(miners[i], caf::exit_reason::user_shutdown);
    client->wait_for(miners[0], miners[1], miners[2]);
  }
  std::vector<std::string> heads;
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto store = chain::open_lmdb_store((root / ("v" + std::to_string(i))).string());
    REQUIRE(store.ok());
    chain::verify_options vo;
    vo.require_certificates = true;
    const auto v = chain::verify_chain(*store.value(), {}, vo);
    CHECK_MESSAGE(v.ok, v.reason);
    auto l = chain::ledger::open(std::move(store).value(), nullptr);
    REQUIRE(l.ok());
    CHECK(l.value()->state().evidence.items().size() == 1);
    const auto& [key, at] = *l.value()->state().evidence.items().begin();
    CHECK(std::get<0>(key) == 3);  // the double-signer
    auto b = l.value()->store().block_bytes(v.height > 10 ? 10 : v.height);
    heads.push_back(chain::to_hex(chain::decode_block(*b.value()).value().hash));
  }
  CHECK(heads[0] == heads[1]);
  CHECK(heads[1] == heads[2]);
  fs::remove_all(root);
}
