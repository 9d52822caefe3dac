#pragma once
// What a carbon lab writes (private to runtime/): per period, the quotas
// and the auction as the chain recorded them, asked of a carbon validator,
// and what each participant learnt of its results, checked against that
// record; then the replicas' heads, and their stores re-executed.
//   carbon_quotas.csv   id,role,estimate_kg,check_kg,round   (PVPs)
//   carbon_trades.csv   round,buyer,seller,phase,quantity_kg,price,turnover
//   carbon_results.csv  round,id,role,bought_kg,sold_kg,pays,receives,trades,balance_kg

#include <caf/all.hpp>

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "carbon_setup.hpp"

namespace voltaic::runtime::carbon {

class carbon_report {
 public:
  // Opens the three files in out_dir afresh; false (and a line on `err`) if it cannot.
  bool open(const std::string& out_dir, std::ostream& err);

  // Writes `period`'s rows. False (and a line on `err`) when the chain has no
  // auction for it, or a participant learnt other results than it records.
  bool record_period(caf::scoped_actor& self, const caf::actor& validator, const carbon_scenario& c,
                     const carbon_keys& keys, std::uint64_t period, const std::vector<agents::carbon_outcome>& outcomes,
                     std::ostream& out, std::ostream& err);

 private:
  std::ofstream quotas_, trades_, results_;
};

// Whether every validator answers with the same height and head (asked
// again for a few seconds: a height may still be ending on some); says which.
bool same_head(caf::scoped_actor& self, const std::vector<caf::actor>& validators, std::ostream& out);

// Each replica in chain_dir re-executed from its store alone: true when all
// open and reach one head.
bool replay_stores(const carbon_scenario& c, const carbon_keys& keys, const std::string& chain_dir, std::ostream& out,
                   std::ostream& err);

}  // namespace voltaic::runtime::carbon
