// The carbon side chain's transactions and ledger (spec/carbon.md sections
// 2, 3 and 6): the paper's IEEE 33 case study through signed quota claims,
// emissions reports, orders and a re-run auction; check values over
// estimates; refusals that say why and change nothing; replicas that agree.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <tuple>

#include "support/json.hpp"
#include "support/paths.hpp"
#include "carbon_keys.hpp"
#include "voltaic/chain/carbon/carbon_ledger.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/market/units.hpp"

using namespace voltaic;
using namespace voltaic::chain;
using namespace voltaic::chain::carbon;

namespace {

const std::string chain_id = "voltaic-carbon-test";


const test::json& vectors() {
  static const test::json v =
      test::json::parse(test::read_text(test::source_dir() + "/tests/data/testvectors/carbon.json"));
  return v;
}

std::string reason_of(const market::status& s) {
  const auto& m = s.err().message;
  return m.substr(0, m.find(':'));
}

// The case study's chain: IEEE 33 nodes as participants (carbon.md 7).
struct carbon_lab {
  std::map<std::string, key_pair> party;  // by node
  std::map<std::string, key_pair> meter;  // a PVP's meter, by node
  key_pair validator = test::carbon_key(1, 9), verifier = test::carbon_key(1, 8), stranger = test::carbon_key(3, 9);
  std::map<std::string, std::uint64_t> nonce;
  std::uint64_t counter = 0;
  carbon_genesis genesis;

  carbon_lab() {
    genesis.chain_id = chain_id;
    genesis.validators = {validator.pub};
    genesis.verifiers = {verifier.pub};
    genesis.deltas = {800};
    for (const char* n : {"6", "14", "18", "20", "24", "32"}) {
      party[n] = test::carbon_key(static_cast<std::uint8_t>(std::stoi(n)), 1);
      meter[n] = test::carbon_key(static_cast<std::uint8_t>(std::stoi(n)), 2);
      genesis.pvps.push_back({party[n].pub, meter[n].pub});
    }
    for (const char* n : {"5", "11", "12", "22"}) {
      party[n] = test::carbon_key(static_cast<std::uint8_t>(std::stoi(n)), 3);
      genesis.cecs.push_back({party[n].pub, 1'000'000});  // 1,000 t a period
    }
  }

  signed_carbon_transaction tx(const key_pair& who, carbon_body body) {
    carbon_transaction t;
    t.signer = who.pub;
    t.nonce = ++nonce[to_hex(who.pub)];
    t.expiry_height = 100;
    t.body = std::move(body);
    return sign_carbon_transaction(t, chain_id, who);
  }

  // Twelve months summing to `kg` at delta 800 g/kWh: 1.25e6 mWh per kg.
  quota_claim_body claim(const std::string& node, std::int64_t kg, std::int64_t estimate_kg) {
    quota_claim_body b{2020, 0, {}, estimate_kg};
    const std::int64_t total = kg * 1'250'000;
    for (std::uint8_t m = 1; m <= 12; ++m) {
      const std::int64_t mwh = total / 12 + (m == 12 ? total % 12 : 0);
      b.readings.push_back(sign_monthly_reading(party[node].pub, 2020, m, mwh, ++counter, chain_id, meter[node]));
    }
    return b;
  }

  emissions_report_body report(const std::string& node, std::int64_t kg) {
    return {party[node].pub, 2020, kg, verifier.pub,
            sign(domain::transaction, chain_id, emissions_message(party[node].pub, 2020, kg), verifier)};
  }
};

// Applies each transaction to every ledger and expects `reason` ("" = ok).
void apply_all(std::vector<carbon_ledger*> ledgers, const signed_carbon_transaction& stx, const std::string& reason = "") {
  for (auto* l : ledgers) {
    const auto before = l->state_hash();
    const auto s = l->apply(stx, 1);
    INFO(to_string(stx.tx.kind()) << ": " << (s ? std::string("ok") : s.err().message));
    if (reason.empty()) {
      CHECK(s.ok());
    } else {
      REQUIRE_FALSE(s.ok());
      CHECK(reason_of(s) == reason);
      CHECK(l->state_hash() == before);  // refused: nothing changed
    }
  }
}

}  // namespace

TEST_CASE("the paper's case study on the carbon chain: check values, internal clearing first, midpoint prices, replicas agree") {
  carbon_lab lab;
  carbon_ledger a(lab.genesis), b(lab.genesis);
  const std::vector<carbon_ledger*> both = {&a, &b};
  // Table 3: quotas by check value; node 18 publishes 99 t, its check value is 94 t.
  const std::map<std::string, std::int64_t> quota_t = {{"6", 213}, {"14", 456}, {"18", 94},
                                                       {"20", 41}, {"24", 87},  {"32", 350}};
  for (const auto& [node, t] : quota_t)
    apply_all(both, lab.tx(lab.party[node], lab.claim(node, t * 1000, node == "18" ? 99'000 : t * 1000)));
  const auto q18 = a.quota(lab.party["18"].pub, 2020).value();
  CHECK(q18.estimate_kg == 99'000);
  CHECK(q18.check_kg == 94'000);
  CHECK(q18.corrected);
  CHECK(a.balance_kg(lab.party["18"].pub, 2020) == 94'000);
  CHECK_FALSE(a.quota(lab.party["14"].pub, 2020).value().corrected);
  // CEC balances: allowance 1,000 t minus verified emissions.
  for (const auto& [node, emitted_t] : std::map<std::string, std::int64_t>{{"5", 2455}, {"11", 659}, {"12", 1261}, {"22", 866}})
    apply_all(both, lab.tx(lab.verifier, lab.report(node, emitted_t * 1000)));
  CHECK(a.balance_kg(lab.party["5"].pub, 2020) == -1'455'000);
  CHECK(a.balance_kg(lab.party["11"].pub, 2020) == 341'000);

  // Orders at the back-solved limit prices of carbon.json's table4_ieee33.
  const auto& table4 = vectors()["clear_cases"][0];
  REQUIRE(table4["name"].str == "table4_ieee33");
  std::map<std::string, std::string> node_of_hex;
  for (const auto& p : table4["participants"].arr) {
    const std::string node = p["id"].str;
    node_of_hex[to_hex(lab.party[node].pub)] = node;
    const auto price = market::parse_scaled(p["price"].str, 1'000'000).value();
    CHECK(a.balance_kg(lab.party[node].pub, 2020) == static_cast<std::int64_t>(p["quota_kg"].num));
    apply_all(both, lab.tx(lab.party[node], carbon_order_body{2020, price}));
  }
  // The validator records the auction as it re-runs it; so does every replica.
  const auto result = a.run_auction(2020);
  CHECK(result.order_root == b.run_auction(2020).order_root);
  // The same trades as carbon.json's; on chain, equal asks (nodes 20 and 24
  // at 2.76) are ordered by key, not by node name, so rows compare as a set.
  const auto& expected = table4["expected"]["trades"].arr;
  using row = std::tuple<std::string, std::string, int, std::int64_t, std::int64_t, std::int64_t>;
  std::multiset<row> got, want;
  int last_phase = 1;
  for (const auto& t : result.trades) {
    got.insert({node_of_hex[to_hex(t.buyer)], node_of_hex[to_hex(t.seller)], t.phase, t.quantity_kg, t.price_ucpt,
                t.turnover_uc});
    CHECK(t.phase >= last_phase);  // internal clearing first
    last_phase = t.phase;
  }
  for (const auto& t : expected)
    want.insert({t["buyer"].str, t["seller"].str, static_cast<int>(t["phase"].num),
                 static_cast<std::int64_t>(t["quantity_kg"].num),
                 market::parse_scaled(t["price"].str, 1'000'000).value(),
                 market::parse_scaled(t["turnover"].str, 1'000'000).value()});
  CHECK(got == want);
  CHECK(result.short_of.empty());
  CHECK(result.unsold.empty());

  // A result that differs from the re-run is refused by every replica.
  auto forged = result;
  forged.trades[0].price_ucpt += 1;
  apply_all(both, lab.tx(lab.validator, forged), "auction-mismatch");
  apply_all(both, lab.tx(lab.stranger, result), "not-a-validator");
  apply_all(both, lab.tx(lab.validator, result));
  for (const auto& [node, key] : lab.party) CHECK(a.balance_kg(key.pub, 2020) == 0);  // supply = demand = 1716 t
  CHECK(a.auctioned(2020));
  apply_all(both, lab.tx(lab.party["5"], carbon_order_body{2020, 1}), "period-closed");
  CHECK(a.state_hash() == b.state_hash());
}

TEST_CASE("bad carbon transactions are refused with their reason and leave the state unchanged") {
  carbon_lab lab;
  carbon_ledger l(lab.genesis);
  const std::vector<carbon_ledger*> one = {&l};
  // Negative generation in a month.
  auto negative = lab.claim("14", 456'000, 456'000);
  negative.readings[4] = sign_monthly_reading(lab.party["14"].pub, 2020, 5, -1, ++lab.counter, chain_id, lab.meter["14"]);
  apply_all(one, lab.tx(lab.party["14"], negative), "negative-generation");
  // Eleven months, or a month twice.
  auto eleven = lab.claim("14", 456'000, 456'000);
  eleven.readings.pop_back();
  apply_all(one, lab.tx(lab.party["14"], eleven), "months-missing");
  auto twice = lab.claim("14", 456'000, 456'000);
  twice.readings[11] = sign_monthly_reading(lab.party["14"].pub, 2020, 3, 1, ++lab.counter, chain_id, lab.meter["14"]);
  apply_all(one, lab.tx(lab.party["14"], twice), "months-missing");
  // A forged monthly reading: the figure changed after the meter signed it.
  auto forged = lab.claim("14", 456'000, 456'000);
  forged.readings[6].mwh += 1'000'000;
  apply_all(one, lab.tx(lab.party["14"], forged), "bad-reading-signature");
  // Another PVP's meter, and an old counter.
  auto other_meter = lab.claim("14", 456'000, 456'000);
  other_meter.readings[0] = sign_monthly_reading(lab.party["14"].pub, 2020, 1, 5, ++lab.counter, chain_id, lab.meter["6"]);
  apply_all(one, lab.tx(lab.party["14"], other_meter), "unknown-meter");
  // An order, a claim and a report from unknown keys.
  apply_all(one, lab.tx(lab.stranger, carbon_order_body{2020, 5'000'000}), "unknown-participant");
  apply_all(one, lab.tx(lab.stranger, lab.claim("14", 1'000, 1'000)), "unknown-participant");
  auto rogue = lab.report("5", 10);
  rogue.verifier = lab.stranger.pub;
  rogue.verifier_sig = sign(domain::transaction, chain_id, emissions_message(lab.party["5"].pub, 2020, 10), lab.stranger);
  apply_all(one, lab.tx(lab.party["5"], rogue), "unknown-verifier");
  auto lied = lab.report("5", 10);
  lied.kg = 1;  // the verifier signed 10 kg
  apply_all(one, lab.tx(lab.party["5"], lied), "bad-verifier-signature");
  // A forged transaction signature, a replayed nonce, an expired one.
  auto stx = lab.tx(lab.party["14"], lab.claim("14", 456'000, 456'000));
  auto broken = stx;
  broken.sig[0] ^= 1;
  apply_all(one, broken, "bad-signature");
  apply_all(one, stx);  // the good claim
  auto replay = lab.claim("14", 1, 1);
  apply_all(one, lab.tx(lab.party["14"], replay), "quota-claimed");
  carbon_transaction stale;
  stale.signer = lab.party["14"].pub;
  stale.nonce = 1;
  stale.expiry_height = 100;
  stale.body = carbon_order_body{2020, 1};
  apply_all(one, sign_carbon_transaction(stale, chain_id, lab.party["14"]), "stale-nonce");
  // Its counters are spent: the same readings for another year are stale.
  auto old = lab.claim("14", 456'000, 456'000);
  for (auto& r : old.readings) r = sign_monthly_reading(lab.party["14"].pub, 2021, r.month, r.mwh, 1, chain_id, lab.meter["14"]);
  old.year = 2021;
  apply_all(one, lab.tx(lab.party["14"], old), "stale-counter");
  // Orders: one per participant and period, a balance to trade, a price in range.
  apply_all(one, lab.tx(lab.party["6"], carbon_order_body{2020, 1}), "no-balance");
  apply_all(one, lab.tx(lab.party["14"], carbon_order_body{2020, -1}), "price-out-of-range");
  apply_all(one, lab.tx(lab.party["14"], carbon_order_body{2020, 2'160'000}));
  apply_all(one, lab.tx(lab.party["14"], carbon_order_body{2020, 2'000'000}), "order-exists");
  // Transfers: only what one holds, to someone of the chain.
  apply_all(one, lab.tx(lab.party["14"], transfer_body{lab.party["6"].pub, 2020, 456'001}), "insufficient-quota");
  apply_all(one, lab.tx(lab.party["14"], transfer_body{lab.stranger.pub, 2020, 1}), "unknown-participant");
  apply_all(one, lab.tx(lab.party["14"], transfer_body{lab.party["6"].pub, 2020, 6'000}));
  CHECK(l.balance_kg(lab.party["6"].pub, 2020) == 6'000);
  CHECK(l.balance_kg(lab.party["14"].pub, 2020) == 450'000);
  apply_all(one, lab.tx(lab.validator, l.run_auction(2021)), "no-orders");
}

TEST_CASE("carbon transactions of every kind round-trip through their encoding, and damaged bytes are refused") {
  carbon_lab lab;
  const std::vector<signed_carbon_transaction> all = {
      lab.tx(lab.party["14"], lab.claim("14", 456'000, 456'000)),
      lab.tx(lab.verifier, lab.report("5", 2'455'000)),
      lab.tx(lab.party["5"], carbon_order_body{2020, 7'060'000}),
      lab.tx(lab.validator,
             auction_result_body{2020, hash256{}, {{lab.party["5"].pub, lab.party["11"].pub, 1, 80'000, 6'060'000, 484'800'000}},
                                 {{lab.party["12"].pub, 3}}, {{lab.party["6"].pub, 4}}}),
      lab.tx(lab.party["14"], transfer_body{lab.party["6"].pub, 2020, 5}),
  };
  for (const auto& stx : all) {
    INFO(to_string(stx.tx.kind()));
    auto back = decode_carbon_envelope(stx.envelope.data(), stx.envelope.size());
    REQUIRE(back.ok());
    CHECK(back.value().id == stx.id);
    CHECK(encode_payload(back.value().tx) == stx.payload);
    CHECK(signature_valid(back.value(), chain_id));
    CHECK_FALSE(signature_valid(back.value(), "voltaic-demo"));  // another chain
    for (std::size_t cut = 0; cut < stx.envelope.size(); cut += 7)
      CHECK_FALSE(decode_carbon_envelope(stx.envelope.data(), cut).ok());
  }
  // The transaction root hashes emissions accounting and trades apart.
  const auto root = carbon_tx_root(all);
  CHECK(root != carbon_tx_root({all[0], all[2], all[3], all[4]}));
  CHECK(root != carbon_tx_root({all[0], all[1], all[2], all[4]}));
  auto unknown = all[2].payload;
  unknown[2] = 9;  // kind 9 (kept for the peg)
  CHECK(decode_carbon_payload(unknown.data(), unknown.size()).err().message.rfind("unknown-kind", 0) == 0);
}
