// Agents trading end to end, as real processes: `voltaic demo` (55
// prosumers on the LV feeder, 4 validators, 3 cycles) and an IEEE 33
// scenario whose DSO closes a tie switch. The checks read the CSV outputs,
// replay them through `voltaic clear`, and open every replica's LMDB store.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <unistd.h>

#include "support/csv_rows.hpp"
#include "support/json.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/replica.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/grid_change.hpp"
#include "voltaic/market/units.hpp"

using voltaic::test::json;
using voltaic::test::run_command;
namespace chain = voltaic::chain;
namespace market = voltaic::market;
using voltaic::test::open_replica;

namespace {

const std::string bin = VOLTAIC_BIN;

using row = voltaic::test::csv_row;

std::vector<row> read_csv(const std::string& path) { return voltaic::test::read_csv_rows(path); }

std::int64_t uc(const std::string& text) { return market::parse_scaled(text, market::uc_per_credit).value(); }
std::int64_t mwh(const std::string& text) { return market::parse_scaled(text, market::mwh_per_kwh).value(); }
// JSON numbers with six decimals, back to integer units.
std::int64_t micro(double v) { return std::llround(v * 1e6); }

struct run_outputs {
  std::string dir;
  std::string log;
  std::vector<row> orders, outcomes, clearing, trades, settlements, balances;
  std::shared_ptr<void> removes_dir;  // the directory goes with the last copy
};

run_outputs run_scenario(const std::string& command, const std::string& dir) {
  std::filesystem::remove_all(dir);
  const auto r = run_command(command + " --out " + dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  run_outputs o;
  o.dir = dir;
  o.removes_dir = std::shared_ptr<void>(nullptr, [dir](void*) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  });
  o.log = r.out;
  o.orders = read_csv(dir + "/orders.csv");
  o.outcomes = read_csv(dir + "/outcomes.csv");
  o.clearing = read_csv(dir + "/clearing.csv");
  o.trades = read_csv(dir + "/trades.csv");
  o.settlements = read_csv(dir + "/settlements.csv");
  o.balances = read_csv(dir + "/balances.csv");
  return o;
}

const run_outputs& demo() {
  // CTest runs each case in its own process, possibly two at once: one directory per process.
  static const run_outputs o = run_scenario(bin + " demo", "trading_demo_out." + std::to_string(::getpid()));
  return o;
}

std::string log_value(const std::string& log, const std::string& prefix) {
  const auto at = log.find(prefix);
  REQUIRE(at != std::string::npos);
  const auto end = log.find('\n', at);
  return log.substr(at + prefix.size(), end - at - prefix.size());
}


}  // namespace

TEST_CASE("demo: every order of every cycle gets exactly one outcome, and money is conserved every cycle") {
  const auto& o = demo();
  CHECK(o.clearing.size() == 3);
  std::map<std::string, std::set<std::string>> ids;  // cycle -> order ids
  for (const auto& r : o.orders) CHECK(ids[r.at("cycle")].insert(r.at("id")).second);
  CHECK(ids.size() == 3);
  for (const auto& [cycle, set] : ids) CHECK(set.size() == 55);
  std::map<std::string, std::multiset<std::string>> answered;
  for (const auto& r : o.outcomes) answered[r.at("cycle")].insert(r.at("id"));
  for (const auto& [cycle, set] : ids)
    CHECK(std::multiset<std::string>(set.begin(), set.end()) == answered[cycle]);

  // The balances of all 55 prosumers and the DSO sum to the same total after
  // every cycle, and after the settlement phase that settles the last (row 4).
  std::map<std::string, std::int64_t> sum;
  for (const auto& r : o.balances) sum[r.at("cycle")] += uc(r.at("balance"));
  REQUIRE(sum.size() == 4);
  for (const auto& [cycle, total] : sum) CHECK(total == 2 * 55 * 1'000'000'000LL);
}

namespace {

// What each seller's buyers paid it in a cycle, by ERC: p0 * energy of every
// trade whose buyer's meter confirmed it (all but the silent buyer's).
std::map<std::string, std::int64_t> paid_to_sellers(const run_outputs& o, const std::string& cycle,
                                                    const std::string& silent_buyer) {
  std::int64_t price = 0;
  for (const auto& c : o.clearing)
    if (c.at("cycle") == cycle) price = uc(c.at("price"));
  std::map<std::string, std::int64_t> paid;
  for (const auto& t : o.trades)
    if (t.at("cycle") == cycle && t.at("buyer") != silent_buyer)
      paid[t.at("seller")] += market::money_for(price, mwh(t.at("energy_kwh")));
  return paid;
}

}  // namespace

TEST_CASE("demo: cycle i settles in cycle i+1, buyers pay sellers by ERC, the DSO gets only charges and penalties") {
  const auto& o = demo();
  const std::string silent_buyer = log_value(o.log, "meters that never report: ");
  std::map<std::string, std::int64_t> dso;  // balance row -> DSO balance then
  for (const auto& r : o.balances)
    if (r.at("account") == "dso") dso[r.at("cycle")] = uc(r.at("balance"));
  CHECK(dso["1"] == 55 * 1'000'000'000LL);  // nothing settles in the first cycle
  for (const auto& c : {"1", "2", "3"}) {
    const std::string next = std::to_string(std::stoi(c) + 1);
    std::int64_t buyer_energy_payments = 0, seller_receipts = 0, to_dso = 0, bought = 0, sold = 0, traded = 0;
    const auto paid = paid_to_sellers(o, c, silent_buyer);
    for (const auto& r : o.settlements) {
      if (r.at("cycle") != c) continue;
      const std::int64_t charges = uc(r.at("tariff")) + uc(r.at("penalty"));
      to_dso += charges;
      if (r.at("role") == "buyer") {
        buyer_energy_payments += uc(r.at("amount")) - charges;
        bought += mwh(r.at("agreed_kwh"));
      } else {
        const std::int64_t received = uc(r.at("amount")) + charges;
        seller_receipts += received;
        sold += mwh(r.at("agreed_kwh"));
        // Paid for exactly what its confirmed trades were worth: nothing for the silent buyer's.
        CHECK(received == (paid.count(r.at("party")) ? paid.at(r.at("party")) : 0));
      }
    }
    // Energy money goes from buyers to sellers only; the DSO's balance grew
    // by the grid charges and penalties of the cycle settled, and nothing else.
    CHECK(buyer_energy_payments == seller_receipts);
    CHECK(dso[next] - dso[c] == to_dso);
    CHECK(to_dso > 0);
    std::map<std::string, std::int64_t> per_party;
    for (const auto& r : o.trades) {
      if (r.at("cycle") != c) continue;
      traded += mwh(r.at("energy_kwh"));
      per_party[r.at("buyer") + "/buyer"] += mwh(r.at("energy_kwh"));
      per_party[r.at("seller") + "/seller"] += mwh(r.at("energy_kwh"));
    }
    for (const auto& r : o.settlements)
      if (r.at("cycle") == c) CHECK(per_party[r.at("party") + "/" + r.at("role")] == mwh(r.at("agreed_kwh")));
    CHECK(sold == traded);
    CHECK(bought <= traded);  // the silent buyer's share is never settled
    CHECK(traded > 0);
  }
}

TEST_CASE("demo: a short seller pays the penalty, a silent buyer's holds expire and come back, its sellers unpaid") {
  const auto& o = demo();
  const std::string short_seller = log_value(o.log, "meters that read short: ");
  const std::string silent_buyer = log_value(o.log, "meters that never report: ");
  bool penalised = false;
  for (const auto& r : o.settlements) {
    CHECK(r.at("party") != silent_buyer);
    if (r.at("party") != short_seller) {
      CHECK(r.at("metered_kwh") == r.at("agreed_kwh"));
      CHECK(uc(r.at("penalty")) == 0);
      continue;
    }
    const std::int64_t agreed = mwh(r.at("agreed_kwh")), metered = mwh(r.at("metered_kwh"));
    CHECK(metered == agreed * 800 / 1000);
    // Its own reading decides its penalty (market.md 5.4: |E_ref - E_meter| * 0.05 per kWh); its
    // buyers' ERCs pay it for what they confirmed.
    CHECK(uc(r.at("penalty")) == market::money_for(50'000, agreed - metered));
    const auto paid = paid_to_sellers(o, r.at("cycle"), silent_buyer);
    CHECK(uc(r.at("amount")) == paid.at(short_seller) - uc(r.at("tariff")) - uc(r.at("penalty")));
    penalised = true;
  }
  CHECK(penalised);
  bool bought = false;
  for (const auto& t : o.trades) bought = bought || t.at("buyer") == silent_buyer;
  CHECK(bought);  // it did trade, so it held money for its CTPs
  CHECK(o.log.find(silent_buyer + ": meter silent; its holds expire") != std::string::npos);
  CHECK(o.log.find("hold(s) open; waiting for height") != std::string::npos);
  CHECK(o.log.find("holds left open: 0.0 credits") != std::string::npos);
  // It was never billed, and its holds were released: its balance is what it started with.
  for (const auto& r : o.balances)
    if (r.at("account") == silent_buyer && r.at("cycle") == "4") CHECK(r.at("balance") == "1000.0");
}

TEST_CASE("demo: each committed clearing equals a recomputation by voltaic clear from the committed orders") {
  const auto& o = demo();
  for (const auto& c : o.clearing) {
    const std::string cycle = c.at("cycle");
    CAPTURE(cycle);
    const std::string file = o.dir + "/cycle" + cycle + "_orders.csv";
    std::ofstream f(file);
    f << "id,side,price,energy_kwh,distance_pref_m,bus\n";
    std::map<std::string, std::string> owner;
    for (const auto& r : o.orders)
      if (r.at("cycle") == cycle) {
        f << r.at("id") << "," << r.at("side") << "," << r.at("price") << "," << r.at("energy_kwh") << ","
          << r.at("distance_pref_m") << "," << r.at("bus") << "\n";
        owner[r.at("id")] = r.at("owner");
      }
    f.close();
    const auto replay = run_command(bin + " clear --orders " + file + " --feeder ieee-eu-lv --json");
    REQUIRE(replay.status == 0);
    const json j = json::parse(replay.out);
    CHECK(uc(c.at("price")) == micro(j["price"].num));
    CHECK(std::to_string(static_cast<int>(j["case"].num)) == c.at("case"));
    std::vector<std::string> expected, committed;
    for (const auto& t : j["trades"].arr)
      expected.push_back(owner[t["buyer"].str] + "," + owner[t["seller"].str] + "," +
                         std::to_string(micro(t["energy_kwh"].num)) + "," + std::to_string(micro(t["charge"].num)));
    for (const auto& t : o.trades)
      if (t.at("cycle") == cycle)
        committed.push_back(t.at("buyer") + "," + t.at("seller") + "," + std::to_string(mwh(t.at("energy_kwh"))) +
                            "," + std::to_string(uc(t.at("charge"))));
    CHECK(expected == committed);
    std::size_t outcomes = 0;
    for (const auto& r : o.outcomes) outcomes += r.at("cycle") == cycle;
    CHECK(j["outcomes"].size() == outcomes);
  }
}

TEST_CASE("demo: every replica verifies, holds the same blocks, and its clearing records match the CSVs") {
  const auto& o = demo();
  std::vector<std::unique_ptr<chain::ledger>> replicas;
  for (const auto* v : {"v0", "v1", "v2", "v3"}) {
    const std::string dir = o.dir + "/chain/" + v;
    const auto verify = run_command(bin + " chain verify " + dir);
    INFO(verify.out << verify.err);
    CHECK(verify.status == 0);
    replicas.push_back(open_replica(dir));
  }
  std::uint64_t common = UINT64_MAX;
  for (const auto& r : replicas) common = std::min(common, r->state().height);
  REQUIRE(common > 3);
  // Same block hash at every height (certificates may hold different quorums of precommits).
  auto hash_at = [](chain::ledger& l, std::uint64_t h) {
    auto raw = l.store().block_bytes(h);
    REQUIRE(raw.ok());
    REQUIRE(raw.value().has_value());
    return chain::decode_block(*raw.value()).value().hash;
  };
  for (std::uint64_t h = 0; h <= common; ++h)
    for (std::size_t i = 1; i < replicas.size(); ++i) CHECK(hash_at(*replicas[i], h) == hash_at(*replicas[0], h));
  const auto& st = replicas[0]->state();
  for (const auto& c : o.clearing) {
    const std::uint64_t cycle = std::stoull(c.at("cycle"));
    const auto* rec = st.clearings.find({0, cycle});
    REQUIRE(rec);
    CHECK(rec->price_ucpkwh == uc(c.at("price")));
    CHECK(std::to_string(rec->case_number) == c.at("case"));
    std::int64_t traded = 0;
    std::size_t trades = 0;
    for (const auto& t : o.trades)
      if (t.at("cycle") == c.at("cycle")) traded += mwh(t.at("energy_kwh")), ++trades;
    CHECK(rec->traded_mwh == traded);
    CHECK(rec->trade_count == trades);
    CHECK(st.order_roots.find({0, cycle})->order_count == 55);
  }
  CHECK(st.ctps.items().empty());
}

TEST_CASE("IEEE 33: the DSO closes the 12-22 tie switch between cycles and the next cycle's distances follow") {
  const std::string file = "trading_ieee33.toml";
  std::ofstream(file) << "[chain]\nid = \"ieee33-test\"\n\n[scenario]\nfeeder = \"ieee33\"\nvalidators = 1\n"
                         "prosumers = 32\ncycles = 2\nseed = 7\nstrategies = [\"truthful\"]\n\n"
                         "[[grid_change]]\nbefore_cycle = 2\nchange = \"close 12 22\"\n";
  const auto o = run_scenario(bin + " run " + file, "trading_ieee33_out");
  CHECK(o.log.find("the DSO applied 'close 12 22'") != std::string::npos);
  auto feeder = market::load_feeder("ieee33", voltaic::test::source_dir() + "/data/feeders");
  REQUIRE(feeder.ok());
  market::grid open_grid = feeder.value().grid, closed_grid = open_grid;
  REQUIRE(market::apply_grid_change(closed_grid, "close 12 22").ok());
  std::map<std::string, std::string> bus;  // cycle/owner -> bus
  for (const auto& r : o.orders) bus[r.at("cycle") + "/" + r.at("owner")] = r.at("bus");
  std::size_t checked = 0;
  for (const auto& t : o.trades) {
    const auto& g = t.at("cycle") == "1" ? open_grid : closed_grid;
    const auto d = g.distance(bus[t.at("cycle") + "/" + t.at("buyer")], bus[t.at("cycle") + "/" + t.at("seller")]);
    REQUIRE(d.ok());
    CHECK(market::format_scaled(d.value(), market::mm_per_m) == t.at("distance_m"));
    // The charge follows the distance: 0.002 per metre (per milliohm on IEEE 33).
    CHECK(uc(t.at("charge")) == d.value() * 2'000 / 1'000);
    ++checked;
  }
  CHECK(checked > 0);
  // Some pair of prosumer buses is nearer after the switch closes, and the chain records the new grid.
  CHECK(closed_grid.distance("12", "22").value() < open_grid.distance("12", "22").value());
  auto replica = open_replica(o.dir + "/chain/v0");
  const auto* g = replica->state().grid.find(0);
  REQUIRE(g);
  CHECK(g->grid_version == chain::grid_version(closed_grid));
}

TEST_CASE("the simulated clock gives the same orders, results and chain for the same seed") {
  const auto& a = demo();
  const auto b = run_scenario(bin + " demo", "trading_demo_again." + std::to_string(::getpid()));
  for (const auto* f : {"orders", "outcomes", "clearing", "trades", "settlements", "balances"})
    CHECK(voltaic::test::read_text(a.dir + "/" + f + ".csv") == voltaic::test::read_text(b.dir + "/" + f + ".csv"));
  auto x = open_replica(a.dir + "/chain/v0");
  auto y = open_replica(b.dir + "/chain/v3");
  REQUIRE(x->state().height == y->state().height);
  CHECK(x->state().head_hash == y->state().head_hash);
  CHECK(x->state().state_root == y->state().state_root);
  // Another seed trades differently.
  const auto c = run_scenario(bin + " demo --seed 2", "trading_demo_seed2." + std::to_string(::getpid()));
  CHECK(voltaic::test::read_text(a.dir + "/orders.csv") != voltaic::test::read_text(c.dir + "/orders.csv"));
}

TEST_CASE("several feeder instances trade side by side, each market clearing separately") {
  const std::string file = "trading_markets.toml";
  std::ofstream(file) << "[chain]\nid = \"markets-test\"\n\n[scenario]\nfeeder = \"ieee-eu-lv\"\nvalidators = 2\n"
                         "markets = 3\nprosumers = 12\ncycles = 2\nseed = 5\n";
  const auto o = run_scenario(bin + " run " + file, "trading_markets_out");
  CHECK(o.clearing.size() == 6);
  std::map<std::string, std::size_t> per_market;
  for (const auto& r : o.orders) ++per_market[r.at("cycle") + "/" + r.at("market")];
  CHECK(per_market.size() == 6);
  for (const auto& [key, n] : per_market) CHECK(n == 12);
  // Trades never cross markets: owners are named m<market>-p<i>.
  for (const auto& t : o.trades) {
    CHECK(t.at("buyer").rfind("m" + t.at("market") + "-", 0) == 0);
    CHECK(t.at("seller").rfind("m" + t.at("market") + "-", 0) == 0);
  }
  auto replica = open_replica(o.dir + "/chain/v1");
  for (std::uint64_t m = 0; m < 3; ++m)
    for (std::uint64_t c = 1; c <= 2; ++c) CHECK(replica->state().clearings.find({m, c}) != nullptr);
}

TEST_CASE("committing each phase in chunks while its agents still answer cuts blocks differently, trades the same") {
  auto scenario = [](const std::string& file, const std::string& extra) {
    std::ofstream(file) << "[chain]\nid = \"chunks-test\"\n\n[scenario]\nfeeder = \"ieee-eu-lv\"\nvalidators = 2\n"
                           "markets = 2\nprosumers = 20\ncycles = 2\nseed = 7\nshort_sellers = 1\n"
                        << extra;
    return file;
  };
  const auto whole = run_scenario(bin + " run " + scenario("trading_whole.toml", ""), "trading_whole_out");
  const auto chunked =
      run_scenario(bin + " run " + scenario("trading_chunked.toml", "chunk_answers = 8\n"), "trading_chunked_out");
  for (const auto* f : {"orders", "outcomes", "clearing", "trades", "settlements", "balances"}) {
    CAPTURE(f);
    const std::string text = voltaic::test::read_text(whole.dir + "/" + f + ".csv");
    CHECK(text.size() > 60);
    CHECK(text == voltaic::test::read_text(chunked.dir + "/" + f + ".csv"));
  }
  auto one_block_per_phase = open_replica(whole.dir + "/chain/v0");
  auto chunks = open_replica(chunked.dir + "/chain/v0");
  auto other = open_replica(chunked.dir + "/chain/v1");
  CHECK(chunks->state().height > one_block_per_phase->state().height);
  CHECK(other->state().head_hash == chunks->state().head_hash);
  for (const auto* v : {"v0", "v1"}) CHECK(run_command(bin + " chain verify " + chunked.dir + "/chain/" + v).status == 0);
}

TEST_CASE("a malformed scenario is refused with the file and key at fault") {
  // Runs `voltaic run` on a scenario of `text`: exit 2 and stderr holding `says`.
  auto refused = [](const std::string& text, const std::string& says, const std::string& only = "") {
    std::ofstream("trading_bad.toml") << "[chain]\nid = \"bad\"\n\n[scenario]\n" << text;
    const auto r = run_command(bin + " run trading_bad.toml" + (only.empty() ? "" : " --only " + only) +
                               " --out trading_bad_out");
    CHECK(r.status == 2);
    CHECK_MESSAGE(r.err.find(says) != std::string::npos, r.err);
    return r.err;
  };
  CHECK(refused("prosumers = 1\n", "prosumers") ==
        "voltaic run: trading_bad.toml:5:13: [scenario] prosumers must be in 2..100000, not 1\n");
  refused("clock = \"lunar\"\n", "clock must be 'simulated' or 'wall'");
  refused("strategies = [\"greedy\"]\n", "'greedy'");
  // A meter placed apart needs a port, and names a party of the scenario.
  refused("\n[[meter]]\nparty = \"p3\"\n", "[[meter]] port of p3 must be between 1 and 65535");
  refused("\n[[meter]]\nparty = \"p99\"\nport = 27999\n", "'p99' is no party of the scenario");
  // Only a meter the file places apart runs on its own.
  refused("", "p4's meter runs with its house: the file places it nowhere else", "p4.meter");
  CHECK_FALSE(std::filesystem::exists("trading_bad_out"));
}

TEST_CASE("the wall clock: each cycle's blocks are stamped with wall time and phases take their length") {
  const std::string file = "trading_wall.toml";
  std::ofstream(file) << "[chain]\nid = \"wall-test\"\n\n[scenario]\nvalidators = 1\nprosumers = 10\ncycles = 2\n"
                         "clock = \"wall\"\ncycle_seconds = 1\n";
  const auto o = run_scenario(bin + " run " + file, "trading_wall_out");
  CHECK(o.clearing.size() == 2);
  auto replica = open_replica(o.dir + "/chain/v0");
  const auto first = chain::decode_block(*replica->store().block_bytes(1).value()).value().header.time_ms;
  const auto last = replica->state().head_time_ms;
  CHECK(last - first >= 1'000);  // two cycles of one second: the second starts a second after the first
}

TEST_CASE("demo: the DSO channel holds per-bus summaries that add up to the trades, and no reserve price") {
  const auto& o = demo();
  const auto channel = read_csv(o.dir + "/dso_channel.csv");
  REQUIRE_FALSE(channel.empty());
  CHECK(channel.front().size() == 6);  // cycle, market, price, bus, traded_kwh, grid_charge
  std::map<std::string, std::int64_t> energy, charges, price;
  for (const auto& r : channel) {
    energy[r.at("cycle")] += mwh(r.at("traded_kwh"));
    charges[r.at("cycle")] += uc(r.at("grid_charge"));
    price[r.at("cycle")] = uc(r.at("price"));
  }
  for (const auto& c : o.clearing) CHECK(price[c.at("cycle")] == uc(c.at("price")));
  std::map<std::string, std::int64_t> traded, charged;
  for (const auto& t : o.trades) {
    traded[t.at("cycle")] += mwh(t.at("energy_kwh"));
    charged[t.at("cycle")] += uc(t.at("charge"));
  }
  for (const auto& [cycle, e] : traded) {
    CHECK(energy[cycle] == 2 * e);  // counted at the buyer's bus and at the seller's
    CHECK(charges[cycle] == charged[cycle]);
  }
}

TEST_CASE("short wall-clock cycles: every order gets one row in orders.csv and outcomes.csv, late ones marked late, never silence (F9)") {
  const std::string file = "trading_late.toml." + std::to_string(::getpid());
  // Four validators, one-second cycles: the proposer may close a cycle before
  // every order it did not take itself has reached it.
  std::ofstream(file) << "[chain]\nid = \"late-test\"\n\n[scenario]\nvalidators = 4\nprosumers = 55\ncycles = 3\n"
                         "clock = \"wall\"\ncycle_seconds = 1\n";
  const auto o = run_scenario(bin + " run " + file, "trading_late_out." + std::to_string(::getpid()));
  std::filesystem::remove(file);
  for (const std::string cycle : {"1", "2", "3"}) {
    CAPTURE(cycle);
    std::set<std::string> owners, ids;
    for (const auto& r : o.orders)
      if (r.at("cycle") == cycle) owners.insert(r.at("owner")), ids.insert(r.at("id"));
    CHECK(owners.size() == 55);  // each house's order, fixed or late
    std::size_t outcomes = 0, late = 0;
    for (const auto& r : o.outcomes)
      if (r.at("cycle") == cycle) {
        ++outcomes;
        CHECK(ids.count(r.at("id")) == 1);
        if (r.at("outcome") == "late") {
          ++late;
          CHECK(r.at("traded_kwh") == "0.0");
        }
      }
    CHECK(outcomes == 55);
    // The log counts the fixed ones: together with the late, every order.
    std::istringstream log(o.log);
    std::string line, fixed;
    while (std::getline(log, line))
      if (line.rfind("cycle " + cycle + ": ", 0) == 0 && line.find("orders fixed") != std::string::npos) fixed = line;
    REQUIRE_FALSE(fixed.empty());
    MESSAGE("cycle " << cycle << ": " << late << " late");
    CHECK(std::stoul(fixed.substr(("cycle " + cycle + ": ").size())) + late == 55);
  }
}
