#pragma once
// A participant of the carbon market (spec/carbon.md 2-3): a PV prosumer
// (PVP) that claims its year's quota from its meter's twelve signed monthly
// totals and publishes an estimate, or a carbon-and-electricity consumer
// (CEC) that files its verifier-signed emissions report; either then orders
// at its limit price in the period's auction, when it has a balance to
// trade. A house can be an electricity prosumer and a PVP at once: this
// actor is its carbon side. Messages:
//   (claim, period)  -> (verdict, transaction id) of its claim or report
//   (corder, period) -> (verdict, transaction id) of its order; "no-balance"
//                       (and a zero id) when it has nothing to trade
//   (cresult, period) -> carbon_outcome: the period's recorded auction, read
//                       from its validator, as it concerns this participant
//                       (kept: asked again, it answers from memory)
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/carbon/carbon_transaction.hpp"
#include "voltaic/market/carbon_auction.hpp"

namespace voltaic::agents {

using claim_atom = caf::atom_constant<caf::atom("claim")>;
using corder_atom = caf::atom_constant<caf::atom("corder")>;
using cresult_atom = caf::atom_constant<caf::atom("cresult")>;

// What a period's auction gave one participant. The money is owed, not
// paid: the carbon chain records turnover; payment crosses to the
// electricity chain by the peg (protocols.md 7, its own issue).
struct carbon_outcome {
  std::string name;
  std::uint64_t period = 0;
  std::int64_t bought_kg = 0;
  std::int64_t sold_kg = 0;
  std::int64_t pays_uc = 0;      // turnover of its purchases, micro-credits
  std::int64_t receives_uc = 0;  // turnover of its sales
  std::uint64_t trades = 0;
  std::int64_t balance_kg = 0;  // after the auction (negative: still short)
  std::string problem;          // empty, or why it could not learn its results
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, carbon_outcome& x) {
  return f(caf::meta::type_name("carbon_outcome"), x.name, x.period, x.bought_kg, x.sold_kg, x.pays_uc,
           x.receives_uc, x.trades, x.balance_kg, x.problem);
}

struct carbon_participant_config {
  std::string name;
  market::carbon_role role = market::carbon_role::cec;
  chain::key_pair key;
  std::string chain_id;
  market::price_ucpt price = 0;  // its limit: a buyer's maximum, a seller's minimum
  // A PVP: its meter, its twelve monthly totals (mWh) and the estimate it publishes.
  chain::key_pair meter;
  std::vector<std::int64_t> monthly_mwh;
  std::int64_t estimate_kg = 0;
  std::uint32_t delta_version = 0;
  // A CEC: its emissions, a report per period as its verifier signed them.
  std::vector<chain::carbon::emissions_report_body> reports;
  caf::actor validator;
};

caf::actor spawn_carbon_participant(caf::actor_system& system, const carbon_participant_config& config);

}  // namespace voltaic::agents
