// A scenario with market = "bilateral" (voltaic run): SPB's market as a lab
// in this process, its outputs written from what each buyer's deal said:
//   negotiations.csv  time_ms,buyer,seller,step,price,energy_kwh   (every word)
//   deals.csv         buyer,seller,energy_kwh,price,ctp,delivered_kwh,paid
// and the chain in chain/<validator>/.
#include "bilateral_run.hpp"

#include <fstream>
#include <ostream>
#include <set>

#include "bilateral_lab.hpp"
#include "voltaic/agents/deal_message.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::runtime::bilateral {

namespace {

int write_tables(const scenario_config& sc, const lab_result& lab, const std::string& out_dir, std::ostream& out,
                 std::ostream& err) {
  std::ofstream words(out_dir + "/negotiations.csv"), deals(out_dir + "/deals.csv");
  if (!words || !deals) {
    err << "voltaic run: cannot write the bilateral tables in " << out_dir << "\n";
    return 1;
  }
  words << "time_ms,buyer,seller,step,price,energy_kwh\n";
  deals << "buyer,seller,energy_kwh,price,ctp,delivered_kwh,paid\n";
  const auto price = [](std::int64_t p) { return market::format_scaled(p, market::uc_per_credit); };
  const auto kwh = [](std::int64_t e) { return market::format_scaled(e, market::mwh_per_kwh); };
  std::size_t paid = 0, refunded = 0, rejected = 0, failed = 0, own_key = 0;
  std::set<chain::public_key> payees;
  for (const auto& d : lab.deals) {
    const auto& r = d.report;
    for (const auto& s : r.steps)
      words << s.time_ms - lab.started_ms << "," << (s.by_buyer ? d.buyer : d.seller) << ","
            << (s.by_buyer ? d.seller : d.buyer) << "," << agents::to_string(static_cast<agents::deal_word>(s.word))
            << "," << price(s.price_ucpkwh) << "," << kwh(r.energy_mwh) << "\n";
    const bool agreed = r.accepted_ms > 0;
    if (agreed) payees.insert(r.payee), own_key += r.payee == r.producer;
    if (agreed)
      deals << d.buyer << "," << d.seller << "," << kwh(r.energy_mwh) << "," << price(r.price_ucpkwh) << ","
            << (sc.bilateral.escrow ? std::string() : std::to_string(r.ctp_id)) << "," << kwh(r.delivered_mwh) << ","
            << (r.outcome == "paid" ? price(market::money_for(r.price_ucpkwh, r.delivered_mwh)) : "0") << "\n";
    if (r.outcome == "paid") ++paid;
    else if (r.outcome == "refunded") ++refunded;
    else if (r.outcome == "rejected") ++rejected;
    else {
      ++failed;
      err << "voltaic run: cycle " << d.cycle << ": " << d.buyer << "'s deal with " << d.seller << ": " << r.outcome
          << "\n";
    }
  }
  out << "bilateral market (" << (sc.bilateral.escrow ? "escrow" : "SPB") << " settlement, " << sc.bilateral.routers
      << " routers, " << sc.run.validators.size() << " validator(s)): " << lab.deals.size() << " deals over "
      << sc.cycles << " cycle(s): " << paid << " paid, " << refunded << " refunded (never delivered), " << rejected
      << " rejected (no price agreed), " << failed << " failed\n"
      << "producers were paid at " << payees.size() << " key(s), " << own_key << " deal(s) at the producer's own\n"
      << "results in " << out_dir << "/ (negotiations.csv, deals.csv), chains in the validators' chain/ directories\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

int run_scenario(const scenario_config& sc, const std::vector<std::string>& only, const std::string& out_dir,
                 std::ostream& out, std::ostream& err) {
  auto tables = [&](const lab_result& lab) { return write_tables(sc, lab, out_dir, out, err); };
  if (!only.empty()) return run_apart(sc, only, out_dir, tables, out, err);
  // At most a thousand deals under way at once: at 5,000 the validators fell
  // behind the meters' ERCs until they expired (docs/PERFORMANCE.md).
  lab_options lo;
  lo.concurrent = 1'000;
  const auto lab = run_lab(sc, lo, out_dir + "/chain");
  if (!lab.problem.empty()) {
    err << "voltaic run: " << lab.problem << "\n";
    return 1;
  }
  return tables(lab);
}

}  // namespace voltaic::runtime::bilateral
