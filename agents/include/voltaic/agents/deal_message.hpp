#pragma once
// What two parties of a bilateral deal say to each other over the backbone
// (spec/protocols.md section 4), sealed to the listener and signed by the
// speaker: the negotiation (offer, counter, accept, reject) and then the
// deal's settlement notices (the buyer's payment commitment is on chain;
// the producer delivered). The routers carry only the sealed bytes.
// Wire form, format 1: [payload, signature] where payload =
//   [1, deal, word, from, to, round, price_ucpkwh, energy_mwh, ctp_id, escrow, payee]
// signed under the routing-envelope domain on the chain's id. Plain logic,
// no actors.
// Thread-safety: pure functions.

#include <cstdint>
#include <string>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

enum class deal_word : std::uint8_t {
  offer = 1,      // the buyer's price (market::negotiation_step's numbering)
  counter = 2,    // either side's next price
  accept = 3,     // the other's last price is agreed
  reject = 4,     // no deal
  committed = 5,  // buyer: the payment is committed on chain (ctp_id or escrow)
  delivered = 6,  // producer: the energy is delivered (energy_mwh)
};
const char* to_string(deal_word w);

struct deal_message {
  chain::hash256 deal{};  // the buyer names it
  deal_word word = deal_word::offer;
  chain::public_key from{};
  chain::public_key to{};
  std::uint32_t round = 0;
  std::int64_t price_ucpkwh = 0;
  std::int64_t energy_mwh = 0;
  std::uint64_t ctp_id = 0;  // committed, SPB
  chain::hash256 escrow{};   // committed, escrow baseline
  // A producer's words: the key it is to be paid at (its own, or a fresh key
  // for this deal, so that payments on chain do not link its deals).
  chain::public_key payee{};
};

// Signed by `speaker` (whose key must be `m.from`).
chain::bytes encode_deal_message(const deal_message& m, const std::string& chain_id, const chain::key_pair& speaker);
// Refused with its reason: "decode" (damaged or truncated), "bad-signature"
// (not signed by `from`), "unknown-word".
chain::result<deal_message> decode_deal_message(const chain::bytes& wire, const std::string& chain_id);

}  // namespace voltaic::agents
