// voltaic spb compare: SPB's headline comparison (Dorri et al.; spec/
// protocols.md section 3, item 5) measured side by side. The same houses
// (keys, negotiation strategies, meters), routers and validators, on the
// wall clock, run the same deals twice: once settled by SPB (a CTP in the
// CTP database, released by the buyer meter's ERC: one block entry per
// trade) and once by the escrow baseline (deploy, pay in, pay out: three).
// Buyer i negotiates with producer i over the backbone; the producers'
// energy accounts are read from the chain first, as a buyer searching them
// would. Each mode runs on a chain of its own; what it reports is read back
// from that chain's store once its validators stopped.
#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <thread>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "json_text.hpp"
#include "run_config_toml.hpp"
#include "trading/lab_setup.hpp"
#include "trading/lab_validators.hpp"
#include "trading/parties.hpp"
#include "voltaic/agents/backbone_router.hpp"
#include "voltaic/agents/bilateral_trader.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/agents/smart_meter.hpp"
#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/energy/answers.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/rng.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

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

std::string scenario_text(const spb_compare_options& o) {
  std::ostringstream t;
  t << "[chain]\nid = \"spb-compare-" << o.seed << "\"\n[scenario]\nprosumers = " << 2 * o.trades
    << "\nseed = " << o.seed << "\nclock = \"wall\"\nvalidators = " << o.validators << "\n";
  return t.str();
}

// A deal's strategies: reservations that always overlap, prices near the
// reference, the same for a pair in both modes.
std::pair<market::negotiation_strategy, market::negotiation_strategy> strategies(const scenario_config& sc,
                                                                                 std::uint64_t pair) {
  market::rng r(sc.seed * 7'919 + pair);
  const double ref = static_cast<double>(sc.reference_price);
  const auto at = [ref](double share) { return static_cast<market::price_ucpkwh>(ref * share); };
  const market::negotiation_strategy buyer{at(0.85), at(r.uniform(1.0, 1.1)), at(0.02), 12};
  const market::negotiation_strategy producer{at(1.15), at(r.uniform(0.9, 1.0)), at(0.02), 12};
  return {buyer, producer};
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

mode_result run_mode(const spb_compare_options& o, agents::settlement_mode mode, const std::string& dir,
                     std::ostream& err) {
  mode_result m;
  m.name = mode == agents::settlement_mode::spb ? "spb" : "escrow";
  auto parsed = parse_scenario(scenario_text(o), "spb compare");
  if (!parsed) {
    m.problem = parsed.err().message;
    return m;
  }
  const scenario_config& sc = parsed.value();
  auto feeder = market::load_feeder(sc.feeder, feeder_data_root());
  if (!feeder) {
    m.problem = feeder.err().message;
    return m;
  }
  std::vector<std::uint32_t> load_buses;
  for (const auto& name : feeder.value().load_buses) load_buses.push_back(feeder.value().grid.bus_index(name).value());
  auto grid = chain::market_grid::make(feeder.value().grid, load_buses);
  if (!grid) {
    m.problem = grid.err().message;
    return m;
  }
  auto parties = trading::make_parties(sc, load_buses.size());
  run_config rc = sc.run;
  const std::int64_t money = trading::lab_genesis(sc, parties, rc.genesis);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto spawned = trading::spawn_validators(system, sc, rc, grid.value(), dir);
  if (!spawned) {
    m.problem = system.render(spawned.error());
    return m;
  }
  const auto miners = std::move(*spawned);
  for (const auto& v : miners) self->send(v, agents::peers_atom::value, miners);

  const auto table = agents::routing_table::even(o.routers);
  std::vector<caf::actor> routers;
  auto carried = std::make_shared<std::atomic<std::uint64_t>>(0);  // by router 0, for --kill-router-after
  for (std::uint64_t i = 0; i < o.routers; ++i) {
    agents::backbone_router_config bc;
    bc.index = i;
    bc.table = table;
    bc.chain_id = rc.genesis.chain_id;
    if (i == 0) bc.tap = [carried](const chain::public_key&, const std::string&) { ++*carried; };
    routers.push_back(agents::spawn_backbone_router(system, bc));
  }
  for (const auto& r : routers) self->send(r, agents::routers_atom::value, routers);

  // Producers are parties 0..N-1, buyers N..2N-1; buyer N+i deals with producer i.
  const std::uint64_t n = o.trades;
  const auto maker = trading::lab_manufacturer(sc);
  std::vector<caf::actor> producers, buyers, meters;
  for (std::uint64_t i = 0; i < 2 * n; ++i) {
    const bool producer = i < n;
    const auto& p = parties[i];
    const auto [buyer_s, producer_s] = strategies(sc, producer ? i : i - n);
    agents::bilateral_trader_config tc;
    tc.name = p.name;
    tc.producer = producer;
    tc.key = p.key;
    tc.chain_id = rc.genesis.chain_id;
    tc.strategy = producer ? producer_s : buyer_s;
    tc.energy_mwh = deal_energy_mwh;
    tc.delivers = !producer || i >= o.unreliable;
    tc.settlement = mode;
    tc.lifetime_blocks = o.lifetime_blocks;
    tc.miner = miners[i % miners.size()];
    tc.miner_timeout = caf::duration{std::chrono::seconds(30)};
    tc.table = table;
    tc.routers = routers;
    if (!producer) {
      auto coe = trading::lab_meter(sc, rc.genesis.chain_id, parties, i, maker);
      tc.meter_key = coe.keys[0].pub;
      agents::smart_meter_config mc;
      mc.name = p.name + ".meter";
      mc.key = p.meter_key;
      mc.coe = std::move(coe);
      mc.party = p.key.pub;
      mc.chain_id = rc.genesis.chain_id;
      mc.miner = tc.miner;
      meters.push_back(agents::spawn_smart_meter(system, mc));
      tc.meter = meters.back();
    }
    (producer ? producers : buyers).push_back(agents::spawn_bilateral_trader(system, tc));
  }
  auto stop = [&] {
    for (const auto& a : buyers) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : producers) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : meters) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : routers) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& v : miners) self->send(v, agents::peers_atom::value, std::vector<caf::actor>{});
    for (const auto& v : miners) self->send_exit(v, caf::exit_reason::user_shutdown);
    self->wait_for(miners);
  };

  // Producers advertise; buyers find them among the chain's energy accounts.
  for (const auto& p : producers)
    self->request(p, std::chrono::seconds(60), agents::advertise_atom::value)
        .receive(
            [&](const std::string& verdict) {
              if (verdict != "ok" && m.problem.empty()) m.problem = "a producer could not advertise: " + verdict;
            },
            [&](caf::error& e) { m.problem = "a producer did not answer: " + to_string(e); });
  std::size_t advertised = 0;
  const auto deadline = clock_type::now() + std::chrono::seconds(60);
  while (m.problem.empty() && advertised < n && clock_type::now() < deadline) {
    const auto ask = chain::encode_fields(chain::number_list{});
    self->request(miners.front(), std::chrono::seconds(10), agents::query_atom::value, std::string("energy_accounts"),
                  std::string(ask.begin(), ask.end()))
        .receive(
            [&](bool ok, const std::string& answer) {
              if (!ok) return;
              auto rows = chain::decode_fields<chain::answer_list<chain::energy_offer_row>>(
                  reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size());
              if (rows) advertised = rows.value().items.size();
            },
            [&](caf::error&) {});
    if (advertised < n) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (m.problem.empty() && advertised < n) m.problem = "the producers' energy accounts did not all reach the chain";
  if (!m.problem.empty()) {
    stop();
    return m;
  }

  const auto started = clock_type::now();
  const std::int64_t started_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(started.time_since_epoch()).count();
  // The buyers start in waves of --concurrent (all at once by default); a
  // wave's answers are taken in turn before the next starts.
  std::vector<agents::deal_report> reports(n);
  using handle = decltype(self->request(buyers[0], std::chrono::minutes(10), agents::trade_atom::value,
                                        parties[0].key.pub));
  const std::uint64_t wave = o.concurrent ? o.concurrent : n;
  bool killed = o.kill_router_after == 0;
  for (std::uint64_t first = 0; first < n; first += wave) {
    std::vector<handle> pending;
    const std::uint64_t end = std::min(n, first + wave);
    for (std::uint64_t i = first; i < end; ++i)
      pending.push_back(self->request(buyers[i], std::chrono::minutes(10), agents::trade_atom::value, parties[i].key.pub));
    // Fault injection: router 0 dies once it has carried this many envelopes,
    // in the middle of negotiations; its participants turn to its standby.
    if (!killed) {
      const auto until = clock_type::now() + std::chrono::seconds(30);
      while (*carried < o.kill_router_after && clock_type::now() < until)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      self->send_exit(routers.front(), caf::exit_reason::kill);
      m.router_killed_after = *carried;
      killed = true;
    }
    for (std::uint64_t i = first; i < end; ++i)
      pending[i - first].receive([&](const agents::deal_report& r) { reports[i] = r; },
                                 [&](caf::error& e) { reports[i].outcome = "no answer: " + to_string(e); });
  }
  // Throughput runs to the last payment: refunds wait out their holds' lives, which says nothing of it.
  std::int64_t last_paid_ms = started_ms;
  double delay_sum = 0;
  for (const auto& r : reports) {
    if (r.outcome == "paid") {
      ++m.paid;
      last_paid_ms = std::max(last_paid_ms, r.paid_ms);
      delay_sum += static_cast<double>(r.paid_ms - r.accepted_ms);
    } else if (r.outcome == "refunded") {
      ++m.refunded;
    } else {
      ++m.failed;
      if (m.problem.empty()) m.problem = r.buyer + "'s deal: " + r.outcome;
    }
  }
  m.mean_delay_ms = m.paid ? delay_sum / static_cast<double>(m.paid) : 0;
  m.seconds = static_cast<double>(last_paid_ms - started_ms) / 1000.0;
  stop();
  read_back(dir + "/" + rc.validators.front().name, money, m);
  if (!m.money_conserved && m.problem.empty()) m.problem = "money is not conserved";
  (void)err;
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
  for (auto mode : {agents::settlement_mode::spb, agents::settlement_mode::escrow})
    results.push_back(run_mode(o, mode, root + "/" + (mode == agents::settlement_mode::spb ? "spb" : "escrow"), err));
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
