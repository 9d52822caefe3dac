#include <doctest/doctest.h>

#include <map>
#include <tuple>

#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/market/units.hpp"

using namespace voltaic::chain;

namespace {

key_pair seeded(std::uint8_t n) {
  std::array<std::uint8_t, 32> s{};
  s.fill(n);
  return key_pair_from_seed(s);
}

std::string reason_of(const std::string& message) { return message.substr(0, message.find(':')); }

// A small lab chain: one validator, a DSO, an authority, a manufacturer, a
// buyer with a certified meter, and a producer.
struct lab {
  std::string chain_id = "test-chain";
  key_pair authority = seeded(1), dso = seeded(2), manufacturer = seeded(3), validator = seeded(4),
           buyer = seeded(5), producer = seeded(6), stranger = seeded(7), rogue_manufacturer = seeded(8);
  meter_keys buyer_meter, producer_meter;
  std::unique_ptr<ledger> chain;
  std::map<public_key, std::uint64_t> nonces;
  std::uint64_t meter_counter = 0;

  lab() {
    genesis_config g;
    g.chain_id = chain_id;
    g.time_ms = 1'000;
    g.authority = authority.pub;
    g.dso = dso.pub;
    g.manufacturers = {manufacturer.pub};
    g.validators = {{validator.pub, 1}};
    g.balances = {{buyer.pub, 10'000'000}, {dso.pub, 50'000'000}};
    chain = std::move(ledger::open(make_memory_store(), &g)).value();
    buyer_meter = meter_with(40, manufacturer, 20);
    producer_meter = meter_with(50, manufacturer, 21);
  }

  // Four CoE keys from `first_seed`, vouched for by another meter certified by `maker`.
  meter_keys meter_with(std::uint8_t first_seed, const key_pair& maker, std::uint8_t voucher_seed) const {
    const key_pair voucher = seeded(voucher_seed);
    std::vector<key_pair> keys;
    for (std::uint8_t i = 0; i < 4; ++i) keys.push_back(seeded(static_cast<std::uint8_t>(first_seed + i)));
    return make_meter_keys(std::move(keys), chain_id, voucher, maker.pub, certify_meter(voucher.pub, chain_id, maker));
  }

  signed_transaction tx(const key_pair& k, tx_body body, std::uint64_t expiry = 1'000) {
    transaction t;
    t.signer = k.pub;
    t.nonce = ++nonces[k.pub];
    t.expiry_height = expiry;
    t.body = std::move(body);
    return sign_transaction(t, chain_id, k);
  }
  signed_transaction erc(const meter_keys& m, std::size_t key_index, const erc_body& body, std::uint64_t expiry = 1'000) {
    transaction t;
    t.signer = m.keys[key_index].pub;
    t.nonce = ++meter_counter;
    t.expiry_height = expiry;
    t.body = body;
    return sign_transaction(t, chain_id, m.keys[key_index]);
  }

  // Proposes a block; returns the reasons of refused transactions in order.
  std::vector<std::string> propose(const std::vector<signed_transaction>& txs) {
    const auto& st = chain->state();
    auto built = chain->propose(txs, st.head_time_ms + 1'000, validator.pub);
    REQUIRE(built.ok());
    std::vector<std::string> reasons;
    for (const auto& [id, e] : built.value().rejected) reasons.push_back(reason_of(e.message));
    return reasons;
  }

  const ledger_state& state() const { return chain->state(); }
  account acct(const key_pair& k) const {
    const account* a = state().accounts.find(k.pub);
    return a ? *a : account{};
  }
  std::int64_t total_money() const {
    std::int64_t sum = 0;
    for (const auto& [k, a] : state().accounts.items()) sum += a.balance_uc;
    return sum;
  }
  // Opens a CTP from buyer to producer and returns its id.
  std::uint64_t open_ctp(std::int64_t amount, std::int64_t energy, std::uint64_t expiry, const meter_keys& meter) {
    const std::uint64_t id = state().peek_next_ctp_id();
    auto reasons = propose({tx(buyer, ctp_commit_body{producer.pub, amount, energy, expiry, meter.coe.root})});
    REQUIRE(reasons.empty());
    return id;
  }
};

}  // namespace

TEST_CASE("a CTP holds the buyer's money and an ERC pays the producer pro rata") {
  lab l;
  const std::int64_t money = l.total_money();
  const auto id = l.open_ctp(1'000'000, 10'000'000, 10, l.buyer_meter);
  CHECK(l.acct(l.buyer).held_uc == 1'000'000);
  CHECK(l.state().ctps.items().size() == 1);
  CHECK(l.state().ctp_db_hash != hash256{});

  // 7.5 of 10 kWh received: 750,000 uc to the producer, the rest released.
  auto reasons = l.propose({l.erc(l.buyer_meter, 1, make_erc_body(l.buyer_meter, 1, id, 7'500'000))});
  CHECK(reasons.empty());
  CHECK(l.acct(l.producer).balance_uc == 750'000);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - 750'000);
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.state().ctps.items().empty());
  CHECK(l.total_money() == money);

  // A second ERC for the same CTP finds nothing to confirm.
  auto again = l.propose({l.erc(l.buyer_meter, 2, make_erc_body(l.buyer_meter, 2, id, 1'000))});
  CHECK(again == std::vector<std::string>{"ctp-unknown"});
}

TEST_CASE("replayed, expired, re-kinded and foreign-chain transactions are refused") {
  lab l;
  const auto fund = l.tx(l.authority, fund_body{l.producer.pub, 1'000});
  CHECK(l.propose({fund}).empty());
  CHECK(l.propose({fund}) == std::vector<std::string>{"nonce-stale"});  // same nonce again

  const auto late = l.tx(l.authority, fund_body{l.producer.pub, 1'000}, l.state().height);  // expires before the next block
  CHECK(l.propose({late}) == std::vector<std::string>{"tx-expired"});

  // The signature of a timeout cannot be reused for a fund of another kind.
  auto timeout = l.tx(l.buyer, ctp_timeout_body{1});
  transaction as_fund = timeout.tx;
  as_fund.body = fund_body{l.buyer.pub, 1};
  signed_transaction forged = sign_transaction(as_fund, l.chain_id, l.buyer);
  forged.payload = encode_payload(as_fund);
  forged.sig = timeout.sig;
  forged.tx = as_fund;
  CHECK(l.propose({forged}) == std::vector<std::string>{"bad-signature"});

  // Signed for another chain.
  transaction t;
  t.signer = l.authority.pub;
  t.nonce = 99;
  t.expiry_height = 1'000;
  t.body = fund_body{l.producer.pub, 5};
  CHECK(l.propose({sign_transaction(t, "other-chain", l.authority)}) == std::vector<std::string>{"bad-signature"});

  // An ERC signed under the transaction domain is not an energy receipt.
  const auto id = l.open_ctp(1'000, 1'000'000, 10, l.buyer_meter);
  transaction e;
  e.signer = l.buyer_meter.keys[0].pub;
  e.nonce = 1;
  e.expiry_height = 1'000;
  e.body = make_erc_body(l.buyer_meter, 0, id, 1'000'000);
  signed_transaction wrong_domain = sign_transaction(e, l.chain_id, l.buyer_meter.keys[0]);
  wrong_domain.sig = sign(domain::transaction, l.chain_id, wrong_domain.payload, l.buyer_meter.keys[0]);
  CHECK(l.propose({wrong_domain}) == std::vector<std::string>{"bad-signature"});
}

TEST_CASE("forged ERCs are refused and leave the state unchanged") {
  lab l;
  const auto id = l.open_ctp(1'000'000, 10'000'000, 12, l.buyer_meter);
  const state_changes before = l.state().all_records();

  // Meter not certified: its voucher's manufacturer is not on the chain.
  const meter_keys rogue = l.meter_with(60, l.rogue_manufacturer, 22);
  // Key not in the tree: a CoE key of the producer's meter with the buyer's CoE.
  erc_body not_in_tree = make_erc_body(l.buyer_meter, 0, id, 1'000);
  // Bad signature: the body changed after signing.
  signed_transaction tampered = l.erc(l.buyer_meter, 1, make_erc_body(l.buyer_meter, 1, id, 1'000));
  std::get<erc_body>(tampered.tx.body).energy_mwh = 2'000;
  tampered.payload = encode_payload(tampered.tx);
  // Bad CoE signature: the root re-signed by nobody.
  erc_body bad_coe = make_erc_body(l.buyer_meter, 2, id, 1'000);
  bad_coe.coe.signer_sig[0] ^= 1;

  const std::vector<std::pair<signed_transaction, std::string>> cases = {
      {l.erc(rogue, 0, make_erc_body(rogue, 0, id, 1'000)), "erc-meter-not-certified"},
      {l.erc(l.producer_meter, 0, not_in_tree), "erc-key-not-in-tree"},
      {tampered, "bad-signature"},
      {l.erc(l.buyer_meter, 2, bad_coe), "erc-coe-bad-signature"},
      {l.erc(l.buyer_meter, 3, make_erc_body(l.buyer_meter, 3, id + 7, 1'000)), "ctp-unknown"},
      {l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 10'000'001)), "erc-energy-exceeds-ctp"},
      {l.erc(l.producer_meter, 1, make_erc_body(l.producer_meter, 1, id, 1'000)), "erc-meter-mismatch"},
  };
  for (const auto& [erc, reason] : cases) {
    CAPTURE(reason);
    CHECK(l.propose({erc}) == std::vector<std::string>{reason});
    CHECK(l.state().all_records() == before);
  }
  // Expired CTP: heights run past 12 with empty blocks.
  while (l.state().height < 12) l.propose({});
  CHECK(l.propose({l.erc(l.buyer_meter, 1, make_erc_body(l.buyer_meter, 1, id, 1'000))}) ==
        std::vector<std::string>{"ctp-expired"});
  CHECK(l.state().all_records() == before);
}

TEST_CASE("only the buyer times out a CTP, and only after its expiry") {
  lab l;
  const auto id = l.open_ctp(2'000'000, 1'000'000, 3, l.buyer_meter);
  CHECK(l.propose({l.tx(l.buyer, ctp_timeout_body{id})}) == std::vector<std::string>{"ctp-not-expired"});
  CHECK(l.propose({l.tx(l.stranger, ctp_timeout_body{id})}) == std::vector<std::string>{"ctp-not-owner"});
  CHECK(l.state().height == 3);
  CHECK(l.propose({l.tx(l.buyer, ctp_timeout_body{id})}).empty());
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000);  // nothing paid
  CHECK(l.acct(l.producer).balance_uc == 0);
}

TEST_CASE("holds, balances and authorisation") {
  lab l;
  // More than the available balance.
  CHECK(l.propose({l.tx(l.buyer, ctp_commit_body{l.producer.pub, 10'000'001, 1'000, 9, l.buyer_meter.coe.root})}) ==
        std::vector<std::string>{"insufficient-balance"});
  l.open_ctp(9'000'000, 1'000, 9, l.buyer_meter);
  CHECK(l.propose({l.tx(l.buyer, ctp_commit_body{l.producer.pub, 1'000'001, 1'000, 9, l.buyer_meter.coe.root})}) ==
        std::vector<std::string>{"insufficient-balance"});
  // Rights.
  CHECK(l.propose({l.tx(l.stranger, fund_body{l.stranger.pub, 5})}) == std::vector<std::string>{"not-authorised"});
  CHECK(l.propose({l.tx(l.stranger, grid_update_body{{}, {}, "open L1-2"})}) == std::vector<std::string>{"not-dso"});
  CHECK(l.propose({l.tx(l.stranger, dso_params_body{1, 1})}) == std::vector<std::string>{"not-dso"});
  CHECK(l.propose({l.tx(l.stranger, order_root_body{0, 1, {}, 3})}) == std::vector<std::string>{"not-validator"});
  CHECK(l.propose({l.tx(l.dso, grid_update_body{blake2b_256("g2"), {}, "close L12-22"})}).empty());
  CHECK(l.state().grid.find(0)->grid_version == blake2b_256("g2"));
  // A clearing needs its order set; each is recorded once.
  CHECK(l.propose({l.tx(l.validator, clearing_result_body{0, 1, 0, 0, 1, 10, false, 5, {}, 1})}) ==
        std::vector<std::string>{"order-root-missing"});
  CHECK(l.propose({l.tx(l.validator, order_root_body{0, 1, {}, 3}),
                   l.tx(l.validator, clearing_result_body{0, 1, 0, 0, 1, 10, false, 5, {}, 1})})
            .empty());
  CHECK(l.propose({l.tx(l.validator, order_root_body{0, 1, {}, 3})}) == std::vector<std::string>{"order-root-exists"});
  // Overflow is refused, not wrapped.
  CHECK(l.propose({l.tx(l.authority, fund_body{l.buyer.pub, max_money_uc})}) ==
        std::vector<std::string>{"balance-overflow"});
}

TEST_CASE("meter settlement follows market.md 5.4 with the DSO as counterparty") {
  lab l;
  const key_pair buyer_reader = seeded(60), seller_reader = seeded(61);  // the parties' meters
  CHECK(l.propose({l.tx(l.dso, dso_params_body{2'000, 50'000})}).empty());  // penalty 0.05 credits/kWh
  const std::int64_t money = l.total_money();
  const auto hold = l.open_ctp(3'000'000, 10'000'000, 50, l.buyer_meter);
  meter_settlement_body buyer{0, 1, l.buyer.pub, party_role::buyer, 10'000'000, 9'000'000, 140'000, 5'000, {hold}};
  // Nothing agreed on chain yet: no meter can settle.
  CHECK(l.propose({l.tx(buyer_reader, buyer)}) == std::vector<std::string>{"due-unknown"});
  // The cycle: order set, clearing at p0 = 0.14 with 10 kWh traded, dues.
  cycle_dues_body dues{0, 1, {}};
  dues.dues.push_back({l.buyer.pub, party_role::buyer, buyer_reader.pub, 10'000'000, 5'000});
  dues.dues.push_back({l.producer.pub, party_role::seller, seller_reader.pub, 10'000'000, 5'000});
  std::sort(dues.dues.begin(), dues.dues.end(),
            [](const party_due& a, const party_due& b) { return std::tie(a.party, a.role) < std::tie(b.party, b.role); });
  cycle_dues_body unbalanced = dues;
  unbalanced.dues[0].agreed_mwh += 1;  // energy would not be conserved
  cycle_dues_body unsorted = dues;
  std::swap(unsorted.dues[0], unsorted.dues[1]);
  CHECK(l.propose({l.tx(l.validator, dues)}) == std::vector<std::string>{"clearing-missing"});
  CHECK(l.propose({l.tx(l.validator, order_root_body{0, 1, {}, 2}),
                   l.tx(l.validator, clearing_result_body{0, 1, 0, 0, 1, 140'000, false, 10'000'000, {}, 1})})
            .empty());
  CHECK(l.propose({l.tx(l.stranger, dues)}) == std::vector<std::string>{"not-validator"});
  CHECK(l.propose({l.tx(l.validator, unbalanced)}) == std::vector<std::string>{"bad-dues"});
  CHECK(l.propose({l.tx(l.validator, unsorted)}) == std::vector<std::string>{"bad-dues"});
  CHECK(l.propose({l.tx(l.validator, dues)}).empty());
  CHECK(l.propose({l.tx(l.validator, dues)}) == std::vector<std::string>{"dues-exist"});

  // Only the party's meter settles it, and only for what the chain recorded.
  CHECK(l.propose({l.tx(l.validator, buyer)}) == std::vector<std::string>{"not-meter"});
  CHECK(l.propose({l.tx(seller_reader, buyer)}) == std::vector<std::string>{"not-meter"});
  meter_settlement_body cheaper = buyer;
  cheaper.tariff_uc = 0;
  CHECK(l.propose({l.tx(buyer_reader, cheaper)}) == std::vector<std::string>{"settlement-mismatch"});
  meter_settlement_body wrong_price = buyer;
  wrong_price.price_ucpkwh = 1;
  CHECK(l.propose({l.tx(buyer_reader, wrong_price)}) == std::vector<std::string>{"settlement-mismatch"});

  // Buyer agreed 10 kWh, metered 9 kWh at p0 = 0.14: 1.26 + tariff 0.005 + 1 kWh * 0.05.
  // Seller agreed 10 kWh, metered 8 kWh: 1.12 - 0.005 - 2 kWh * 0.05.
  meter_settlement_body seller{0, 1, l.producer.pub, party_role::seller, 10'000'000, 8'000'000, 140'000, 5'000, {}};
  CHECK(l.propose({l.tx(buyer_reader, buyer), l.tx(seller_reader, seller)}).empty());
  const std::int64_t bill = 1'260'000 + 5'000 + 50'000;
  const std::int64_t income = 1'120'000 - 5'000 - 100'000;
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - bill);
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.state().ctps.items().empty());
  CHECK(l.acct(l.producer).balance_uc == income);
  CHECK(l.acct(l.dso).balance_uc == 50'000'000 + bill - income);
  CHECK(l.total_money() == money);
  // Once per party and cycle.
  buyer.release_ctps.clear();
  CHECK(l.propose({l.tx(buyer_reader, buyer)}) == std::vector<std::string>{"settlement-exists"});
}

TEST_CASE("blocks: a bad entry or header rolls back, and replicas agree on every hash") {
  lab l;
  const auto id = l.open_ctp(1'000'000, 10'000'000, 20, l.buyer_meter);
  // A second replica of the same genesis executes the proposer's blocks.
  genesis_config g = l.state().genesis;
  auto replica = std::move(ledger::open(make_memory_store(), &g)).value();
  for (std::uint64_t h = 1; h <= l.state().height; ++h) {
    auto raw = l.chain->store().block_bytes(h);
    REQUIRE(raw.ok());
    REQUIRE(raw.value().has_value());
    REQUIRE(replica->append(decode_block(*raw.value()).value(), {}).ok());
  }
  CHECK(replica->state().head_hash == l.state().head_hash);

  const auto erc = l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 5'000'000));
  auto built = l.chain->propose({erc, l.tx(l.dso, dso_params_body{1, 2})}, 50'000, l.validator.pub);
  REQUIRE(built.ok());
  const block good = built.value().blk;
  const state_changes before = replica->state().all_records();
  const hash256 head = replica->state().head_hash;

  block_options strict;
  strict.require_erc_witness = true;
  auto refused = [&](const block& b, const std::vector<signed_transaction>& ercs, const block_options& o) {
    auto s = replica->append(b, ercs, o);
    REQUIRE_FALSE(s.ok());
    CHECK(replica->state().all_records() == before);
    CHECK(replica->state().head_hash == head);
    return reason_of(s.err().message);
  };
  CHECK(refused(good, {}, strict) == "erc-missing");
  block wrong_root = good;
  wrong_root.header.state_root[0] ^= 1;
  seal(wrong_root);
  CHECK(refused(wrong_root, built.value().ercs, strict) == "bad-block-state-root");
  block wrong_prev = good;
  wrong_prev.header.prev_hash[3] ^= 1;
  seal(wrong_prev);
  CHECK(refused(wrong_prev, built.value().ercs, strict) == "bad-block-prev-hash");
  block swapped = good;
  std::swap(swapped.entries[0], swapped.entries[1]);
  CHECK(refused(swapped, built.value().ercs, strict) == "bad-block-tx-root");
  block foreign = good;
  foreign.header.proposer = l.stranger.pub;
  seal(foreign);
  CHECK(refused(foreign, built.value().ercs, strict) == "bad-block-proposer");

  REQUIRE(replica->append(good, built.value().ercs, strict).ok());
  CHECK(replica->state().head_hash == l.state().head_hash);
  CHECK(replica->state().state_root == l.state().state_root);
  CHECK(replica->state().all_records() == l.state().all_records());
}

TEST_CASE("evidence of a double-signing validator is recorded once, and forged evidence is refused") {
  lab l;
  auto crypto = make_ed25519_consensus_crypto(l.chain_id, l.validator);
  auto signed_vote = [&](bool nil, const hash256& id) {
    consensus_vote v{vote_kind::precommit, 1, 0, nil, nil ? hash256{} : id, 0, {}};
    return crypto->sign(vote_sign_bytes(v));
  };
  const hash256 a = blake2b_256("block a"), b = blake2b_256("block b");
  evidence_body e{1, 0, 3, 0, false, a, signed_vote(false, a), false, b, signed_vote(false, b)};
  CHECK(l.propose({l.tx(l.stranger, e)}) == std::vector<std::string>{"not-validator"});
  evidence_body same = e;
  same.value_b = a;
  same.sig_b = e.sig_a;
  CHECK(l.propose({l.tx(l.validator, same)}) == std::vector<std::string>{"bad-evidence"});
  evidence_body forged = e;
  forged.sig_b[0] ^= 1;
  CHECK(l.propose({l.tx(l.validator, forged)}) == std::vector<std::string>{"bad-evidence"});
  evidence_body nil_vs_value{1, 0, 3, 0, true, hash256{}, signed_vote(true, hash256{}), false, b, signed_vote(false, b)};
  CHECK(l.propose({l.tx(l.validator, e)}).empty());
  CHECK(l.state().evidence.items().size() == 1);
  CHECK(l.propose({l.tx(l.validator, e)}) == std::vector<std::string>{"evidence-exists"});
  // A nil and a value for the same step is equivocation too, but the step is recorded.
  CHECK(l.propose({l.tx(l.validator, nil_vs_value)}) == std::vector<std::string>{"evidence-exists"});
}
