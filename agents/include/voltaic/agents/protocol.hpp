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

// Orders a validator holds for each open cycle of a range of markets.
struct order_counts {
  std::vector<std::uint64_t> per_market;
};

// The phases of a trading cycle (spec/protocols.md section 6), as the
// market clock announces them, and two of its own: `record`, once the
// cycle's settlement is on chain (the recorder and the DSO write what the
// chain holds), and `expiry`, after the last cycle (holds still open are
// timed out).
enum class phase : std::uint8_t { quotation = 0, matching = 1, feedback = 2, settlement = 3, record = 4, expiry = 5 };
const char* to_string(phase p);

// A phase begins: the chain's height and the clock's time at its start
// (expiries count from that height, so they do not depend on timing).
struct phase_start {
  std::uint64_t cycle = 0;
  std::uint8_t what = 0;  // phase
  std::uint64_t height = 0;
  std::uint64_t time_ms = 0;
};

// What an agent did in a phase: the transactions it submitted (the
// simulated clock commits them before the phase ends) and the orders its
// validator accepted, in which market.
struct phase_done {
  std::vector<chain::hash256> txs;
  std::uint64_t market = 0;
  std::uint32_t orders = 0;
  std::string note;  // what the agent did worth telling the operator, if anything
  // CoEs its meter showed the chain for the first time (two signatures each,
  // which validators check once per CoE): part of the verification floor.
  std::uint32_t first_coes = 0;
};

// What the recorder wrote for a cycle, from what the chain committed.
struct cycle_summary {
  std::uint64_t orders = 0;  // fixed on chain
  std::uint64_t trades = 0;
  std::int64_t traded_mwh = 0;
  std::uint64_t settlements = 0;
  std::int64_t money_uc = 0;  // every account's balance, summed
  std::int64_t price_ucpkwh = 0;  // p0 of the first market
  std::uint8_t case_number = 0;   // of the first market
  std::string problem;  // empty, or why the rows are missing
};

// One outcome as a prosumer remembers it, with the price it bid.
inline constexpr std::uint8_t late_outcome = 3;  // the order missed its quotation (beside market::outcome_kind)
struct outcome_record {
  std::uint64_t cycle = 0;
  std::uint8_t outcome = 0;  // market::outcome_kind, or late_outcome
  std::uint8_t reason = 0;  // meaningful when rejected
  std::int64_t traded_mwh = 0;
  std::int64_t price_ucpkwh = 0;
  std::int64_t bid_ucpkwh = 0;
};

// What a house asks its smart meter to confirm for a cycle, with the CoE
// key its order and holds named (`key_index` among the meter's): a buyer's
// meter confirms each hold's energy as it received it (an ERC per CTP), a
// seller's reads what it delivered of what it agreed. Expiries count from
// `height`.
struct meter_read {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  std::uint8_t role = 0;  // chain::party_role
  std::int64_t agreed_mwh = 0;
  std::uint64_t key_index = 0;
  std::vector<std::uint64_t> ctp_ids;       // a buyer's holds for the cycle
  std::vector<std::int64_t> ctp_energy_mwh;  // what each committed
  std::uint64_t height = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_counts& x) {
  return f(caf::meta::type_name("order_counts"), x.per_market);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome_record& x) {
  return f(caf::meta::type_name("outcome_record"), x.cycle, x.outcome, x.reason, x.traded_mwh, x.price_ucpkwh,
           x.bid_ucpkwh);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, meter_read& x) {
  return f(caf::meta::type_name("meter_read"), x.market, x.cycle, x.role, x.agreed_mwh, x.key_index, x.ctp_ids,
           x.ctp_energy_mwh, x.height);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, phase_start& x) {
  return f(caf::meta::type_name("phase_start"), x.cycle, x.what, x.height, x.time_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, phase_done& x) {
  return f(caf::meta::type_name("phase_done"), x.txs, x.market, x.orders, x.note, x.first_coes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cycle_summary& x) {
  return f(caf::meta::type_name("cycle_summary"), x.orders, x.trades, x.traded_mwh, x.settlements, x.money_uc,
           x.price_ucpkwh, x.case_number, x.problem);
}

// Announces every type above (and a vector of each) to an actor system's
// configuration, under a stable name: call once per configuration, before
// the system starts, in every process of a deployment.
void register_protocol(caf::actor_system_config& cfg);

}  // namespace voltaic::agents
