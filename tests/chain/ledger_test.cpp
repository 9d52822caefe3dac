#include <doctest/doctest.h>

#include <tuple>

#include "ledger_lab.hpp"
#include "voltaic/chain/node/consensus.hpp"

using namespace voltaic::chain;
using voltaic::chain::testing::ledger_lab;
using voltaic::chain::testing::reason_of;
using voltaic::chain::testing::seeded;

TEST_CASE("a CTP holds the buyer's money and an ERC pays the producer pro rata") {
  ledger_lab l;
  const std::int64_t money = l.total_money();
  const auto id = l.open_ctp(1'000'000, 10'000'000, 10);
  CHECK(l.acct(l.buyer).held_uc == 1'000'000);
  CHECK(l.state().ctps.items().size() == 1);
  CHECK(l.state().ctp_db_hash != hash256{});

  // 7.5 of 10 kWh received: 750,000 uc to the producer, the rest released.
  const auto confirmed = l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 7'500'000));
  auto reasons = l.propose({confirmed});
  CHECK(reasons.empty());
  CHECK(l.acct(l.producer).balance_uc == 750'000);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - 750'000);
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.state().ctps.items().empty());
  CHECK(l.total_money() == money);

  // The same ERC replayed, or a second one for the same CTP, finds nothing to confirm.
  CHECK(l.propose({confirmed}) == std::vector<std::string>{"ctp-unknown"});
  CHECK(l.propose({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 1'000))}) ==
        std::vector<std::string>{"ctp-unknown"});
  CHECK(l.total_money() == money);
}

TEST_CASE("replayed, expired, re-kinded and foreign-chain transactions are refused") {
  ledger_lab l;
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
  const auto id = l.open_ctp(1'000, 1'000'000, 10);
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
  ledger_lab l;
  const auto id = l.open_ctp(1'000'000, 10'000'000, 12);
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
      // Someone else's CTP: a certified meter, but not the key the CTP names.
      {l.erc(l.producer_meter, 1, make_erc_body(l.producer_meter, 1, id, 1'000)), "erc-wrong-meter"},
      // The buyer's own meter, but another of its keys than the CTP names.
      {l.erc(l.buyer_meter, 1, make_erc_body(l.buyer_meter, 1, id, 1'000)), "erc-wrong-meter"},
  };
  for (const auto& [erc, reason] : cases) {
    CAPTURE(reason);
    CHECK(l.propose({erc}) == std::vector<std::string>{reason});
    CHECK(l.state().all_records() == before);
  }
  // Expired CTP: heights run past 12 with empty blocks.
  while (l.state().height < 12) l.propose({});
  CHECK(l.propose({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 1'000))}) ==
        std::vector<std::string>{"ctp-expired"});
  CHECK(l.state().all_records() == before);
}

TEST_CASE("only the buyer times out a CTP, and only after its expiry") {
  ledger_lab l;
  const auto id = l.open_ctp(2'000'000, 1'000'000, 3);
  CHECK(l.propose({l.tx(l.buyer, ctp_timeout_body{id})}) == std::vector<std::string>{"ctp-not-expired"});
  CHECK(l.propose({l.tx(l.stranger, ctp_timeout_body{id})}) == std::vector<std::string>{"ctp-not-owner"});
  CHECK(l.state().height == 3);
  CHECK(l.propose({l.tx(l.buyer, ctp_timeout_body{id})}).empty());
  CHECK(l.acct(l.buyer).held_uc == 0);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000);  // nothing paid
  CHECK(l.acct(l.producer).balance_uc == 0);
}

TEST_CASE("holds, balances and authorisation") {
  ledger_lab l;
  // More than the available balance.
  CHECK(l.propose({l.tx(l.buyer, l.ctp_body(10'000'001, 1'000, 9, 0))}) ==
        std::vector<std::string>{"insufficient-balance"});
  l.open_ctp(9'000'000, 1'000, 9, 0);
  // The grid charge is held too.
  CHECK(l.propose({l.tx(l.buyer, l.ctp_body(999'999, 1'000, 9, 2))}) == std::vector<std::string>{"insufficient-balance"});
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

TEST_CASE("blocks: a bad entry or header rolls back, and replicas agree on every hash") {
  ledger_lab l;
  const auto id = l.open_ctp(1'000'000, 10'000'000, 20);
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
  ledger_lab l;
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

TEST_CASE("reading the head while a candidate block is applied shows the head and keeps the candidate") {
  ledger_lab l;
  const auto id = l.open_ctp(1'000'000, 10'000'000, 10);
  const auto before = l.state();  // a copy of the head
  // A candidate that pays the producer, closes the CTP and opens another.
  const auto built = l.chain->build({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 5'000'000)),
                                     l.tx(l.buyer, l.ctp_body(2'000'000, 10'000'000, 20))},
                                    before.head_time_ms + 1'000, l.validator.pub);
  REQUIRE(built.rejected.empty());
  const hash256 candidate = built.blk.hash;

  // The head as it was: every changed record shows its old value, the new CTP is not there.
  for (int read = 0; read < 2; ++read) {
    const auto& head = l.chain->state();
    CHECK(l.chain->is_candidate(candidate));
    CHECK(head.accounts.find(l.producer.pub) == nullptr);
    CHECK(head.accounts.find(l.buyer.pub)->held_uc == 1'000'000);
    CHECK(head.ctps.items().size() == 1);
    CHECK(head.ctps.find(id) != nullptr);
    CHECK(head.compute_ctp_db_hash() == before.ctp_db_hash);
  }
  // The candidate as built: its changes come back.
  const auto& after = l.chain->candidate_state();
  CHECK(after.accounts.find(l.producer.pub)->balance_uc == 500'000);
  CHECK(after.ctps.find(id) == nullptr);
  CHECK(after.ctps.items().size() == 1);
  CHECK(after.compute_ctp_db_hash() == built.blk.header.ctp_db_hash);

  // Read once more, then committed: the block is the candidate, and the head becomes it.
  (void)l.chain->state();
  REQUIRE(l.chain->append(built.blk, built.ercs).ok());
  CHECK(l.state().head_hash == candidate);
  CHECK(l.acct(l.producer).balance_uc == 500'000);
  CHECK(l.acct(l.buyer).held_uc == 2'000'000);
  CHECK(l.state().ctp_db_hash == built.blk.header.ctp_db_hash);
}

TEST_CASE("a candidate dropped while its changes are stashed leaves exactly the head") {
  ledger_lab l;
  const auto id = l.open_ctp(1'000'000, 10'000'000, 10);
  const auto before = l.state();
  const auto built = l.chain->build({l.erc(l.buyer_meter, 0, make_erc_body(l.buyer_meter, 0, id, 5'000'000))},
                                    before.head_time_ms + 1'000, l.validator.pub);
  REQUIRE(built.rejected.empty());
  (void)l.chain->state();  // stashed
  // Another block for the same height replaces the candidate: built from the head, not from the stash.
  const auto other = l.chain->build({l.tx(l.buyer, ctp_timeout_body{id})}, before.head_time_ms + 1'000, l.validator.pub);
  CHECK(other.rejected.size() == 1);  // the CTP has not expired at this height
  CHECK_FALSE(l.chain->is_candidate(built.blk.hash));
  const auto& head = l.chain->state();
  CHECK(head.accounts.find(l.producer.pub) == nullptr);
  CHECK(head.ctps.find(id) != nullptr);
  CHECK(head.accounts.find(l.buyer.pub)->held_uc == 1'000'000);
  CHECK(head.compute_ctp_db_hash() == before.ctp_db_hash);
}
