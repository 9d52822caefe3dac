// SPB payments on the electricity chain (spec/protocols.md section 3,
// market.md 5.4): holds in the CTP database, one ERC per trade paying the
// producer, a seller's own reading deciding its penalty, and the DSO taking
// only grid charges and penalties.
#include <doctest/doctest.h>

#include "ledger_lab.hpp"
#include "voltaic/chain/energy/receipt.hpp"

using namespace voltaic::chain;
using voltaic::chain::testing::ledger_lab;
using voltaic::chain::testing::reason_of;
using voltaic::chain::testing::seeded;

namespace {

// p0 = 0.14 credits/kWh, 10 kWh traded; each side's half of the grid charge
// is 5,000 uc; the DSO's penalty is 0.05 credits/kWh.
constexpr std::int64_t p0 = 140'000, traded = 10'000'000, tariff = 5'000, penalty = 50'000;

struct cleared_lab : ledger_lab {
  std::uint64_t ctp = 0;
  std::int64_t money = 0;
  cleared_lab() {
    REQUIRE(propose({tx(dso, dso_params_body{2'000, penalty}), tx(authority, fund_body{producer.pub, 1'000'000})})
                .empty());
    clear_cycle(1, p0, traded, tariff);
    // The buyer holds p0 * 10 kWh for its seller and its grid charge for the DSO.
    ctp = open_ctp(1'400'000, traded, 40, tariff, 0, 1);
    money = total_money();
  }
  signed_transaction reading(const meter_keys& m, std::size_t key, std::int64_t metered,
                             const public_key& party) {
    return by_meter(m, key, make_reading_body(m, key, 0, 1, party, metered));
  }
};

}  // namespace

TEST_CASE("a CTP enters the CTP database as a side record, never a block's body, and the header keeps its hash") {
  ledger_lab l;
  const hash256 empty_db = l.state().ctp_db_hash;
  const auto ctp = l.tx(l.buyer, l.ctp_body(1'000'000, 10'000'000, 20));
  auto built = l.chain->propose({ctp}, 5'000, l.validator.pub);
  REQUIRE(built.ok());
  const block& b = built.value().blk;
  CHECK(b.entries.empty());
  REQUIRE(b.side.size() == 1);
  CHECK(b.side[0] == ctp.envelope);
  CHECK(b.header.ctp_db_hash != empty_db);
  CHECK(l.state().ctps.items().size() == 1);

  // A replica given the block without its side records cannot reach the header's CTP hash.
  genesis_config g = l.state().genesis;
  auto replica = std::move(ledger::open(make_memory_store(), &g)).value();
  for (std::uint64_t h = 1; h < l.state().height; ++h)
    REQUIRE(replica->append(decode_block(*l.chain->store().block_bytes(h).value()).value(), {}).ok());
  block stripped = decode_block(*l.chain->store().block_bytes(l.state().height).value()).value();
  stripped.side.clear();
  auto refused = replica->append(stripped, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(reason_of(refused.err().message) == "bad-block-state-root");

  // A block that carries a CTP in its body is refused.
  block in_body = stripped;
  in_body.entries = {l.tx(l.buyer, l.ctp_body(1'000, 1'000'000, 30)).envelope};
  in_body.header.tx_root = entries_root(in_body.entries);
  seal(in_body);
  auto body_refused = replica->append(in_body, {});
  REQUIRE_FALSE(body_refused.ok());
  CHECK(reason_of(body_refused.err().message) == "ctp-not-an-entry");
}

TEST_CASE("an ERC releases its CTP into the chain with the payment: the producer pro rata, the DSO its charges") {
  cleared_lab l;
  const account dso_before = l.acct(l.dso);
  const auto erc = l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, l.ctp, 9'000'000));
  auto built = l.chain->propose({erc}, 90'000, l.validator.pub);
  REQUIRE(built.ok());
  REQUIRE(built.value().rejected.empty());
  // One entry for the trade: the receipt, carrying the CTP as its buyer signed it and no CoE.
  const auto& entries = built.value().blk.entries;
  REQUIRE(entries.size() == 1);
  REQUIRE(kind_of_receipt(entries[0]) == receipt_kind::erc);
  const auto rc = decode_receipt(entries[0].data(), entries[0].size()).value();
  CHECK(decode_envelope(rc.ctp).value().tx.signer == l.buyer.pub);
  CHECK(rc.energy_mwh == 9'000'000);
  // 9 of 10 kWh: 1.26 credits to the producer; the charge and 1 kWh of imbalance to the DSO.
  CHECK(l.acct(l.producer).balance_uc == 1'000'000 + 1'260'000);
  CHECK(l.acct(l.dso).balance_uc == dso_before.balance_uc + tariff + 50'000);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - 1'260'000 - tariff - 50'000);
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.state().ctps.items().empty());
  CHECK(l.total_money() == l.money);
}

TEST_CASE("a short seller's own reading decides its penalty, its buyer's ERC still pays it for what was confirmed") {
  cleared_lab l;
  const std::int64_t dso_before = l.acct(l.dso).balance_uc;
  // The buyer's meter confirms all 10 kWh; the seller's own meter reads 8 of 10.
  CHECK(l.propose({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, l.ctp, traded)),
                   l.reading(l.producer_meter, 0, 8'000'000, l.producer.pub)})
            .empty());
  // Seller: 1.4 from its buyer, then its tariff and 2 kWh * 0.05 to the DSO.
  CHECK(l.acct(l.producer).balance_uc == 1'000'000 + 1'400'000 - tariff - 100'000);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - 1'400'000 - tariff);
  CHECK(l.acct(l.dso).balance_uc == dso_before + 2 * tariff + 100'000);  // charges and penalty only
  CHECK(*l.state().settlements.find({0, 1, l.producer.pub, 1}) == -(tariff + 100'000));
  CHECK(l.total_money() == l.money);
  // Once per seller and cycle: the reading replayed, or another one, is refused.
  CHECK(l.propose({l.reading(l.producer_meter, 0, traded, l.producer.pub)}) ==
        std::vector<std::string>{"settlement-exists"});
}

TEST_CASE("a silent buyer's seller is not paid for that energy and the buyer's hold returns at expiry") {
  cleared_lab l;
  const std::int64_t dso_before = l.acct(l.dso).balance_uc;
  // The seller delivered in full and says so; the buyer's meter stays silent.
  CHECK(l.propose({l.reading(l.producer_meter, 0, traded, l.producer.pub)}).empty());
  CHECK(l.acct(l.producer).balance_uc == 1'000'000 - tariff);  // no income, only its grid charge
  CHECK(l.acct(l.buyer).held_uc == 1'400'000 + tariff);
  // No timeout before expiry; after it, the whole hold returns and nothing was paid.
  CHECK(l.propose({l.tx(l.buyer, ctp_timeout_body{l.ctp})}) == std::vector<std::string>{"ctp-not-expired"});
  while (l.state().height < 40) l.propose({});
  CHECK(l.propose({l.tx(l.buyer, ctp_timeout_body{l.ctp})}).empty());
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000);
  CHECK(l.acct(l.producer).balance_uc == 1'000'000 - tariff);
  CHECK(l.acct(l.dso).balance_uc == dso_before + tariff);
  CHECK(l.total_money() == l.money);
}

TEST_CASE("readings come only from the CoE key the seller's order named") {
  cleared_lab l;
  const state_changes before = l.state().all_records();
  // A certified meter, but not the key the seller named (the buyer's meter).
  CHECK(l.propose({l.reading(l.buyer_meter, 0, traded, l.producer.pub)}) == std::vector<std::string>{"not-meter"});
  // The seller's meter, another of its keys.
  CHECK(l.propose({l.reading(l.producer_meter, 1, traded, l.producer.pub)}) == std::vector<std::string>{"not-meter"});
  // A key outside the CoE's tree, and a meter no manufacturer of the chain certified.
  const meter_keys rogue = l.meter_with(60, l.rogue_manufacturer, 22);
  meter_settlement_body outside = make_reading_body(l.producer_meter, 0, 0, 1, l.producer.pub, traded);
  CHECK(l.propose({l.by_meter(rogue, 0, outside)}) == std::vector<std::string>{"erc-key-not-in-tree"});
  CHECK(l.propose({l.reading(rogue, 0, traded, l.producer.pub)}) == std::vector<std::string>{"erc-meter-not-certified"});
  // A buyer has nothing to read: it settles by its ERCs.
  CHECK(l.propose({l.reading(l.buyer_meter, 0, traded, l.buyer.pub)}) == std::vector<std::string>{"due-unknown"});
  // A plain account key is no meter.
  transaction plain;
  plain.signer = l.producer.pub;
  plain.nonce = 1;
  plain.expiry_height = 1'000;
  plain.body = outside;
  CHECK(l.propose({sign_transaction(plain, l.chain_id, l.producer)}) == std::vector<std::string>{"erc-key-not-in-tree"});
  CHECK(l.state().all_records() == before);
}

TEST_CASE("a certified chain with receipts and side records replays to the same state on another replica") {
  cleared_lab l;
  CHECK(l.propose({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, l.ctp, 9'000'000)),
                   l.reading(l.producer_meter, 0, 8'000'000, l.producer.pub)})
            .empty());
  const auto replica = l.replay();
  CHECK(replica->state().head_hash == l.state().head_hash);
  CHECK(replica->state().all_records() == l.state().all_records());
}

TEST_CASE("an ERC whose buyer cannot pay its imbalance penalty is refused and changes nothing, the hold runs on") {
  ledger_lab l;
  REQUIRE(l.propose({l.tx(l.dso, dso_params_body{0, 1'000'000'000})}).empty());  // 1,000 credits per kWh short
  const auto ctp = l.open_ctp(1'000'000, 10'000'000, 30);
  const state_changes before = l.state().all_records();
  CHECK(l.propose({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, ctp, 1'000'000))}) ==
        std::vector<std::string>{"insufficient-balance"});
  CHECK(l.state().all_records() == before);
  // In full, no penalty is due: the same CTP is released.
  CHECK(l.propose({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, ctp, 10'000'000))}).empty());
  CHECK(l.acct(l.producer).balance_uc == 1'000'000);
}

TEST_CASE("a meter's CoE is checked with its signature, off the ledger's thread, and kept only if the chain knows its maker") {
  ledger_lab l;
  const auto ctp = l.open_ctp(1'000'000, 10'000'000, 30);
  const auto erc = l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, ctp, 10'000'000));
  const auto checked = check_transaction(erc.envelope, l.chain_id);
  CHECK(checked.signature_holds);
  CHECK(checked.coe_holds);
  CHECK(checked.coe == coe_id(l.buyer_meter.coe));
  CHECK_FALSE(l.state().verified->coes.contains(checked.coe));
  remember_checked(l.state(), checked);
  CHECK(l.state().verified->coes.contains(checked.coe));
  // A CoE whose signatures hold but whose maker the chain does not know is not kept.
  const meter_keys rogue = l.meter_with(60, l.rogue_manufacturer, 22);
  const auto forged = check_transaction(l.erc(rogue, 0, make_erc_body(rogue, 0, ctp, 1'000)).envelope, l.chain_id);
  CHECK(forged.coe_holds);
  remember_checked(l.state(), forged);
  CHECK_FALSE(l.state().verified->coes.contains(forged.coe));
  // A CoE re-signed by nobody does not hold.
  erc_body bad = make_erc_body(l.buyer_meter, 1, ctp, 1'000);
  bad.coe.signer_sig[5] ^= 1;
  CHECK_FALSE(check_transaction(l.erc(l.buyer_meter, 1, bad).envelope, l.chain_id).coe_holds);
}

TEST_CASE("a CTP for a trade worth less than a micro-credit holds only its grid charge, and one that holds nothing is refused") {
  ledger_lab l;
  // 2 mWh at 0.2 credits/kWh pays 0.4 uc, rounded to 0; the grid charge still counts.
  const std::int64_t before = l.acct(l.buyer).available();
  CHECK(l.propose({l.tx(l.buyer, l.ctp_body(0, 2, 20, 4'000))}).empty());
  CHECK(l.acct(l.buyer).available() == before - 4'000);
  CHECK(l.state().ctps.items().size() == 1);
  CHECK(l.propose({l.tx(l.buyer, l.ctp_body(0, 2, 20, 0))}) == std::vector<std::string>{"amount-out-of-range"});
  CHECK(l.propose({l.tx(l.buyer, l.ctp_body(-1, 2, 20, 4'000))}) == std::vector<std::string>{"amount-out-of-range"});
  CHECK(l.acct(l.buyer).available() == before - 4'000);
  CHECK(l.state().ctps.items().size() == 1);
}
