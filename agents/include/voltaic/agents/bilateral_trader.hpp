#pragma once
// A house in SPB's bilateral market (spec/protocols.md sections 3 and 4): a
// producer advertises its energy on chain (an energy account) and answers
// buyers' offers; a buyer reads the advertised accounts, negotiates with a
// producer over sealed envelopes through the backbone (deal_message.hpp, by
// its routed_endpoint), and once they agree commits to pay and settles:
//   spb     a CTP holds the price in the CTP database; when the producer
//           says it delivered, the buyer's smart meter signs an ERC for what
//           it received, which pays the producer pro rata (one block entry)
//   escrow  the baseline: the buyer deploys an escrow and pays into it, and
//           pays it out on what it received (three block entries)
// A producer that never delivers leaves the buyer waiting until the hold
// expires; the buyer then times its CTP out (or refunds its escrow) and has
// its money back. Words that do not fit the deal (an accept of a price never
// offered, a message from someone else, a forged one) are refused, logged and
// never acted on.
// Messages:
//   (advertise)           -> "ok" or why not: a producer's energy account
//   (trade, producer key) -> deal_report: a buyer's whole deal with that
//                            producer, once its search found the producer's
//                            energy account holding what it wants
//   (routed, plaintext)      from its endpoint
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/agents/routing_table.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/market/negotiation.hpp"

namespace voltaic::agents {

using advertise_atom = caf::atom_constant<caf::atom("advertise")>;
using trade_atom = caf::atom_constant<caf::atom("trade")>;

enum class settlement_mode : std::uint8_t { spb = 0, escrow = 1 };

struct bilateral_trader_config {
  std::string name;
  bool producer = false;
  chain::key_pair key;
  std::string chain_id;
  market::negotiation_strategy strategy;
  std::int64_t energy_mwh = 0;  // a producer's to sell; a buyer's per deal
  bool delivers = true;         // a producer that never delivers: false
  bool fresh_keys = false;      // a producer is paid at a fresh key per deal (SPB's unlinkability)
  settlement_mode settlement = settlement_mode::spb;
  std::uint64_t lifetime_blocks = 30;  // a hold's (or escrow's) life past the height it is committed at
  caf::actor miner;
  std::vector<caf::actor> fallback_miners;
  caf::duration miner_timeout{std::chrono::seconds(10)};
  caf::actor meter;                   // a buyer's smart meter: it signs the ERCs
  std::uint64_t meter_key_index = 0;  // the CoE key its CTPs name
  chain::public_key meter_key{};
  routing_table table;
  std::vector<caf::actor> routers;
};

// One word of a negotiation as the buyer said or heard it.
struct deal_step {
  std::int64_t time_ms = 0;  // steady clock
  std::uint8_t word = 0;     // deal_word
  std::int64_t price_ucpkwh = 0;
  bool by_buyer = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deal_step& x) {
  return f(caf::meta::type_name("deal_step"), x.time_ms, x.word, x.price_ucpkwh, x.by_buyer);
}

// How a buyer's deal ended. Times are steady-clock milliseconds.
struct deal_report {
  std::string buyer;
  chain::public_key producer{};
  chain::public_key payee{};  // where the producer asked to be paid
  std::string outcome;  // "paid", "rejected", "refunded" (never delivered), or what went wrong
  std::int64_t price_ucpkwh = 0;
  std::int64_t energy_mwh = 0;      // agreed
  std::int64_t delivered_mwh = 0;   // confirmed by the buyer's meter
  std::uint32_t words = 0;          // negotiation messages both ways
  std::uint64_t ctp_id = 0;         // spb
  std::int64_t accepted_ms = 0;     // agreement
  std::int64_t paid_ms = 0;         // the paying transaction committed
  std::vector<deal_step> steps;     // the negotiation, word by word
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deal_report& x) {
  return f(caf::meta::type_name("deal_report"), x.buyer, x.producer, x.payee, x.outcome, x.price_ucpkwh, x.energy_mwh,
           x.delivered_mwh, x.words, x.ctp_id, x.accepted_ms, x.paid_ms, x.steps);
}

caf::actor spawn_bilateral_trader(caf::actor_system& system, const bilateral_trader_config& config);

}  // namespace voltaic::agents
