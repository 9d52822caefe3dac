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
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "voltaic/chain/carbon/carbon_transaction.hpp"
#include "voltaic/market/carbon_auction.hpp"

namespace voltaic::agents {

using claim_atom = caf::atom_constant<caf::atom("claim")>;
using corder_atom = caf::atom_constant<caf::atom("corder")>;

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
  // A CEC: its emissions for the period, as its verifier signed them.
  chain::carbon::emissions_report_body report;
  caf::actor validator;
};

caf::actor spawn_carbon_participant(caf::actor_system& system, const carbon_participant_config& config);

}  // namespace voltaic::agents
