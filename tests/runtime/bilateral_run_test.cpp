// A scenario with market = "bilateral" as a real process: buyers strike
// deals with producers over the backbone, cycle after cycle, settled by SPB
// or the escrow baseline; negotiations.csv holds every word, deals.csv every
// agreed deal — paid for what was delivered, nothing for a producer that
// never delivers — and the chain verifies. Mistakes in the keys are refused.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "support/paths.hpp"
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

TEST_CASE("a bilateral scenario: every word and every deal on file, the unreliable producer never paid, both settlements") {
  voltaic::test::temp_dir dir("bilateral-run");
  for (const std::string settlement : {"spb", "escrow"}) {
    INFO(settlement);
    const auto file = dir.path() / (settlement + ".toml");
    std::ofstream(file) << lab << "settlement = \"" << settlement << "\"\n";
    const auto out = dir.path() / settlement;
    const auto r = voltaic::test::run_command(bin + " run " + file.string() + " --out " + out.string());
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("12 deals over 2 cycle(s): 10 paid, 2 refunded (never delivered)") != std::string::npos);
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
  const auto file = dir.path() / "split.toml";
  std::ofstream(file) << head << "market = \"bilateral\"\n";
  const auto r = voltaic::test::run_command(bin + " run " + file.string() + " --only p0 --out " + (dir.path() / "y").string());
  CHECK(r.status == 2);
  CHECK(r.err.find("a bilateral market runs in one process for now") != std::string::npos);
}
