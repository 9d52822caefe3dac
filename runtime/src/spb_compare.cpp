// voltaic spb compare: SPB's headline comparison (Dorri et al.; spec/
// protocols.md section 3, item 5) measured side by side. The same houses
// (keys, negotiation strategies, meters), routers and validators, on the
// wall clock, run the same deals twice: once settled by SPB (a CTP in the
// CTP database, released by the buyer meter's ERC: one block entry per
// trade) and once by the escrow baseline (deploy, pay in, pay out: three).
// Buyer i finds producer i's energy account on chain, then negotiates with
// it over the backbone. Each mode runs on a chain of its own; what it reports is read back
// from that chain's store once its validators stopped.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "bilateral/bilateral_lab.hpp"
#include "json_text.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t deal_energy_mwh = 10'000'000;  // 10 kWh a deal

struct mode_result {
  std::string name;
  std::uint64_t paid = 0, refunded = 0, failed = 0;
  std::uint64_t router_killed_after = 0;  // envelopes router 0 carried before it was killed
  std::uint64_t trade_entries = 0;  // block entries of the deals' kinds
  std::uint64_t trade_bytes = 0;    // their bytes, and the CTPs' side records
  std::uint64_t side_bytes = 0;     // the CTPs' side records alone
  double mean_delay_ms = 0;
  double seconds = 0;
  bool money_conserved = false;
  std::string problem;

  std::uint64_t settled() const { return paid + refunded; }
  double tx_per_trade() const { return settled() ? static_cast<double>(trade_entries) / static_cast<double>(settled()) : 0; }
  double bytes_per_100() const {
    return settled() ? static_cast<double>(trade_bytes) * 100.0 / static_cast<double>(settled()) : 0;
  }
  double trades_per_s() const { return seconds > 0 ? static_cast<double>(paid) / seconds : 0; }
};

std::string scenario_text(const spb_compare_options& o, bool escrow) {
  std::ostringstream t;
  t << "[chain]\nid = \"spb-compare-" << o.seed << "\"\n[scenario]\nprosumers = " << 2 * o.trades
    << "\nbuyers = " << o.trades << "\nseed = " << o.seed << "\nvalidators = " << o.validators
    << "\ncycles = 1\nmarket = \"bilateral\"\nsettlement = \"" << (escrow ? "escrow" : "spb")
    << "\"\nrouters = " << o.routers << "\nunreliable_producers = " << o.unreliable
    << "\nctp_lifetime_blocks = " << o.lifetime_blocks << "\n";
  return t.str();
}

// What the deals put on the chain in `dir`, and whether money is conserved
// (balances and paid escrows against what the genesis gave).
void read_back(const std::string& dir, std::int64_t money, mode_result& m) {
  auto store = chain::open_lmdb_store(dir);
  if (!store) {
    m.problem = dir + ": " + store.err().message;
    return;
  }
  auto& s = *store.value();
  auto head = s.head_height();
  if (!head || !head.value()) {
    m.problem = dir + ": no chain";
    return;
  }
  for (std::uint64_t h = 1; h <= *head.value(); ++h) {
    auto raw = s.block_bytes(h);
    if (!raw || !raw.value()) continue;
    auto b = chain::decode_block(*raw.value());
    if (!b) continue;
    for (const auto& e : b.value().entries) {
      bool trade = false;
      if (chain::is_receipt_entry(e)) {
        trade = chain::kind_of_receipt(e) == chain::receipt_kind::erc;
      } else if (auto stx = chain::decode_envelope(e)) {
        const auto k = stx.value().tx.kind();
        trade = k == chain::tx_kind::ctp_timeout || k == chain::tx_kind::escrow_deploy || k == chain::tx_kind::escrow_pay ||
                k == chain::tx_kind::escrow_payout || k == chain::tx_kind::escrow_refund;
      }
      if (!trade) continue;
      ++m.trade_entries;
      m.trade_bytes += e.size();
    }
    for (const auto& side : b.value().side) m.trade_bytes += side.size(), m.side_bytes += side.size();  // the CTPs
  }
  auto opened = chain::ledger::open(std::move(store).value(), nullptr);
  if (!opened) {
    m.problem = dir + ": " + opened.err().message;
    return;
  }
  const auto& st = opened.value()->state();
  std::int64_t sum = 0;
  for (const auto& [k, a] : st.accounts.items()) sum += a.balance_uc;
  for (const auto& [id, x] : st.escrows.items()) sum += x.paid ? x.amount_uc : 0;
  m.money_conserved = sum == money;
}

mode_result run_mode(const spb_compare_options& o, bool escrow, const std::string& dir) {
  mode_result m;
  m.name = escrow ? "escrow" : "spb";
  auto sc = parse_scenario(scenario_text(o, escrow), "spb compare");
  if (!sc) {
    m.problem = sc.err().message;
    return m;
  }
  bilateral::lab_options lo;
  lo.concurrent = o.concurrent;
  lo.kill_router_after = o.kill_router_after;
  lo.deal_energy_mwh = deal_energy_mwh;
  const auto lab = bilateral::run_lab(sc.value(), lo, dir);
  if (!lab.problem.empty()) {
    m.problem = lab.problem;
    return m;
  }
  m.router_killed_after = lab.router_killed_after;
  // Throughput runs to the last payment: refunds wait out their holds' lives, which says nothing of it.
  std::int64_t last_paid_ms = lab.started_ms;
  double delay_sum = 0;
  for (const auto& d : lab.deals) {
    const auto& r = d.report;
    if (r.outcome == "paid") {
      ++m.paid;
      last_paid_ms = std::max(last_paid_ms, r.paid_ms);
      delay_sum += static_cast<double>(r.paid_ms - r.accepted_ms);
    } else if (r.outcome == "refunded") {
      ++m.refunded;
    } else {
      ++m.failed;
      if (m.problem.empty()) m.problem = d.buyer + "'s deal: " + r.outcome;
    }
  }
  m.mean_delay_ms = m.paid ? delay_sum / static_cast<double>(m.paid) : 0;
  m.seconds = static_cast<double>(last_paid_ms - lab.started_ms) / 1000.0;
  read_back(lab.store_dir, lab.money_uc, m);
  if (!m.money_conserved && m.problem.empty()) m.problem = "money is not conserved";
  return m;
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

}  // namespace

int run_spb_compare(const spb_compare_options& o, std::ostream& out, std::ostream& err) {
  if (o.unreliable > o.trades) {
    err << "voltaic spb compare: --unreliable " << o.unreliable << " is more than --trades " << o.trades << "\n";
    return 2;
  }
  std::string root = o.out_dir;
  const bool temporary = root.empty();
  if (temporary) {
    std::string tmpl = (fs::temp_directory_path() / "voltaic-spb-compare-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      err << "voltaic spb compare: cannot make a temporary directory\n";
      return 1;
    }
    root = tmpl;
  }
  std::vector<mode_result> results;
  for (const bool escrow : {false, true}) results.push_back(run_mode(o, escrow, root + (escrow ? "/escrow" : "/spb")));
  if (temporary) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  int status = 0;
  for (const auto& m : results)
    if (!m.problem.empty()) {
      err << "voltaic spb compare: " << m.name << ": " << m.problem << "\n";
      status = 1;
    }
  if (o.json) {
    out << "{";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& m = results[i];
      out << (i ? ", " : "") << json_quote(m.name) << ": {\"tx_per_trade\": " << fixed(m.tx_per_trade(), 3)
          << ", \"chain_bytes_per_100_trades\": " << fixed(m.bytes_per_100(), 0)
          << ", \"mean_delay_ms\": " << fixed(m.mean_delay_ms, 1) << ", \"trades_per_s\": " << fixed(m.trades_per_s(), 3)
          << "}";
    }
    out << "}\n";
    return status;
  }
  out << "voltaic spb compare: " << o.trades << " deals over " << o.routers << " routers and " << o.validators
      << " validators, " << o.unreliable << " producer(s) never delivering\n";
  for (const auto& m : results)
    out << std::left << std::setw(7) << m.name << " tx_per_trade " << fixed(m.tx_per_trade(), 2)
        << "  chain_bytes_per_100_trades " << fixed(m.bytes_per_100(), 0) << "  mean_delay_ms "
        << fixed(m.mean_delay_ms, 1) << "  trades_per_s " << fixed(m.trades_per_s(), 2) << "  (" << m.paid
        << " paid, " << m.refunded << " refunded, " << m.failed << " failed; money "
        << (m.money_conserved ? "conserved" : "NOT conserved")
        << (o.kill_router_after ? "; router 0 killed after " + std::to_string(m.router_killed_after) + " envelopes" : "")
        << ")\n";
  for (const auto& m : results)
    if (m.side_bytes > 0 && m.settled() > 0)
      out << m.name << ": of its chain bytes per 100 trades, " << m.side_bytes * 100 / m.settled()
          << " are the CTPs as side records (each CTP also enters the chain inside its ERC's receipt)\n";
  if (results[0].tx_per_trade() > 0 && results[0].bytes_per_100() > 0 && results[0].mean_delay_ms > 0 &&
      results[0].trades_per_s() > 0)
    out << "escrow / spb: transactions " << fixed(results[1].tx_per_trade() / results[0].tx_per_trade(), 2)
        << ", chain bytes " << fixed(results[1].bytes_per_100() / results[0].bytes_per_100(), 2) << ", delay "
        << fixed(results[1].mean_delay_ms / results[0].mean_delay_ms, 2) << ", throughput "
        << fixed(results[1].trades_per_s() / results[0].trades_per_s(), 2) << "\n";
  return status;
}

}  // namespace voltaic::runtime
