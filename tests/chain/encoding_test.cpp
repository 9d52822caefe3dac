#include <doctest/doctest.h>

#include <map>
#include <string>

#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/block.hpp"

using namespace voltaic::chain;

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> filled(std::uint8_t v) {
  std::array<std::uint8_t, N> a;
  a.fill(v);
  return a;
}

// One body of every kind with recognisable field values (keys are byte
// patterns: 0x11 signer, 0x22 counterparty, ...).
std::vector<tx_body> sample_bodies() {
  return {
      fund_body{filled<32>(0x22), 5'000'000},
      energy_account_body{10'000'000, 150'000},
      order_root_body{1, 7, filled<32>(0x33), 55},
      clearing_result_body{1, 7, 0, 1, 3, 140'000, true, 120'000'000, filled<32>(0x44), 12},
      ctp_commit_body{filled<32>(0x22), 1'500'000, 2'500, 10'000'000, 20, filled<32>(0x55), 1, 7},
      erc_body{9, 7'500'000,
               certificate_of_existence{filled<32>(0x55), 4, filled<32>(0x66), filled<32>(0x77), filled<64>(0x88),
                                        filled<64>(0x99)},
               2, {filled<32>(0xaa), filled<32>(0xbb)}},
      ctp_timeout_body{9},
      meter_settlement_body{1, 7, filled<32>(0x22), 9'000'000,
                            certificate_of_existence{filled<32>(0x55), 4, filled<32>(0x66), filled<32>(0x77),
                                                     filled<64>(0x88), filled<64>(0x99)},
                            2, {filled<32>(0xaa), filled<32>(0xbb)}},
      grid_update_body{filled<32>(0x33), filled<32>(0x44), "open L12-22"},
      dso_params_body{2'000, 50'000},
      evidence_body{4, 1, 3, 2, false, filled<32>(0x33), filled<64>(0x88), true, hash256{}, filled<64>(0x99)},
      cycle_dues_body{1, 7, {party_due{filled<32>(0x22), party_role::seller, filled<32>(0x33), 10'000'000, 5'000}}},
      escrow_deploy_body{filled<32>(0x22), 1'400'000, 10'000'000, 30},
      escrow_pay_body{{filled<32>(0x33)}},
      escrow_payout_body{filled<32>(0x33), 9'000'000},
      escrow_refund_body{{filled<32>(0x33)}},
  };
}

// Pinned encodings, format version 1. Each payload starts 96 (array of 6),
// 01 (format), the kind, c420 + signer, 03 (nonce), 64 (expiry 100), body.
const std::map<std::string, std::string> golden = {
    {"fund",
     "960101c4201111111111111111111111111111111111111111111111111111111111111111036492c420222222222222"
     "2222222222222222222222222222222222222222222222222222ce004c4b40"},
    {"energy_account_add",
     "960102c4201111111111111111111111111111111111111111111111111111111111111111036492ce00989680ce0002"
     "49f0"},
    {"order_root",
     "960103c42011111111111111111111111111111111111111111111111111111111111111110364940107c42033333333"
     "3333333333333333333333333333333333333333333333333333333337"},
    {"clearing_result",
     "960104c420111111111111111111111111111111111111111111111111111111111111111103649a0107000103ce0002"
     "22e0c3ce07270e00c42044444444444444444444444444444444444444444444444444444444444444440c"},
    {"ctp_commit",
     "960105c4201111111111111111111111111111111111111111111111111111111111111111036498c420222222222222"
     "2222222222222222222222222222222222222222222222222222ce0016e360cd09c4ce0098968014c420555555555555"
     "55555555555555555555555555555555555555555555555555550107"},
    {"erc",
     "960106c420111111111111111111111111111111111111111111111111111111111111111103649409ce007270e096c4"
     "20555555555555555555555555555555555555555555555555555555555555555504c420666666666666666666666666"
     "6666666666666666666666666666666666666666c4207777777777777777777777777777777777777777777777777777"
     "777777777777c44088888888888888888888888888888888888888888888888888888888888888888888888888888888"
     "888888888888888888888888888888888888888888888888c44099999999999999999999999999999999999999999999"
     "999999999999999999999999999999999999999999999999999999999999999999999999999999999999920292c420aa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac420bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
    {"ctp_timeout",
     "960107c420111111111111111111111111111111111111111111111111111111111111111103649109"},
    {"meter_settlement",
     "960108c42011111111111111111111111111111111111111111111111111111111111111110364960107c42022222222"
     "22222222222222222222222222222222222222222222222222222222ce0089544096c420555555555555555555555555"
     "555555555555555555555555555555555555555504c42066666666666666666666666666666666666666666666666666"
     "66666666666666c4207777777777777777777777777777777777777777777777777777777777777777c4408888888888"
     "888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888"
     "8888888888888888888888c4409999999999999999999999999999999999999999999999999999999999999999999999"
     "9999999999999999999999999999999999999999999999999999999999920292c420aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac420bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
     "bbbbbbbb"},
    {"grid_update",
     "960109c4201111111111111111111111111111111111111111111111111111111111111111036493c420333333333333"
     "3333333333333333333333333333333333333333333333333333c4204444444444444444444444444444444444444444"
     "444444444444444444444444ab6f70656e204c31322d3232"},
    {"dso_params",
     "96010ac4201111111111111111111111111111111111111111111111111111111111111111036492cd07d0cdc350"},
    {"evidence",
     "96010bc42011111111111111111111111111111111111111111111111111111111111111110364960401030293c2c420"
     "3333333333333333333333333333333333333333333333333333333333333333c4408888888888888888888888888888"
     "888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888"
     "888893c3c4200000000000000000000000000000000000000000000000000000000000000000c4409999999999999999"
     "999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
     "9999999999999999"},
    {"cycle_dues",
     "96010cc420111111111111111111111111111111111111111111111111111111111111111103649301079195c4202222"
     "22222222222222222222222222222222222222222222222222222222222201c420333333333333333333333333333333"
     "3333333333333333333333333333333333ce00989680cd1388"},
    {"escrow_deploy",
     "96010dc4201111111111111111111111111111111111111111111111111111111111111111036494c420222222222222"
     "2222222222222222222222222222222222222222222222222222ce00155cc0ce009896801e"},
    {"escrow_pay",
     "96010ec4201111111111111111111111111111111111111111111111111111111111111111036491c420333333333333"
     "3333333333333333333333333333333333333333333333333333"},
    {"escrow_payout",
     "96010fc4201111111111111111111111111111111111111111111111111111111111111111036492c420333333333333"
     "3333333333333333333333333333333333333333333333333333ce00895440"},
    {"escrow_refund",
     "960110c4201111111111111111111111111111111111111111111111111111111111111111036491c420333333333333"
     "3333333333333333333333333333333333333333333333333333"},
    {"header",
     "9a01a36c616205c4200101010101010101010101010101010101010101010101010101010101010101cf0000018bcfe5"
     "6800c4200202020202020202020202020202020202020202020202020202020202020202c42003030303030303030303"
     "03030303030303030303030303030303030303030303c420040404040404040404040404040404040404040404040404"
     "0404040404040404c4200505050505050505050505050505050505050505050505050505050505050505c42006060606"
     "06060606060606060606060606060606060606060606060606060606"},
    {"reading_receipt",
     "96c4200707070707070707070707070707070707070707070707070707070707070707c4205555555555555555555555"
     "5555555555555555555555555555555555555555550107c4202222222222222222222222222222222222222222222222"
     "222222222222222222ce00895440"},
    {"receipt",
     "94c420070707070707070707070707070707070707070707070707070707070707070709ce007270e0c40792c401abc4"
     "01cd"},
};

}  // namespace

TEST_CASE("golden bytes pin the payload of every transaction kind, the header and both receipts") {
  std::size_t checked = 0;
  for (const auto& body : sample_bodies()) {
    transaction tx;
    tx.signer = filled<32>(0x11);
    tx.nonce = 3;
    tx.expiry_height = 100;
    tx.body = body;
    const bytes payload = encode_payload(tx);
    CAPTURE(to_string(tx.kind()));
    REQUIRE(golden.count(to_string(tx.kind())) == 1);
    CHECK(to_hex(payload) == golden.at(to_string(tx.kind())));
    // And back: decoding gives the same bytes when encoded again.
    auto back = decode_payload(payload.data(), payload.size());
    REQUIRE(back.ok());
    CHECK(back.value().kind() == tx.kind());
    CHECK(encode_payload(back.value()) == payload);
    ++checked;
  }
  CHECK(checked == tx_kind_max);

  block_header h{"lab", 5, filled<32>(1), 1'700'000'000'000ULL, filled<32>(2), filled<32>(3), filled<32>(4),
                 filled<32>(5), filled<32>(6)};
  const bytes hb = encode_header(h);
  CHECK(to_hex(hb) == golden.at("header"));
  auto hback = decode_header(hb.data(), hb.size());
  REQUIRE(hback.ok());
  CHECK(encode_header(hback.value()) == hb);

  const bytes rb = encode_receipt({filled<32>(7), 9, 7'500'000, bytes{0x92, 0xc4, 0x01, 0xab, 0xc4, 0x01, 0xcd}});
  CHECK(to_hex(rb) == golden.at("receipt"));
  CHECK(is_receipt_entry(rb));
  CHECK(kind_of_receipt(rb) == receipt_kind::erc);
  CHECK(entry_id(rb) == filled<32>(7));
  const bytes reading = encode_reading_receipt({filled<32>(7), filled<32>(0x55), 1, 7, filled<32>(0x22), 9'000'000});
  CHECK(to_hex(reading) == golden.at("reading_receipt"));
  CHECK(kind_of_receipt(reading) == receipt_kind::reading);
  CHECK(entry_id(reading) == filled<32>(7));
}

TEST_CASE("an envelope's kind can be read from its first bytes, short or long, and odd bytes give none") {
  const auto key = derived_key(1, 2, 3);
  std::size_t long_ones = 0;
  for (auto body : sample_bodies()) {
    for (const bool long_payload : {false, true}) {
      // A grid change of 300 characters makes the payload need a bin16 header.
      if (long_payload) {
        auto* g = std::get_if<grid_update_body>(&body);
        if (!g) continue;
        g->change = std::string(300, 'x');
        ++long_ones;
      }
      transaction tx;
      tx.signer = key.pub;
      tx.nonce = 1;
      tx.expiry_height = 10;
      tx.body = body;
      const auto stx = sign_transaction(tx, "lab", key);
      CAPTURE(to_string(tx.kind()));
      REQUIRE(peek_kind(stx.envelope).has_value());
      CHECK(*peek_kind(stx.envelope) == tx.kind());
    }
  }
  CHECK(long_ones == 1);
  CHECK_FALSE(peek_kind(bytes{}).has_value());
  CHECK_FALSE(peek_kind(bytes{0x92, 0xc4, 0x05, 0x96, 0x01, 0x00, 0x00}).has_value());  // kind 0
  CHECK_FALSE(peek_kind(bytes{0x92, 0xc4, 0x05, 0x96, 0x02, 0x03, 0x00}).has_value());  // version 2
  CHECK_FALSE(peek_kind(bytes{0x93, 0xc4, 0x05, 0x96, 0x01, 0x03, 0x00}).has_value());  // three elements
  CHECK_FALSE(peek_kind(bytes{0x92, 0xc6, 0x05, 0x96, 0x01, 0x03, 0x00}).has_value());  // bin32
}

TEST_CASE("payloads that are not a transaction are refused with a reason") {
  transaction tx;
  tx.signer = filled<32>(0x11);
  tx.nonce = 1;
  tx.body = ctp_timeout_body{1};
  bytes p = encode_payload(tx);
  bytes bad_version = p;
  bad_version[1] = 0x02;
  auto v = decode_payload(bad_version.data(), bad_version.size());
  REQUIRE_FALSE(v.ok());
  CHECK(v.err().message.rfind("bad-format-version", 0) == 0);
  bytes bad_kind = p;
  bad_kind[2] = 0x11;  // one past the last kind
  auto k = decode_payload(bad_kind.data(), bad_kind.size());
  REQUIRE_FALSE(k.ok());
  CHECK(k.err().message.rfind("unknown-kind", 0) == 0);
  // A body of another kind's shape.
  bytes wrong_shape = p;
  wrong_shape[2] = 0x01;
  CHECK_FALSE(decode_payload(wrong_shape.data(), wrong_shape.size()).ok());
  // Truncated at every length.
  for (std::size_t n = 0; n < p.size(); ++n) CHECK_FALSE(decode_payload(p.data(), n).ok());
}
