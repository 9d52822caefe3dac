// A scenario's carbon market as real processes: several periods in turn,
// PV prosumers claiming from twelve monthly totals (one the carbon side of
// a lab house), each participant told its results and checked against the
// chain's record; the same market spread over processes (validators,
// participants, the carbon clock) clearing exactly as in one; and mistakes
// in the file or in --only refused with what was wrong.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/ports.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const std::string bin = VOLTAIC_BIN;

std::string write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

using table = std::vector<std::map<std::string, std::string>>;

// A CSV file's rows by column name.
table read_csv(const fs::path& path) {
  std::istringstream lines(voltaic::test::read_text(path.string()));
  std::string line;
  std::vector<std::string> header;
  table rows;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::istringstream cells(l);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    return f;
  };
  std::getline(lines, line);
  header = split(line);
  while (std::getline(lines, line)) {
    const auto f = split(line);
    REQUIRE(f.size() == header.size());
    std::map<std::string, std::string> row;
    for (std::size_t k = 0; k < f.size(); ++k) row[header[k]] = f[k];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Two CECs (bus 5 short of 500 t, bus 11 with 200 t spare) and two PVPs:
// bus 18 from twelve monthly totals of 10,000 kWh (96 t at delta 800), the
// carbon side of house p2; bus 14 from its year's 570,000 kWh (456 t).
const std::string market =
    "[[carbon_participant]]\nbus = 5\nrole = \"cec\"\nemissions_kg = 1500000\nprice = \"7.0\"\n"
    "[[carbon_participant]]\nbus = 11\nrole = \"cec\"\nemissions_kg = 800000\nprice = \"4.0\"\n"
    "[[carbon_participant]]\nbus = 18\nrole = \"pvp\"\nhouse = \"p2\"\nprice = \"3.0\"\n"
    "monthly_kwh = [10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000]\n"
    "[[carbon_participant]]\nbus = 14\nrole = \"pvp\"\ngeneration_kwh = 570000\nprice = \"2.5\"\n";

}  // namespace

TEST_CASE("a carbon lab clears several periods from monthly totals and tells every participant its results") {
  voltaic::test::temp_dir dir("carbon-periods");
  const auto file = write(dir.path() / "lab.toml", "[chain]\nid = \"carbon-periods\"\n[scenario]\nprosumers = 6\n"
                                                   "cycles = 1\n[carbon]\nvalidators = 3\nperiod = 2021\nperiods = 2\n" +
                                                       market);
  const auto out = dir.path() / "out";
  const auto r = voltaic::test::run_command(bin + " run " + file + " --out " + out.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("period 2021: claims and reports admitted: 4, orders: 4") != std::string::npos);
  CHECK(r.out.find("period 2022: claims and reports admitted: 4, orders: 4") != std::string::npos);
  CHECK(r.out.find("quota of PVP 18 (house p2) for 2022: published 96 t, check value 96 t") != std::string::npos);
  CHECK(r.out.find("each participant learnt its results of 2022 from its validator: 4 of 4") != std::string::npos);
  CHECK(r.out.find("every carbon replica re-executed from its store to the same head") != std::string::npos);

  // Each year its own quotas, from the monthly totals.
  const auto quotas = read_csv(out / "carbon_quotas.csv");
  REQUIRE(quotas.size() == 4);
  for (const auto& q : quotas) {
    if (q.at("id") == "18") CHECK(q.at("check_kg") == "96000");
    if (q.at("id") == "14") CHECK(q.at("check_kg") == "456000");
  }
  CHECK(quotas[0].at("round") == "2021");
  CHECK(quotas[3].at("round") == "2022");

  // What each participant learnt is what the trades give it, period by period.
  const auto trades = read_csv(out / "carbon_trades.csv");
  std::map<std::string, std::int64_t> bought, sold, count;
  std::map<std::string, int> per_round;
  for (const auto& t : trades) {
    const auto& round = t.at("round");
    ++per_round[round];
    bought[round + "/" + t.at("buyer")] += std::stoll(t.at("quantity_kg"));
    sold[round + "/" + t.at("seller")] += std::stoll(t.at("quantity_kg"));
    ++count[round + "/" + t.at("buyer")], ++count[round + "/" + t.at("seller")];
  }
  CHECK(per_round["2021"] > 0);
  CHECK(per_round["2021"] == per_round["2022"]);  // the same market each year
  const auto results = read_csv(out / "carbon_results.csv");
  REQUIRE(results.size() == 8);
  for (const auto& row : results) {
    const std::string who = row.at("round") + "/" + row.at("id");
    INFO(who);
    CHECK(std::stoll(row.at("bought_kg")) == bought[who]);
    CHECK(std::stoll(row.at("sold_kg")) == sold[who]);
    CHECK(std::stoll(row.at("trades")) == count[who]);
  }
  // CEC 5 bought the 500 t it lacked (200 t of CEC 11's first): nothing short after the auction.
  for (const auto& row : results)
    if (row.at("id") == "5") {
      CHECK(row.at("bought_kg") == "500000");
      CHECK(row.at("balance_kg") == "0");
    }
}

TEST_CASE("a carbon market over four processes clears exactly as in one") {
  voltaic::test::temp_dir dir("carbon-split");
  // Five loopback ports in 20000-20999 (below the cluster tests' 21000-24999).
  int base = 20000 + static_cast<int>(::getpid() % 190) * 5;
  for (int tries = 0; tries < 200 && !voltaic::test::ports_free(base, 5); ++tries) base = 20000 + (base - 20000 + 5) % 950;
  std::string places;
  for (int i = 0; i < 3; ++i) places += "[[carbon_validator]]\nport = " + std::to_string(base + i) + "\n";
  const std::string head = "[chain]\nid = \"carbon-split\"\n[scenario]\nprosumers = 6\ncycles = 1\n";
  const auto file = write(dir.path() / "split.toml", head + "[carbon]\nperiod = 2021\nperiods = 2\nport = " +
                                                         std::to_string(base + 3) + "\n" + places + market);
  const auto out = dir.path() / "split";
  const auto log = [&](const char* name) { return (dir.path() / (std::string(name) + ".log")).string(); };
  const pid_t validators =
      voltaic::test::start_process({bin, "run", file, "--only", "carbon.c0,carbon.c1,carbon.c2", "--out", out.string()},
                                   log("validators"));
  const pid_t cecs =
      voltaic::test::start_process({bin, "run", file, "--only", "carbon.5,carbon.11", "--out", out.string()}, log("cecs"));
  const pid_t pvp =
      voltaic::test::start_process({bin, "run", file, "--only", "carbon.18", "--out", out.string()}, log("pvp"));
  const pid_t clock = voltaic::test::start_process({bin, "run", file, "--only", "carbon.clock,carbon.14", "--out",
                                                    out.string()},
                                                   log("clock"));
  REQUIRE(validators > 0);
  const auto ended = voltaic::test::stop_process(clock, 0, 180);
  INFO(voltaic::test::read_text(log("clock")) << voltaic::test::read_text(log("validators"))
                                              << voltaic::test::read_text(log("cecs")));
  CHECK(ended.ended);
  CHECK(WIFEXITED(ended.status));
  CHECK(WEXITSTATUS(ended.status) == 0);
  // The participants' processes end with the clock's.
  CHECK(voltaic::test::stop_process(cecs, 0, 30).ended);
  CHECK(voltaic::test::stop_process(pvp, 0, 30).ended);
  voltaic::test::stop_process(validators, SIGTERM, 30);
  const std::string clock_log = voltaic::test::read_text(log("clock"));
  CHECK(clock_log.find("each participant learnt its results of 2022 from its validator: 4 of 4") != std::string::npos);
  CHECK(clock_log.find("every carbon replica at height") != std::string::npos);
  CHECK(voltaic::test::read_text(log("cecs")).find("2 carbon participant(s) joined the carbon clock") !=
        std::string::npos);
  for (const char* v : {"c0", "c1", "c2"}) CHECK(fs::exists(out / "carbon_chain" / v / "data.mdb"));

  // The same file in one process (electricity lab first, then the same market).
  const auto whole = dir.path() / "whole";
  const auto r = voltaic::test::run_command(bin + " run " + file + " --out " + whole.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  for (const char* table : {"carbon_quotas.csv", "carbon_trades.csv", "carbon_results.csv"}) {
    INFO(table);
    CHECK(voltaic::test::read_text((out / table).string()) == voltaic::test::read_text((whole / table).string()));
  }
  // On the simulated clock both chains are the same, block for block.
  const auto head_of = [](const std::string& text) {
    const auto at = text.find("every carbon replica at height");
    return at == std::string::npos ? std::string("none") : text.substr(at, text.find('\n', at) - at);
  };
  CHECK(head_of(clock_log) == head_of(r.out));
}

TEST_CASE("mistakes in a carbon section or in --only are refused with what was wrong") {
  voltaic::test::temp_dir dir("carbon-refusals");
  const std::string head = "[chain]\nid = \"carbon-bad\"\n[scenario]\nprosumers = 6\ncycles = 1\n";
  struct bad_case {
    std::string section;
    const char* says;
  };
  const bad_case cases[] = {
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"pvp\"\nemissions_kg = 5\nprice = \"1\"\n",
       "a PV prosumer reports no emissions"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"cec\"\nemissions_kg = 5\n",
       "[carbon] prices_file is needed for participants priced \"copula\""},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"cec\"\nprice = \"1\"\n[[carbon_participant]]\nbus = 6\n"
       "role = \"pvp\"\nprice = \"1\"\n",
       "bus 6 appears twice"},
      {"[carbon]\n[[carbon_participant]]\nbus = 40\nrole = \"cec\"\nprice = \"1\"\n", "bus"},
      {"[[carbon_participant]]\nbus = 6\nrole = \"cec\"\nprice = \"1\"\n", "[[carbon_participant]] needs a [carbon] section"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"pvp\"\nprice = \"1\"\nmonthly_kwh = [1, 2, 3]\n",
       "monthly_kwh must hold twelve monthly totals, not 3"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"pvp\"\nprice = \"1\"\nmonthly_kwh = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "
       "11, -12]\n",
       "monthly_kwh values must be in 0..100000000000, not -12"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"pvp\"\nprice = \"1\"\ngeneration_kwh = 5\nmonthly_kwh = [1, 2, 3, 4, "
       "5, 6, 7, 8, 9, 10, 11, 12]\n",
       "generation_kwh or monthly_kwh, not both"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"pvp\"\nprice = \"1\"\nhouse = \"p6\"\n",
       "house 'p6' is no party of the scenario"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"pvp\"\nprice = \"1\"\nhouse = \"p1\"\n[[carbon_participant]]\nbus = "
       "7\nrole = \"pvp\"\nprice = \"1\"\nhouse = \"p1\"\n",
       "house p1 is the carbon side of bus 6 already"},
      {"[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"cec\"\nprice = \"1\"\nhouse = \"p1\"\n",
       "only a PV prosumer is the carbon side of a house"},
      {"[carbon]\nvalidators = 2\n[[carbon_validator]]\nport = 20001\n[[carbon_participant]]\nbus = 6\nrole = \"cec\"\nprice = "
       "\"1\"\n",
       "validators = 2 but 1 [[carbon_validator]] entries place them"},
  };
  int k = 0;
  for (const auto& c : cases) {
    const auto bad = write(dir.path() / ("bad" + std::to_string(k++) + ".toml"), head + c.section);
    const auto refused = voltaic::test::run_command(bin + " run " + bad + " --out " + (dir.path() / "x").string());
    INFO(c.section << "\n" << refused.err);
    CHECK(refused.status == 2);
    CHECK(refused.err.find(bad + ":") != std::string::npos);
    CHECK(refused.err.find(c.says) != std::string::npos);
    CHECK(!fs::exists(dir.path() / "x"));
  }
  // --only: parts the file cannot place.
  const auto unplaced = write(dir.path() / "unplaced.toml",
                              head + "[carbon]\n[[carbon_participant]]\nbus = 6\nrole = \"cec\"\nprice = \"1\"\n");
  const auto placed = write(dir.path() / "placed.toml", head + "[carbon]\n[[carbon_validator]]\nport = 20001\n"
                                                               "[[carbon_participant]]\nbus = 6\nrole = \"cec\"\n"
                                                               "price = \"1\"\n");
  const std::pair<std::string, const char*> only_cases[] = {
      {placed + " --only carbon.c9", "'carbon.c9' names no carbon validator"},
      {placed + " --only carbon.7", "'carbon.7' names no carbon validator"},
      {placed + " --only carbon.c0,carbon.6", "run carbon validators and carbon agents in separate processes"},
      {placed + " --only carbon.6,p1", "run the carbon market's parts apart from the electricity lab's"},
      {unplaced + " --only carbon.c0", "only at the addresses of [[carbon_validator]] entries"},
      {unplaced + " --only carbon.6", "reach validators in other processes at [[carbon_validator]] addresses"},
  };
  for (const auto& [args, says] : only_cases) {
    const auto refused = voltaic::test::run_command(bin + " run " + args + " --out " + (dir.path() / "y").string());
    INFO(args << "\n" << refused.err);
    CHECK(refused.status == 2);
    CHECK(refused.err.find(says) != std::string::npos);
  }
}
