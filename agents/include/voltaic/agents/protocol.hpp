#pragma once
// The payloads of the agents' messages: one C++ type per fact, each with an
// `inspect` overload so that CAF carries it between processes once
// register_protocol() has announced it (runtime does, for every actor
// system it makes). Keys and ids travel as their 32 bytes, amounts as
// integers, never as text to be parsed again. Which atom carries which type
// is listed in messages.hpp.
// Thread-safety: plain values.

#include <caf/all.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

// A key or an id: chain::public_key and chain::hash256 are both this type.
using bytes32 = std::array<std::uint8_t, 32>;
static_assert(std::is_same_v<bytes32, chain::public_key> && std::is_same_v<bytes32, chain::hash256>);

// An account's money as a validator's head state has it.
struct balance {
  std::int64_t balance_uc = 0;
  std::int64_t held_uc = 0;
};

// A CTP still open, as a validator's head state has it.
struct open_ctp {
  std::uint64_t id = 0;
  chain::public_key producer{};
  std::uint64_t expiry_height = 0;
  std::int64_t amount_uc = 0;
};

// Orders a validator holds for each open cycle of a range of markets.
struct order_counts {
  std::vector<std::uint64_t> per_market;
};

// The order sets the chain fixed for a range of markets, one after the
// other, with each market's count; complete only when all are fixed.
struct fixed_order_sets {
  bool complete = false;
  std::vector<std::string> envelopes;  // canonical bytes
  std::vector<std::uint64_t> counts;
};

// What a buyer owes one seller for a cycle: the energy and the amount its
// CTP must hold.
struct trade_due {
  chain::public_key seller{};
  std::int64_t energy_mwh = 0;
  std::int64_t amount_uc = 0;
};

// A prosumer's outcome of a cycle; expiries count from `height`.
struct outcome_notice {
  std::uint64_t cycle = 0;
  std::uint8_t outcome = 0;  // market::outcome_kind
  std::uint8_t reason = 0;   // market::reason, when rejected
  std::int64_t traded_mwh = 0;
  std::int64_t price_ucpkwh = 0;
  std::vector<trade_due> trades;  // a buyer's, one per seller
  std::uint64_t height = 0;
};

// One outcome as a prosumer remembers it, with the price it bid.
struct outcome_record {
  std::uint64_t cycle = 0;
  std::uint8_t outcome = 0;
  std::uint8_t reason = 0;  // meaningful when rejected
  std::int64_t traded_mwh = 0;
  std::int64_t price_ucpkwh = 0;
  std::int64_t bid_ucpkwh = 0;
};

// What a smart meter is asked to report for a cycle; expiries count from `height`.
struct meter_read {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  std::uint8_t role = 0;  // chain::party_role
  std::int64_t agreed_mwh = 0;
  std::int64_t price_ucpkwh = 0;
  std::int64_t tariff_uc = 0;
  std::vector<chain::public_key> producers;  // the cycle's sellers to a buyer
  std::uint64_t height = 0;
};

// One row of the DSO channel: a market's price, and at one bus the energy
// traded and the grid charges.
struct channel_row {
  std::uint64_t market = 0;
  std::int64_t price_ucpkwh = 0;
  std::string bus;
  std::int64_t traded_mwh = 0;
  std::int64_t grid_charge_uc = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, balance& x) {
  return f(caf::meta::type_name("balance"), x.balance_uc, x.held_uc);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, open_ctp& x) {
  return f(caf::meta::type_name("open_ctp"), x.id, x.producer, x.expiry_height, x.amount_uc);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_counts& x) {
  return f(caf::meta::type_name("order_counts"), x.per_market);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fixed_order_sets& x) {
  return f(caf::meta::type_name("fixed_order_sets"), x.complete, x.envelopes, x.counts);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trade_due& x) {
  return f(caf::meta::type_name("trade_due"), x.seller, x.energy_mwh, x.amount_uc);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome_notice& x) {
  return f(caf::meta::type_name("outcome_notice"), x.cycle, x.outcome, x.reason, x.traded_mwh, x.price_ucpkwh,
           x.trades, x.height);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome_record& x) {
  return f(caf::meta::type_name("outcome_record"), x.cycle, x.outcome, x.reason, x.traded_mwh, x.price_ucpkwh,
           x.bid_ucpkwh);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, meter_read& x) {
  return f(caf::meta::type_name("meter_read"), x.market, x.cycle, x.role, x.agreed_mwh, x.price_ucpkwh, x.tariff_uc,
           x.producers, x.height);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_row& x) {
  return f(caf::meta::type_name("channel_row"), x.market, x.price_ucpkwh, x.bus, x.traded_mwh, x.grid_charge_uc);
}

// Announces every type above (and a vector of each) to an actor system's
// configuration, under a stable name: call once per configuration, before
// the system starts, in every process of a deployment.
void register_protocol(caf::actor_system_config& cfg);

}  // namespace voltaic::agents
