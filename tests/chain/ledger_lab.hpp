#pragma once
// A small electricity chain for state-machine tests: one validator, a DSO,
// an authority, a manufacturer, a buyer and a producer with certified meters.

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/ledger.hpp"

namespace voltaic::chain::testing {

inline key_pair seeded(std::uint8_t n) {
  std::array<std::uint8_t, 32> s{};
  s.fill(n);
  return key_pair_from_seed(s);
}

inline std::string reason_of(const std::string& message) { return message.substr(0, message.find(':')); }

struct ledger_lab {
  std::string chain_id = "test-chain";
  key_pair authority = seeded(1), dso = seeded(2), manufacturer = seeded(3), validator = seeded(4), buyer = seeded(5),
           producer = seeded(6), stranger = seeded(7), rogue_manufacturer = seeded(8);
  meter_keys buyer_meter, producer_meter;
  std::unique_ptr<ledger> chain;
  std::map<public_key, std::uint64_t> nonces;
  std::uint64_t meter_counter = 0;

  ledger_lab() {
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
  // What a meter signs with CoE key `key_index` (an ERC or a reading).
  signed_transaction by_meter(const meter_keys& m, std::size_t key_index, tx_body body, std::uint64_t expiry = 1'000) {
    transaction t;
    t.signer = m.keys[key_index].pub;
    t.nonce = ++meter_counter;
    t.expiry_height = expiry;
    t.body = std::move(body);
    return sign_transaction(t, chain_id, m.keys[key_index]);
  }
  signed_transaction erc(const meter_keys& m, std::size_t key_index, const erc_body& body, std::uint64_t expiry = 1'000) {
    return by_meter(m, key_index, body, expiry);
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
  // Another replica fed every block of this chain from genesis, as one
  // catching up would be.
  std::unique_ptr<ledger> replay() const {
    genesis_config g = state().genesis;
    auto replica = std::move(ledger::open(make_memory_store(), &g)).value();
    for (std::uint64_t h = 1; h <= state().height; ++h)
      REQUIRE(replica->append(decode_block(*chain->store().block_bytes(h).value()).value(), {}).ok());
    return replica;
  }
  account acct(const key_pair& k) const {
    const account* a = state().accounts.find(k.pub);
    return a ? *a : account{};
  }
  std::int64_t total_money() const {
    std::int64_t sum = 0;
    for (const auto& [k, a] : state().accounts.items()) sum += a.balance_uc;
    return sum;
  }
  // A CTP from buyer to producer, confirmed by the buyer meter's CoE key 0.
  ctp_commit_body ctp_body(std::int64_t amount, std::int64_t energy, std::uint64_t expiry, std::int64_t charge = 0,
                           std::uint64_t market = 0, std::uint64_t cycle = 0) const {
    return ctp_commit_body{producer.pub, amount, charge, energy, expiry, buyer_meter.keys[0].pub, market, cycle};
  }
  // Opens a CTP from buyer to producer and returns its id.
  std::uint64_t open_ctp(std::int64_t amount, std::int64_t energy, std::uint64_t expiry, std::int64_t charge = 0,
                         std::uint64_t market = 0, std::uint64_t cycle = 0) {
    const std::uint64_t id = state().peek_next_ctp_id();
    auto reasons = propose({tx(buyer, ctp_body(amount, energy, expiry, charge, market, cycle))});
    REQUIRE(reasons.empty());
    return id;
  }
  // Records a cycle on chain: order set, clearing at `price` with `energy`
  // traded from producer to buyer, and each side's dues (tariff each; the
  // meter keys are the CoE keys 0 of their meters).
  void clear_cycle(std::uint64_t cycle, std::int64_t price, std::int64_t energy, std::int64_t tariff) {
    cycle_dues_body dues{0, cycle, {}};
    dues.dues.push_back({buyer.pub, party_role::buyer, buyer_meter.keys[0].pub, energy, tariff});
    dues.dues.push_back({producer.pub, party_role::seller, producer_meter.keys[0].pub, energy, tariff});
    std::sort(dues.dues.begin(), dues.dues.end(), [](const party_due& a, const party_due& b) {
      return std::tie(a.party, a.role) < std::tie(b.party, b.role);
    });
    REQUIRE(propose({tx(validator, order_root_body{0, cycle, {}, 2}),
                     tx(validator, clearing_result_body{0, cycle, 0, 0, 1, price, false, energy, {}, 1}),
                     tx(validator, dues)})
                .empty());
  }
};

}  // namespace voltaic::chain::testing
