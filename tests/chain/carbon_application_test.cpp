// The carbon side chain on the generic node: four carbon validators agree on
// the paper's case study (claims, reports, orders, the auction result every
// replica re-runs), refuse at admission what the ledger refuses, one cut off
// catches up, and a validator on LMDB reopens to the same head and state.
#include <doctest/doctest.h>

#include <map>

#include "support/temp_dir.hpp"
#include "validator_net.hpp"
#include "carbon_keys.hpp"
#include "voltaic/chain/carbon/carbon_application.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

using namespace voltaic;
using namespace voltaic::chain;
using namespace voltaic::chain::carbon;

namespace {

const std::string chain_id = "voltaic-carbon";


struct carbon_parties {
  std::map<std::string, key_pair> party, meter;
  key_pair verifier = test::carbon_key(1, 8);
  std::vector<key_pair> validator_keys;
  carbon_genesis genesis;
  std::map<std::string, std::uint64_t> nonces;
  std::uint64_t counter = 0;

  carbon_parties() {
    genesis.chain_id = chain_id;
    genesis.deltas = {800};
    genesis.verifiers = {verifier.pub};
    for (std::uint8_t i = 0; i < 4; ++i) {
      validator_keys.push_back(test::carbon_key(i, 9));
      genesis.validators.push_back(validator_keys.back().pub);
    }
    for (const char* n : {"14", "32"}) {
      party[n] = test::carbon_key(static_cast<std::uint8_t>(std::stoi(n)), 1);
      meter[n] = test::carbon_key(static_cast<std::uint8_t>(std::stoi(n)), 2);
      genesis.pvps.push_back({party[n].pub, meter[n].pub});
    }
    for (const char* n : {"5", "11"}) {
      party[n] = test::carbon_key(static_cast<std::uint8_t>(std::stoi(n)), 3);
      genesis.cecs.push_back({party[n].pub, 1'000'000});
    }
  }

  std::vector<validator> set() const {
    std::vector<validator> v;
    for (const auto& k : validator_keys) v.push_back({k.pub, 1});
    return v;
  }

  bytes tx(const key_pair& who, carbon_body body) {
    carbon_transaction t{who.pub, ++nonces[to_hex(who.pub)], 1'000, std::move(body)};
    return sign_carbon_transaction(t, chain_id, who).envelope;
  }

  quota_claim_body claim(const std::string& node, std::int64_t kg, std::int64_t estimate) {
    quota_claim_body b{2020, 0, {}, estimate};
    for (std::uint8_t m = 1; m <= 12; ++m)
      b.readings.push_back(sign_monthly_reading(party[node].pub, 2020, m, kg * 1'250'000 / 12 + (m == 12 ? kg * 1'250'000 % 12 : 0),
                                                ++counter, chain_id, meter[node]));
    return b;
  }

  bytes report(const std::string& node, std::int64_t kg) {
    return tx(verifier, emissions_report_body{party[node].pub, 2020, kg, verifier.pub,
                                              sign(domain::transaction, chain_id,
                                                   emissions_message(party[node].pub, 2020, kg), verifier)});
  }
};

bytes balance_question(const public_key& who) {
  encoder e;
  e.array(2).bin(who).uint(2020);
  return e.take();
}

}  // namespace

TEST_CASE("four carbon validators agree on the case study, refuse what the ledger refuses, and one cut off catches up") {
  test::temp_dir root("carbon-app");
  carbon_parties p;
  test::validator_net net;
  std::vector<carbon_application*> apps;
  for (std::uint32_t i = 0; i < 4; ++i) {
    node::validator_config c;
    c.name = "c" + std::to_string(i);
    c.chain_id = chain_id;
    c.validators = p.set();
    c.sign_guard_path = (root.path() / (c.name + ".signed")).string();
    c.key = p.validator_keys[i];
    c.index = i;
    c.timing.timeout_propose_ms = 200;
    c.timing.gossip_ms = 100;
    auto app = carbon_application::open(p.genesis, p.set(), p.validator_keys[i].pub, make_memory_store());
    REQUIRE(app.ok());
    apps.push_back(app.value().get());
    net.add(std::move(c), std::move(app).value());
  }
  for (std::size_t j = 0; j < 3; ++j) net.link(3, j, false);  // the fourth is away at first
  for (std::size_t i = 0; i < 4; ++i) net.carry(i, net.node(i).start());

  // PVP 14 publishes 460 t; its readings give 456 t. PVP 32: 350 t. CEC 5
  // must buy 806 t (1,806 emitted), CEC 11 may sell 200 t (800 emitted).
  std::uint64_t n = 0;
  auto submit = [&](std::size_t at, const bytes& envelope) {
    net.carry(at, net.node(at).submit_tx(++n, envelope));
    return n;
  };
  submit(0, p.tx(p.party["14"], p.claim("14", 456'000, 460'000)));
  submit(1, p.tx(p.party["32"], p.claim("32", 350'000, 350'000)));
  submit(2, p.report("5", 1'806'000));
  submit(0, p.report("11", 800'000));
  REQUIRE(net.run_until([&] { return apps[0]->ledger().balance_kg(p.party["11"].pub, 2020) == 200'000 &&
                                     apps[0]->ledger().quota(p.party["32"].pub, 2020).has_value(); }));
  CHECK(apps[0]->ledger().quota(p.party["14"].pub, 2020)->check_kg == 456'000);
  CHECK(apps[0]->ledger().quota(p.party["14"].pub, 2020)->corrected);

  // A forged monthly reading is refused at admission, with its reason.
  auto forged = p.claim("14", 1, 1);
  forged.readings[3].mwh = 5;
  const auto refused = submit(1, p.tx(p.party["14"], forged));
  for (const char* node : {"5", "11", "14", "32"})
    submit(2, p.tx(p.party[node], carbon_order_body{2020, node == std::string("5") ? 7'000'000 : 2'000'000}));
  const std::uint64_t last = n;
  REQUIRE(net.run_until([&] {
    for (std::uint64_t k = refused; k <= last; ++k)
      if (!net.verdicts.count(k)) return false;
    return apps[0]->pool_size() == 0 && apps[1]->pool_size() == 0 && apps[2]->pool_size() == 0;
  }));
  for (std::uint64_t k = refused + 1; k <= last; ++k) CHECK(net.verdicts.at(k) == "ok");
  CHECK(net.verdicts.at(refused).rfind("quota-claimed", 0) == 0);  // the year is claimed: checked first

  // The validator records the auction as it re-runs it; so does every replica.
  const auto result = apps[0]->ledger().run_auction(2020);
  REQUIRE(result.trades.size() == 3);  // 5 <- 11 (phase 1), then 5 <- 14 and 5 <- 32 (phase 2)
  CHECK(result.trades[0].phase == 1);
  const auto recorded = submit(0, p.tx(p.validator_keys[0], result));
  REQUIRE(net.run_until([&] { return net.verdicts.count(recorded) && apps[0]->ledger().auctioned(2020) &&
                                     apps[1]->ledger().auctioned(2020) && apps[2]->ledger().auctioned(2020); }));
  CHECK(net.verdicts.at(recorded) == "ok");
  const auto& ledger = apps[0]->ledger();
  CHECK(ledger.balance_kg(p.party["5"].pub, 2020) == 0);
  CHECK(ledger.balance_kg(p.party["11"].pub, 2020) == 0);
  // 606 t came from the two PVPs (equal asks: the smaller key first); 200 t stay.
  CHECK(ledger.balance_kg(p.party["14"].pub, 2020) + ledger.balance_kg(p.party["32"].pub, 2020) == 200'000);
  // Asked through the node: the same balance on every replica.
  const auto h = net.node(0).height();
  REQUIRE(net.run_until([&] { return net.node(1).height() >= h && net.node(2).height() >= h; }));
  for (std::size_t i : {0, 1, 2}) {
    auto answer = net.node(i).query("balance", balance_question(p.party["32"].pub));
    REQUIRE(answer.ok());
    encoder e;
    e.array(1).sint(ledger.balance_kg(p.party["32"].pub, 2020));
    CHECK(answer.value() == e.take());
    CHECK(apps[i]->ledger().state_hash() == apps[0]->ledger().state_hash());
  }
  CHECK(net.node(0).query("mint", {}).err().message.rfind("unknown-query", 0) == 0);

  // The fourth comes back, fetches the certified blocks and replays them.
  for (std::size_t j = 0; j < 3; ++j) net.link(3, j, true);
  REQUIRE(net.run_until([&] { return net.node(3).height() >= h; }));
  CHECK(apps[3]->ledger().state_hash() == apps[0]->ledger().state_hash());
  for (std::uint64_t height = 1; height <= h; ++height)
    CHECK(decode_block(*net.node(3).block_bytes(height)).value().hash ==
          decode_block(*net.node(0).block_bytes(height)).value().hash);
}

TEST_CASE("a carbon validator on LMDB reopens to the same head and state, and refuses a store that does not replay") {
  test::temp_dir root("carbon-lmdb");
  carbon_parties p;
  const std::string dir = (root.path() / "c0").string();
  hash256 head{}, state{};
  {
    auto app = carbon_application::open(p.genesis, p.set(), p.validator_keys[0].pub, open_lmdb_store(dir).value());
    REQUIRE(app.ok());
    auto& a = *app.value();
    node::admission_batch batch;
    batch.envelopes = {p.tx(p.party["14"], p.claim("14", 456'000, 456'000)), p.report("5", 1'200'000),
                       p.tx(p.party["14"], carbon_order_body{2020, 2'000'000}),
                       p.tx(p.party["5"], carbon_order_body{2020, 7'000'000})};
    batch.checked.resize(batch.envelopes.size());
    a.prepare_check(batch);
    for (std::size_t i = 0; i < batch.envelopes.size(); ++i) a.check(batch, i);
    const auto verdicts = a.admit(batch);
    CHECK(verdicts == std::vector<std::string>(4, "ok"));  // each applies after the ones before it
    for (std::uint64_t h = 1; h <= 2; ++h) {
      node::proposal_options o;
      o.time_ms = 1'000 * h;
      const auto value = a.prepare_proposal(h, o);
      REQUIRE(a.process_proposal(h, value));
      commit_record decided;
      decided.height = h;
      decided.value = value;
      REQUIRE(a.commit(decided).ok());
      if (h == 1) {
        // Then the auction, proposed by this validator's own transaction.
        node::admission_batch more;
        more.envelopes = {p.tx(p.validator_keys[0], a.ledger().run_auction(2020))};
        more.checked.resize(1);
        a.check(more, 0);
        CHECK(a.admit(more) == std::vector<std::string>{"ok"});
      }
    }
    CHECK(a.ledger().auctioned(2020));
    CHECK(a.ledger().balance_kg(p.party["5"].pub, 2020) == 0);
    head = a.head_hash();
    state = a.ledger().state_hash();
  }
  auto again = carbon_application::open(p.genesis, p.set(), p.validator_keys[0].pub, open_lmdb_store(dir).value());
  REQUIRE(again.ok());
  CHECK(again.value()->height() == 2);
  CHECK(again.value()->head_hash() == head);
  CHECK(again.value()->ledger().state_hash() == state);
  // Another genesis (another delta) cannot replay these blocks.
  auto other = p.genesis;
  other.deltas = {500};
  auto refused = carbon_application::open(other, p.set(), p.validator_keys[0].pub, open_lmdb_store(dir).value());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().message.rfind("store-corrupt", 0) == 0);
}
