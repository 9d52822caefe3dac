// `voltaic carbon clear` as a real process: every case of carbon.json as
// exactly the JSON spec/carbon.md section 4 specifies, and malformed files
// refused with exit 2, nothing on stdout and one line FILE:LINE: what.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

const std::string bin = VOLTAIC_BIN;

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

TEST_CASE("voltaic carbon clear --json prints exactly the expected object for every case of carbon.json") {
  voltaic::test::temp_dir dir("carbon-clear");
  const auto vectors = nlohmann::json::parse(
      voltaic::test::read_text(voltaic::test::source_dir() + "/tests/data/testvectors/carbon.json"));
  for (const auto& c : vectors["clear_cases"]) {
    const std::string name = c["name"];
    INFO(name);
    const auto file = write(dir.path() / (name + ".csv"), c["csv"].get<std::string>());
    const auto r = voltaic::test::run_command(bin + " carbon clear --participants " + file + " --json");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    const auto got = nlohmann::json::parse(r.out);  // key order and spacing are free, array order is not
    CHECK(got == c["expected"]);
    // Without --json: a table naming every trade.
    const auto table = voltaic::test::run_command(bin + " carbon clear --participants " + file);
    CHECK(table.status == 0);
    for (const auto& t : c["expected"]["trades"])
      CHECK(table.out.find(t["buyer"].get<std::string>() + " -> " + t["seller"].get<std::string>()) !=
            std::string::npos);
  }
}

TEST_CASE("voltaic carbon clear refuses malformed participants with exit 2, nothing on stdout and one FILE:LINE line") {
  voltaic::test::temp_dir dir("carbon-bad");
  const auto bad = write(dir.path() / "bad.csv", "id,role,quota_kg,price\n5,cec,-1455000,7.06\n22,pvp,-3,5\n");
  const auto r = voltaic::test::run_command(bin + " carbon clear --participants " + bad + " --json");
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err == bad + ":3: participant '22': a PV prosumer's quota cannot be negative\n");
  const auto missing = voltaic::test::run_command(bin + " carbon clear --participants " +
                                                  (dir.path() / "none.csv").string() + " --json");
  CHECK(missing.status == 2);
  CHECK(missing.out.empty());
  CHECK(missing.err == (dir.path() / "none.csv").string() + ":0: cannot read the file\n");
}

TEST_CASE("voltaic carbon analyze --json prints n, Spearman's rho, every fit, the chosen family and a bid range") {
  voltaic::test::temp_dir dir("carbon-analyze");
  const auto vectors = nlohmann::json::parse(
      voltaic::test::read_text(voltaic::test::source_dir() + "/tests/data/testvectors/carbon.json"));
  const auto& check = vectors["analyze_checks"][0];
  const auto file = write(dir.path() / "prices.csv", check["csv"].get<std::string>());
  const auto r = voltaic::test::run_command(bin + " carbon analyze --prices " + file + " --samples 5000 --seed 3 --json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto got = nlohmann::json::parse(r.out);
  CHECK(got.size() == 5);
  CHECK(got["n"] == 12);
  CHECK(std::fabs(got["spearman"].get<double>() - check["expected"]["spearman"].get<double>()) < 1e-12);
  const std::vector<std::string> families = {"gaussian", "student_t", "clayton", "gumbel", "frank"};
  REQUIRE(got["fits"].size() == 5);  // rho_s > 0: all five
  for (std::size_t k = 0; k < 5; ++k) {
    const auto& f = got["fits"][k];
    CHECK(f["family"] == families[k]);
    CHECK(f["params"].size() == (families[k] == "student_t" ? 2u : 1u));
    CHECK(f["aic"].get<double>() ==
          doctest::Approx(2.0 * static_cast<double>(f["params"].size()) - 2 * f["loglik"].get<double>()));
  }
  CHECK(std::find(families.begin(), families.end(), got["chosen"].get<std::string>()) != families.end());
  const auto range = got["bid_range"];
  REQUIRE(range.size() == 2);
  CHECK(range[0].get<double>() < range[1].get<double>());
  CHECK(range[0].get<double>() > 28);  // within the carbon prices of the file
  CHECK(range[1].get<double>() < 36);
  // The same seed, the same range; a higher electricity price, a higher range.
  const auto again = voltaic::test::run_command(bin + " carbon analyze --prices " + file + " --samples 5000 --seed 3 --json");
  CHECK(nlohmann::json::parse(again.out)["bid_range"] == range);
  const auto high = voltaic::test::run_command(bin + " carbon analyze --prices " + file +
                                               " --given-electricity 0.49 --samples 5000 --seed 3 --json");
  CHECK(nlohmann::json::parse(high.out)["bid_range"][0].get<double>() > range[0].get<double>());

  const auto few = write(dir.path() / "few.csv", "electricity,carbon\n0.4,30\n0.5,31\n");
  const auto refused = voltaic::test::run_command(bin + " carbon analyze --prices " + few + " --json");
  CHECK(refused.status == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err == few + ":0: the analysis needs at least 10 price pairs, not 2\n");
  const auto bad = write(dir.path() / "bad.csv", "electricity,carbon\n0.4,thirty\n");
  const auto malformed = voltaic::test::run_command(bin + " carbon analyze --prices " + bad + " --json");
  CHECK(malformed.status == 2);
  CHECK(malformed.err == bad + ":2: prices must be plain decimals such as 0.42 or 31.5\n");
}

TEST_CASE("voltaic demo --carbon: the case study by agents on four carbon validators, Table 4's trades, check values, one head") {
  voltaic::test::temp_dir dir("carbon-demo");
  const auto out = dir.path() / "demo";
  const auto r = voltaic::test::run_command(bin + " demo --carbon --out " + out.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("claims and reports admitted: 10, orders: 10") != std::string::npos);
  CHECK(r.out.find("quota of PVP 18 for 2020: published 99 t, check value 94 t (the check value counts)") !=
        std::string::npos);
  CHECK(r.out.find("every carbon replica at height") != std::string::npos);
  CHECK(r.out.find("every carbon replica re-executed from its store to the same head") != std::string::npos);
  for (const char* v : {"c0", "c1", "c2", "c3"}) CHECK(std::filesystem::exists(out / "carbon_chain" / v / "data.mdb"));

  const std::string quotas = voltaic::test::read_text((out / "carbon_quotas.csv").string());
  CHECK(quotas.rfind("id,role,estimate_kg,check_kg,round\n", 0) == 0);
  CHECK(quotas.find("\n18,pvp,99000,94000,2020\n") != std::string::npos);
  CHECK(quotas.find("\n14,pvp,456000,456000,2020\n") != std::string::npos);

  // The recorded trades are carbon.json's Table 4 (equal asks go by key on chain: a set).
  const auto vectors = nlohmann::json::parse(
      voltaic::test::read_text(voltaic::test::source_dir() + "/tests/data/testvectors/carbon.json"));
  std::multiset<std::string> want, got;
  for (const auto& t : vectors["clear_cases"][0]["expected"]["trades"])
    want.insert("2020," + t["buyer"].get<std::string>() + "," + t["seller"].get<std::string>() + "," +
                std::to_string(t["phase"].get<int>()) + "," + std::to_string(t["quantity_kg"].get<std::int64_t>()) +
                "," + t["price"].get<std::string>() + "," + t["turnover"].get<std::string>());
  std::istringstream lines(voltaic::test::read_text((out / "carbon_trades.csv").string()));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "round,buyer,seller,phase,quantity_kg,price,turnover");
  std::vector<int> phases;
  while (std::getline(lines, line)) {
    got.insert(line);
    phases.push_back(line[line.find(',', line.find(',', 5) + 1) + 1] - '0');
  }
  CHECK(got == want);
  CHECK(std::is_sorted(phases.begin(), phases.end()));  // internal clearing first
  // The same directory again is refused: nothing is overwritten.
  const auto again = voltaic::test::run_command(bin + " demo --carbon --out " + out.string());
  CHECK(again.status == 2);
  // On the simulated clock the same inputs give the same chain: one block per
  // step (claims, orders, the auction), the same head in another run.
  const auto head_line = [](const std::string& text) {
    const auto at = text.find("every carbon replica at height");
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  CHECK(head_line(r.out).rfind("every carbon replica at height 3, head ", 0) == 0);
  const auto second = voltaic::test::run_command(bin + " demo --carbon --out " + (dir.path() / "second").string());
  REQUIRE(second.status == 0);
  CHECK(head_line(second.out) == head_line(r.out));
}

TEST_CASE("a scenario's carbon section runs a carbon market beside the lab, copula-advised prices included") {
  voltaic::test::temp_dir dir("carbon-scenario");
  // Twenty years of price pairs, carbon rising with electricity.
  std::string prices = "electricity,carbon\n";
  for (int k = 0; k < 40; ++k)
    prices += std::to_string(0.15 + 0.002 * k) + "," + std::to_string(4.0 + 0.05 * k + (k % 3) * 0.1) + "\n";
  write(dir.path() / "prices.csv", prices);
  const std::string head = "[chain]\nid = \"carbon-lab\"\n[scenario]\nprosumers = 6\ncycles = 1\n";
  const auto file = write(dir.path() / "lab.toml",
                          head +
                              "[carbon]\nvalidators = 4\nperiod = 2021\nprices_file = \"prices.csv\"\n"
                              "[[carbon_participant]]\nbus = 5\nrole = \"cec\"\nemissions_kg = 1500000\n"
                              "[[carbon_participant]]\nbus = 11\nrole = \"cec\"\nemissions_kg = 800000\nprice = \"4.0\"\n"
                              "[[carbon_participant]]\nbus = 18\nrole = \"pvp\"\ngeneration_kwh = 117500\nestimate_kg = 99000\n"
                              "[[carbon_participant]]\nbus = 14\nrole = \"pvp\"\ngeneration_kwh = 570000\n");
  const auto out = dir.path() / "out";
  const auto r = voltaic::test::run_command(bin + " run " + file + " --out " + out.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("copula advice: buyers bid ") != std::string::npos);
  CHECK(r.out.find("claims and reports admitted: 4, orders: 4") != std::string::npos);
  CHECK(std::filesystem::exists(out / "trades.csv"));  // the electricity lab ran too
  const std::string quotas = voltaic::test::read_text((out / "carbon_quotas.csv").string());
  CHECK(quotas == "id,role,estimate_kg,check_kg,round\n18,pvp,99000,94000,2021\n14,pvp,456000,456000,2021\n");
  // CEC 5 needs 500 t: 200 t from CEC 11 first, then PV quota.
  const std::string trades = voltaic::test::read_text((out / "carbon_trades.csv").string());
  CHECK(trades.rfind("round,buyer,seller,phase,quantity_kg,price,turnover\n2021,5,11,1,200000,", 0) == 0);
  std::int64_t bought = 0;
  std::istringstream lines(trades);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    REQUIRE(f.size() == 7);
    CHECK(f[1] == "5");
    bought += std::stoll(f[4]);
  }
  CHECK(bought == 500'000);

  // On the wall clock (slow empty blocks: each waits for work) the market ends the same.
  std::string wall = voltaic::test::read_text(file);
  wall.replace(wall.find("cycles = 1\n"), 11, "cycles = 1\nclock = \"wall\"\ncycle_seconds = 2\n");
  const auto wall_file = write(dir.path() / "wall.toml", wall);
  const auto wall_out = dir.path() / "wall";
  const auto w = voltaic::test::run_command(bin + " run " + wall_file + " --out " + wall_out.string());
  INFO(w.out << w.err);
  REQUIRE(w.status == 0);
  CHECK(voltaic::test::read_text((wall_out / "carbon_trades.csv").string()) == trades);
  CHECK(w.out.find("every carbon replica re-executed from its store to the same head") != std::string::npos);
}
