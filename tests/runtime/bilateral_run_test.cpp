// A scenario with market = "bilateral" as a real process: buyers strike
// deals with producers over the backbone, cycle after cycle, settled by SPB
// or the escrow baseline; negotiations.csv holds every word, deals.csv every
// agreed deal — paid for what was delivered, nothing for a producer that
// never delivers — and the chain verifies. Mistakes in the keys are refused.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/ports.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const std::string bin = VOLTAIC_BIN;

std::vector<std::vector<std::string>> rows_of(const fs::path& csv, std::string& header) {
  std::istringstream lines(voltaic::test::read_text(csv.string()));
  std::getline(lines, header);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    rows.push_back(f);
  }
  return rows;
}

const std::string lab =
    "[chain]\nid = \"bilateral-lab\"\n[scenario]\nprosumers = 12\nbuyers = 6\ncycles = 2\nvalidators = 2\n"
    "market = \"bilateral\"\nrouters = 3\nnegotiators = [\"patient\", \"eager\", \"firm\"]\n"
    "unreliable_producers = 1\nctp_lifetime_blocks = 20\n";

}  // namespace

TEST_CASE("a bilateral scenario: every word and every deal on file, the unreliable producer never paid, both settlements, fresh payee keys") {
  voltaic::test::temp_dir dir("bilateral-run");
  for (const std::string settlement : {"spb", "escrow", "spb-fresh"}) {
    INFO(settlement);
    const bool fresh = settlement == "spb-fresh";
    const auto file = dir.path() / (settlement + ".toml");
    std::ofstream(file) << lab << "settlement = \"" << (fresh ? "spb" : settlement) << "\"\n"
                        << (fresh ? "fresh_keys = true\n" : "");
    const auto out = dir.path() / settlement;
    const auto r = voltaic::test::run_command(bin + " run " + file.string() + " --out " + out.string());
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("12 deals over 2 cycle(s): 10 paid, 2 refunded (never delivered)") != std::string::npos);
    // With fresh keys no producer is paid at its own key, and no payee serves two deals.
    CHECK(r.out.find(fresh ? "producers were paid at 12 key(s), 0 deal(s) at the producer's own"
                           : "producers were paid at 6 key(s), 12 deal(s) at the producer's own") != std::string::npos);
    std::string header;
    const auto deals = rows_of(out / "deals.csv", header);
    CHECK(header == "buyer,seller,energy_kwh,price,ctp,delivered_kwh,paid");
    REQUIRE(deals.size() == 12);
    for (const auto& d : deals) {
      REQUIRE(d.size() == 7);
      if (d[1] == "p6") {  // the first producer never delivers
        CHECK(d[5] == "0.0");
        CHECK(d[6] == "0");
      } else {
        CHECK(d[5] == "30.0");
        // Paid the agreed price for 30 kWh.
        const double price = std::stod(d[3]), paid = std::stod(d[6]);
        CHECK(paid == doctest::Approx(price * 30).epsilon(1e-6));
      }
      CHECK(d[4].empty() == (settlement == "escrow"));  // a CTP id under SPB only
    }
    // Each deal's words: the buyer's offer first, an accept last, at the deal's price.
    const auto words = rows_of(out / "negotiations.csv", header);
    CHECK(header == "time_ms,buyer,seller,step,price,energy_kwh");
    std::map<std::string, std::vector<std::vector<std::string>>> by_pair;
    for (const auto& w : words) {
      REQUIRE(w.size() == 6);
      const bool buyer_spoke = w[1] < "p6" && w[1].size() == 2;
      by_pair[buyer_spoke ? w[1] + "-" + w[2] : w[2] + "-" + w[1]].push_back(w);
    }
    for (const auto& d : deals) {
      const auto& seq = by_pair[d[0] + "-" + d[1]];
      REQUIRE(!seq.empty());
      CHECK(seq.front()[3] == "offer");
      bool accepted_at_price = false;
      for (const auto& w : seq) accepted_at_price |= w[3] == "accept" && w[4] == d[3];
      CHECK(accepted_at_price);
    }
    const auto verify = voltaic::test::run_command(bin + " chain verify " + (out / "chain" / "v0").string());
    INFO(verify.out << verify.err);
    CHECK(verify.status == 0);
  }
}

TEST_CASE("mistakes in a bilateral scenario are refused with what was wrong") {
  voltaic::test::temp_dir dir("bilateral-bad");
  const std::string head = "[chain]\nid = \"b\"\n[scenario]\nprosumers = 4\nbuyers = 2\n";
  const std::pair<std::string, const char*> cases[] = {
      {"market = \"bilateral\"\nsettlement = \"cash\"\n", "settlement must be \"spb\" or \"escrow\""},
      {"market = \"barter\"\n", "market must be \"auction\" or \"bilateral\""},
      {"routers = 3\n", "need market = \"bilateral\""},
      {"market = \"bilateral\"\nunreliable_producers = 3\n", "unreliable_producers (3) are more than the 2 producers"},
      {"market = \"bilateral\"\nnegotiators = [\"greedy\"]\n", "'greedy' is not eager, patient or firm"},
  };
  int k = 0;
  for (const auto& [keys, says] : cases) {
    const auto file = dir.path() / ("bad" + std::to_string(k++) + ".toml");
    std::ofstream(file) << head << keys;
    const auto r = voltaic::test::run_command(bin + " run " + file.string() + " --out " + (dir.path() / "x").string());
    INFO(keys << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(says) != std::string::npos);
  }
  // --only: parts a file cannot place, or that must run apart.
  const auto file = dir.path() / "split.toml";
  std::ofstream(file) << head << "market = \"bilateral\"\n[[validator]]\nname = \"v0\"\nport = 19999\n";
  const std::pair<std::string, const char*> only_cases[] = {
      {"v0,r0", "run validators, routers and houses (with the clock) in separate processes"},
      {"r0", "routers run apart only at the addresses of [[router]] entries"},
      {"p9", "'p9' names no validator, router (r0), party, range of parties (p0..p99) or clock"},
  };
  for (const auto& [names, says] : only_cases) {
    const auto r =
        voltaic::test::run_command(bin + " run " + file.string() + " --only " + names + " --out " + (dir.path() / "y").string());
    INFO(names << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(says) != std::string::npos);
  }
}

TEST_CASE("1,000 houses and 8 routers over four processes complete 1,000 deals and every chain verifies") {
  voltaic::test::temp_dir dir("bilateral-apart");
  // Fourteen loopback ports in 19000-19999 (below the carbon split test's 20000-20999).
  int base = 19000 + static_cast<int>(::getpid() % 70) * 14;
  for (int tries = 0; tries < 70 && !voltaic::test::ports_free(base, 14); ++tries) base = 19000 + (base - 19000 + 14) % 980;
  std::ostringstream toml;
  toml << "[chain]\nid = \"bilateral-apart\"\n[scenario]\nprosumers = 1000\nbuyers = 500\ncycles = 2\nseed = 4\n"
       << "market = \"bilateral\"\nunreliable_producers = 3\nctp_lifetime_blocks = 150\n[clock]\nport = " << base + 12
       << "\n";
  for (int i = 0; i < 4; ++i) toml << "[[validator]]\nname = \"v" << i << "\"\nport = " << base + i << "\n";
  for (int i = 0; i < 8; ++i) toml << "[[router]]\nport = " << base + 4 + i << "\n";
  const auto file = dir.path() / "apart.toml";
  std::ofstream(file) << toml.str();
  const auto log = [&](const char* name) { return (dir.path() / (std::string(name) + ".log")).string(); };
  const auto out = [&](const char* name) { return (dir.path() / name).string(); };
  const pid_t validators = voltaic::test::start_process(
      {bin, "run", file.string(), "--only", "v0,v1,v2,v3", "--out", out("v")}, log("validators"));
  const pid_t routers = voltaic::test::start_process(
      {bin, "run", file.string(), "--only", "r0,r1,r2,r3,r4,r5,r6,r7", "--out", out("r")}, log("routers"));
  const pid_t houses = voltaic::test::start_process(
      {bin, "run", file.string(), "--only", "p0..p399,p500..p799", "--out", out("h")}, log("houses"));
  const pid_t clock = voltaic::test::start_process(
      {bin, "run", file.string(), "--only", "p400..p499,p800..p999,clock", "--out", out("c")}, log("clock"));
  const auto ended = voltaic::test::stop_process(clock, 0, 600);
  const std::string clock_log = voltaic::test::read_text(log("clock"));
  INFO(clock_log.substr(clock_log.size() > 3000 ? clock_log.size() - 3000 : 0));
  CHECK(ended.ended);
  CHECK(WIFEXITED(ended.status));
  CHECK(WEXITSTATUS(ended.status) == 0);
  CHECK(voltaic::test::stop_process(houses, 0, 30).ended);  // it ends with the clock
  voltaic::test::stop_process(routers, SIGTERM, 30);
  voltaic::test::stop_process(validators, SIGTERM, 30);
  // 1,000 deals: those of the three unreliable producers refunded, every other paid.
  CHECK(clock_log.find("1000 deals over 2 cycle(s): 994 paid, 6 refunded (never delivered), 0 rejected") !=
        std::string::npos);
  CHECK(voltaic::test::read_text(log("houses")).find("700 house(s) joined the clock") != std::string::npos);
  std::string header;
  CHECK(rows_of(fs::path(out("c")) / "deals.csv", header).size() == 1000);
  // Every validator's chain verifies.
  for (const char* v : {"v0", "v1", "v2", "v3"}) {
    const auto verify = voltaic::test::run_command(bin + " chain verify " + out("v") + "/chain/" + v);
    INFO(v << verify.out << verify.err);
    CHECK(verify.status == 0);
  }
}
