// `voltaic experiment` as a real process: the thesis grid and its claims,
// byte-identical outputs on any --jobs, --resume after SIGKILL, valid PNG and
// SVG figures, and bad grid files refused with file, line and key.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/background.hpp"
#include "support/csv_rows.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using voltaic::test::read_text;
using voltaic::test::run_command;

const std::string bin = VOLTAIC_BIN;

std::string write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

std::size_t lines_in(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// The line of claims.md about one claim.
std::string claim_line(const std::string& claims, const std::string& id) {
  const auto at = claims.find("\n| " + id + " |");
  return at == std::string::npos ? std::string() : claims.substr(at + 1, claims.find('\n', at + 1) - at - 1);
}

bool holds(const std::string& claims, const std::string& id) {
  return claim_line(claims, id).find("| yes |") != std::string::npos;
}

}  // namespace

TEST_CASE("voltaic experiment --thesis runs 2,404 market-engine runs, the same bytes on any --jobs, and judges the claims") {
  voltaic::test::temp_dir dir("experiment-thesis");
  const auto one = dir.path() / "one";
  const auto two = dir.path() / "two";
  const auto r1 = run_command(bin + " experiment --thesis --jobs 1 --out " + one.string());
  const auto r2 = run_command(bin + " experiment --thesis --jobs 2 --out " + two.string());
  INFO(r1.out << r1.err << r2.err);
  REQUIRE(r1.status == 0);
  REQUIRE(r2.status == 0);
  CHECK(r1.out.find("experiment: 2404 runs (0 resumed)") != std::string::npos);
  for (const char* f : {"runs.csv", "summary.csv", "claims.md"}) {
    INFO(f);
    CHECK(read_text((one / f).string()) == read_text((two / f).string()));
  }
  CHECK(lines_in(one / "runs.csv") == 2405);  // header and one row per run
  const std::string runs = read_text((one / "runs.csv").string());
  CHECK(runs.rfind("series,behaviour,mechanism,policy,seed,cycle,case,p0,n_sellers,n_buyers,trading_sellers,"
                   "trading_buyers,participation,traded_kwh,trades,imbalance_kwh,reduction_per_seller_kwh,"
                   "buyers_short,short_kwh,welfare_sellers,welfare_buyers,social_welfare,surplus_sellers,"
                   "surplus_buyers,mean_cost,max_cost,min_cost,mean_distance_m\n",
                   0) == 0);
  CHECK(runs.find("\nP-50-coop-thesis,cooperative,dpda,equal_share,0,1,4,0.199,25,25,16,14,") != std::string::npos);
  CHECK(runs.find("\nP-55,non_cooperative,mcafee,equal_share,100,1,") != std::string::npos);

  // The fixtures give C1-C3 exactly; the direction claims C4, C5, C7 hold.
  const std::string claims = read_text((one / "claims.md").string());
  INFO(claims);
  for (const char* id : {"C1", "C2", "C3", "C4", "C5", "C7"}) {
    INFO(id);
    CHECK(holds(claims, id));
  }
  // Every claim is judged, none left out of the thesis grid.
  for (const char* id : {"C6", "C8", "C9", "C10", "C11", "C12", "C12b", "C13", "C14", "C15", "C16"}) {
    INFO(id);
    CHECK_FALSE(claim_line(claims, id).empty());
    CHECK(claim_line(claims, id).find("not in this grid") == std::string::npos);
  }

  // summary.csv: one row per grid point (6 series x 2 x 2, and 2 fixtures x 2).
  CHECK(lines_in(one / "summary.csv") == 1 + 24 + 4);
  CHECK(read_text((one / "summary.csv").string()).find("\nP-30,cooperative,dpda,equal_share,1,100,") !=
        std::string::npos);

  // Ten figures, each a PNG and an SVG that parse.
  std::size_t png = 0, svg = 0;
  for (const auto& entry : fs::directory_iterator(one / "figures")) {
    const auto ext = entry.path().extension();
    const std::string bytes = read_text(entry.path().string());
    if (ext == ".png") {
      ++png;
      CHECK(bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
      CHECK(bytes.substr(12, 4) == "IHDR");
      CHECK(bytes.size() > 5'000);
      CHECK(bytes.find("IEND") == bytes.size() - 8);
    } else if (ext == ".svg") {
      ++svg;
      const auto parsed = run_command("python3 -c \"import sys, xml.etree.ElementTree as E; "
                                      "r = E.parse(sys.argv[1]).getroot(); print(r.tag)\" " + entry.path().string());
      CHECK(parsed.status == 0);
      CHECK(parsed.out == "{http://www.w3.org/2000/svg}svg\n");
    }
  }
  CHECK(png == 10);
  CHECK(svg == 10);
  CHECK(fs::exists(one / "figures" / "fig3_16.png"));
  CHECK(fs::exists(one / "figures" / "fig4_15.svg"));

  // A second run into the same directory is refused: nothing is overwritten.
  const auto again = run_command(bin + " experiment --thesis --out " + one.string());
  CHECK(again.status == 2);
  CHECK(again.err.find("holds an experiment already (runs.journal); add --resume") != std::string::npos);
  // --resume on a finished experiment writes the same files again.
  const auto resumed = run_command(bin + " experiment --thesis --resume --out " + one.string());
  CHECK(resumed.status == 0);
  CHECK(resumed.out.find("2404 runs (2404 resumed)") != std::string::npos);
  CHECK(read_text((one / "runs.csv").string()) == read_text((two / "runs.csv").string()));
}

TEST_CASE("voltaic experiment --resume after SIGKILL finishes with the same files as an uninterrupted run") {
  voltaic::test::temp_dir dir("experiment-resume");
  // 144,000 runs: seconds of work, so the kill lands in the middle.
  const auto grid = write(dir.path() / "grid.toml",
                          "[experiment]\nseries = [\"P-10\", \"P-20\", \"P-30\", \"P-40\", \"P-50\", \"P-55\"]\n"
                          "behaviours = [\"cooperative\", \"non_cooperative\"]\nmechanisms = [\"dpda\", \"mcafee\"]\n"
                          "seeds = \"1..6000\"\n");
  const auto killed = dir.path() / "killed";
  const auto journal = killed / "runs.journal";
  const pid_t pid = voltaic::test::start_process(
      {bin, "experiment", grid, "--jobs", "1", "--out", killed.string()}, (dir.path() / "killed.log").string());
  REQUIRE(pid > 0);
  bool midway = false;
  for (int i = 0; i < 600 && !midway; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    midway = fs::exists(journal) && lines_in(journal) > 3'000;
  }
  const auto stopped = voltaic::test::stop_process(pid, SIGKILL, 10);
  REQUIRE(midway);
  CHECK((WIFSIGNALED(stopped.status) && WTERMSIG(stopped.status) == SIGKILL));
  const std::size_t journaled = lines_in(journal) - 1;
  CHECK(journaled < 144'000);
  CHECK_FALSE(fs::exists(killed / "runs.csv"));
  // A record torn by the kill, as a write cut short would leave it.
  std::ofstream(journal, std::ios::app | std::ios::binary) << "143999|P-55,non_cooperative,mcafee,equal";

  const auto resumed = run_command(bin + " experiment " + grid + " --resume --jobs 2 --out " + killed.string());
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.status == 0);
  CHECK(resumed.out.find("144000 runs (" + std::to_string(journaled) + " resumed)") != std::string::npos);

  const auto whole = dir.path() / "whole";
  const auto clean = run_command(bin + " experiment " + grid + " --jobs 2 --out " + whole.string());
  REQUIRE(clean.status == 0);
  for (const char* f : {"runs.csv", "summary.csv", "claims.md", "figures/fig4_12a.dat"}) {
    INFO(f);
    CHECK(read_text((killed / f).string()) == read_text((whole / f).string()));
  }
  CHECK(lines_in(killed / "runs.csv") == 144'001);

  // The journal belongs to its grid: another grid does not resume it.
  const auto other = write(dir.path() / "other.toml", "[experiment]\nseries = [\"P-10\"]\nseeds = \"1..5\"\n");
  const auto refused = run_command(bin + " experiment " + other + " --resume --out " + killed.string());
  CHECK(refused.status == 2);
  CHECK(refused.err.find("runs.journal:1: this journal was written for another grid") != std::string::npos);
}

TEST_CASE("a lab-engine grid (P-55, 10 cycles, 2 behaviours, 3 seeds) runs whole labs and its welfare rows sum to each cycle's social welfare") {
  voltaic::test::temp_dir dir("experiment-lab");
  const auto grid = write(dir.path() / "lab.toml",
                          "[experiment]\nengine = \"lab\"\nseries = [\"P-55\"]\n"
                          "behaviours = [\"cooperative\", \"non_cooperative\"]\nseeds = \"1..3\"\ncycles = 10\n");
  const auto out = dir.path() / "out";
  const auto r = run_command(bin + " experiment " + grid + " --out " + out.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("experiment: 6 runs (0 resumed)") != std::string::npos);
  const auto rows = voltaic::test::read_csv_rows((out / "runs.csv").string());
  REQUIRE(rows.size() == 60);  // a row per run and cycle, runs in grid order
  for (std::size_t run = 0; run < 6; ++run) {
    const auto lab = out / "lab" / ("run-" + std::to_string(run));
    CHECK_FALSE(fs::exists(lab / "chain"));  // the chain goes, the lab's tables stay
    const auto welfare = voltaic::test::read_csv_rows((lab / "welfare.csv").string());
    const auto orders = voltaic::test::read_csv_rows((lab / "orders.csv").string());
    for (std::size_t cycle = 1; cycle <= 10; ++cycle) {
      const auto& row = rows[run * 10 + cycle - 1];
      INFO("run " << run << " cycle " << cycle);
      CHECK(row.at("cycle") == std::to_string(cycle));
      CHECK(row.at("behaviour") == (run < 3 ? "cooperative" : "non_cooperative"));
      CHECK(row.at("seed") == std::to_string(run % 3 + 1));
      CHECK(row.at("n_sellers") == "28");
      CHECK(row.at("n_buyers") == "27");
      // The P-series book: Table 3.2's P-55 totals in every cycle.
      double sold = 0, bought = 0;
      for (const auto& o : orders)
        if (o.at("cycle") == std::to_string(cycle)) (o.at("side") == "sell" ? sold : bought) += std::stod(o.at("energy_kwh"));
      CHECK(sold == 1108);
      CHECK(bought == 1103);
      double sellers = 0, buyers = 0;
      std::size_t trading_sellers = 0, trading_buyers = 0;
      for (const auto& w : welfare) {
        if (w.at("cycle") != std::to_string(cycle)) continue;
        (w.at("side") == "sell" ? sellers : buyers) += std::stod(w.at("welfare"));
        ++(w.at("side") == "sell" ? trading_sellers : trading_buyers);
      }
      CHECK(trading_sellers > 0);
      CHECK(std::to_string(trading_sellers) == row.at("trading_sellers"));
      CHECK(std::to_string(trading_buyers) == row.at("trading_buyers"));
      CHECK(sellers + buyers == doctest::Approx(std::stod(row.at("social_welfare"))).epsilon(1e-9));
      CHECK(sellers == doctest::Approx(std::stod(row.at("welfare_sellers"))).epsilon(1e-9));
      CHECK(buyers == doctest::Approx(std::stod(row.at("welfare_buyers"))).epsilon(1e-9));
    }
  }
}

TEST_CASE("a bad experiment file is refused with file, line and key, and nothing is written") {
  voltaic::test::temp_dir dir("experiment-bad");
  struct bad_case {
    const char* text;
    const char* says;
  };
  const bad_case cases[] = {
      {"[experiment]\nseries = [\"P-10\", \"P-35\"]\n",
       ":2:19: [experiment] series: unknown series 'P-35' (use P-10, P-20, P-30, P-40, P-50 or P-55)"},
      {"[experiment]\nbehaviours = [\"truthful\"]\n",
       "[experiment] behaviours: 'truthful' is not a P-series behaviour (use cooperative or non_cooperative)"},
      {"[experiment]\nseeds = \"9..3\"\n", ":2:9: [experiment] seeds: '9..3' is not a seed or a range"},
      {"[experiment]\nmechanism = [\"dpda\"]\n", ":2:1: [experiment]: unknown key 'mechanism' (did you mean 'mechanisms'?)"},
      {"[experiment]\nengine = \"labs\"\n", ":2:10: [experiment] engine: 'labs' is not market or lab"},
      {"[experiment]\ncycles = 5\n", "the market engine runs one cycle per run"},
      {"[experiment]\nengine = \"lab\"\nseries = [\"P-50-coop-thesis\"]\n",
       "[experiment] series: the lab engine draws its books each cycle; the printed book P-50-coop-thesis is for the "
       "market engine"},
      {"[experiment]\nengine = \"lab\"\nbehaviours = [\"scripted\"]\n",
       "'scripted' is not a lab behaviour (use cooperative, non_cooperative, adaptive or truthful)"},
  };
  int k = 0;
  for (const auto& c : cases) {
    const auto file = write(dir.path() / ("bad" + std::to_string(k) + ".toml"), c.text);
    const auto out = dir.path() / ("out" + std::to_string(k++));
    const auto r = run_command(bin + " experiment " + file + " --out " + out.string());
    INFO(c.text << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(file) != std::string::npos);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK_FALSE(fs::exists(out / "runs.csv"));
  }
  const auto neither = run_command(bin + " experiment --out " + (dir.path() / "x").string());
  CHECK(neither.status == 2);
  CHECK(neither.err.find("give an experiment file or --thesis") != std::string::npos);
}
