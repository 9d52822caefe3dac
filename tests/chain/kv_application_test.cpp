// A key-value application runs on the same node code as the electricity
// chain: four validators agree on its blocks, refuse what it refuses, and
// one cut off catches up, without a line of chain/node/ knowing it.
#include <doctest/doctest.h>

#include "kv_application.hpp"
#include "support/temp_dir.hpp"
#include "validator_net.hpp"

using namespace voltaic;

namespace {

chain::bytes text(const std::string& s) { return chain::bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("a key-value application on four node::validators: agreement, refusals and catch-up") {
  test::temp_dir root("kv-app");
  std::vector<chain::key_pair> keys;
  std::vector<chain::validator> set;
  for (std::uint64_t i = 0; i < 4; ++i) {
    keys.push_back(chain::derived_key(42, 3, i));
    set.push_back(chain::validator{keys.back().pub, 1});
  }
  test::validator_net net;
  std::vector<test::kv_application*> apps;
  for (std::uint32_t i = 0; i < 4; ++i) {
    chain::node::validator_config c;
    c.name = "kv" + std::to_string(i);
    c.chain_id = "kv-test";
    c.validators = set;
    c.sign_guard_path = (root.path() / (c.name + ".signed")).string();
    c.key = keys[i];
    c.index = i;
    c.timing.timeout_propose_ms = 200;
    c.timing.gossip_ms = 100;
    auto app = std::make_unique<test::kv_application>("kv-test", set, keys[i].pub);
    apps.push_back(app.get());
    net.add(std::move(c), std::move(app));
  }
  for (std::size_t j = 0; j < 3; ++j) net.link(3, j, false);  // the fourth is away at first
  for (std::size_t i = 0; i < 4; ++i) net.carry(i, net.node(i).start());

  net.carry(0, net.node(0).submit_tx(1, text("colour=green")));
  net.carry(0, net.node(0).submit_tx(2, text("no equals sign")));
  net.carry(2, net.node(2).submit_tx(3, text("size=7")));
  net.carry(1, net.node(1).submit_tx(4, text("colour=blue")));
  auto id = [](const std::string& s) { return chain::blake2b_256(std::string_view(s)); };
  REQUIRE(net.run_until([&] {
    return net.node(0).locate(id("colour=green")) && net.node(0).locate(id("colour=blue")) &&
           net.node(0).locate(id("size=7"));
  }));
  CHECK(apps[0]->get("colour").has_value());
  CHECK(net.verdicts.at(1) == "ok");
  CHECK(net.verdicts.at(2).rfind("decode", 0) == 0);
  CHECK(net.verdicts.at(3) == "ok");
  CHECK(net.verdicts.at(4) == "ok");
  const auto h = net.node(0).height();
  REQUIRE(net.run_until([&] { return net.node(1).height() >= h && net.node(2).height() >= h; }));
  for (std::size_t i : {1, 2}) {
    CHECK(apps[i]->get("colour") == apps[0]->get("colour"));
    CHECK(apps[i]->get("size") == std::optional<std::string>("7"));
  }
  CHECK_FALSE(net.node(0).locate(id("no equals sign")));
  // Its own question, through the node.
  chain::encoder ask;
  ask.array(1).str("size");
  const auto answer = net.node(2).query("get", ask.take());
  REQUIRE(answer.ok());
  chain::encoder expected;
  expected.array(2).boolean(true).str("7");
  CHECK(answer.value() == expected.take());
  CHECK(net.node(2).query("put", {}).err().message.rfind("unknown-query", 0) == 0);
  CHECK(net.node(0).app().pool_size() == 0);

  // The fourth comes back and fetches the certified blocks it missed.
  CHECK(net.node(3).height() == 0);
  for (std::size_t j = 0; j < 3; ++j) net.link(3, j, true);
  REQUIRE(net.run_until([&] { return net.node(3).height() >= h; }));
  CHECK(apps[3]->get("colour") == apps[0]->get("colour"));
  CHECK(apps[3]->get("size") == std::optional<std::string>("7"));
  for (std::uint64_t height = 1; height <= h; ++height) {
    auto a = chain::decode_block(*net.node(3).block_bytes(height));
    auto b = chain::decode_block(*net.node(0).block_bytes(height));
    CHECK(a.value().hash == b.value().hash);
  }
}
