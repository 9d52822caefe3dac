#pragma once
// SPB's bilateral market as a lab (private to runtime/): a scenario's
// validators (this process, wall clock), its backbone routers, and a house
// per party — the scenario's buyers with smart meters, the rest producers —
// each a bilateral trader. Producers advertise their energy accounts; the
// lab reads them from the chain, then each cycle tells every buyer to
// strike a deal with a producer (buyer k, cycle c: producer (k + c) mod P)
// and collects how each deal went. Used by `voltaic run` (market =
// "bilateral") and `voltaic spb compare`.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "voltaic/agents/bilateral_trader.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::bilateral {

struct lab_options {
  std::uint64_t concurrent = 0;         // deals under way at once; 0: a whole cycle's
  std::uint64_t kill_router_after = 0;  // fault injection: router 0 dies after carrying this many envelopes
  std::int64_t deal_energy_mwh = 0;     // 0: the scenario's min_energy_kwh
};

struct deal_row {
  std::uint64_t cycle = 0;
  std::string buyer, seller;
  agents::deal_report report;
};

struct lab_result {
  std::vector<deal_row> deals;  // cycle by cycle, buyers in order
  std::int64_t started_ms = 0;  // steady clock, as the reports' times
  std::uint64_t router_killed_after = 0;
  std::string store_dir;  // the first validator's chain
  std::int64_t money_uc = 0;  // what the genesis gave
  std::string problem;   // why the lab could not run
};

// Runs `sc` (market = "bilateral") with its chain in chain_dir (made afresh).
lab_result run_lab(const scenario_config& sc, const lab_options& options, const std::string& chain_dir);

// voltaic run --only NAMES of a bilateral scenario: validators (by name),
// routers (r0, r1, ... at their [[router]] addresses), or houses (party
// names and ranges) and/or the clock, which waits for every house to join
// it at [clock] host:port, runs the deals (a thousand at a time) and hands
// what happened to `report` for the tables. Validators and routers serve
// until stopped; a houses' process ends with the clock's. Ends the process.
int run_apart(const scenario_config& sc, const std::vector<std::string>& names, const std::string& out_dir,
              const std::function<int(const lab_result&)>& report, std::ostream& out, std::ostream& err);

// What a negotiator kind ("eager", "patient", "firm") asks of a party,
// around the scenario's reference price; the same for a party every run.
market::negotiation_strategy strategy_of(const scenario_config& sc, std::size_t party, bool buyer,
                                         const std::string& kind);

}  // namespace voltaic::runtime::bilateral
