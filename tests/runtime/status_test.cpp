// `voltaic status` against real validator processes: every validator's
// height, head, peers and lag in a row, one that is not running reported
// unreachable (exit 1), and all four at one height once it has caught up.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <map>
#include <vector>
#include <sstream>
#include <thread>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/ports.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

const std::string bin = VOLTAIC_BIN;

// The rows of a status table by validator: address, height, head, peers, lag.
std::map<std::string, std::vector<std::string>> rows_of(const std::string& table) {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream lines(table);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::vector<std::string> f;
    for (std::string c; cells >> c;) f.push_back(c);
    if (f.size() == 6) rows[f[0]] = {f.begin() + 1, f.end()};
  }
  return rows;
}

}  // namespace

TEST_CASE("voltaic status shows each validator's height, head, peers and lag, and one not running as unreachable") {
  voltaic::test::temp_dir dir("status");
  // Four loopback ports in 18000-18999 (below the bilateral tests' 19000-19999).
  int base = 18000 + static_cast<int>(::getpid() % 240) * 4;
  for (int tries = 0; tries < 240 && !voltaic::test::ports_free(base, 4); ++tries) base = 18000 + (base - 18000 + 4) % 960;
  std::ostringstream toml;
  toml << "[chain]\nid = \"status-lab\"\n[scenario]\nprosumers = 4\nclock = \"wall\"\n";
  for (int i = 0; i < 4; ++i) toml << "[[validator]]\nname = \"v" << i << "\"\nport = " << base + i << "\n";
  const auto file = (dir.path() / "lab.toml").string();
  std::ofstream(file) << toml.str();
  const auto log = (dir.path() / "three.log").string();
  const pid_t three =
      voltaic::test::start_process({bin, "run", file, "--only", "v0,v1,v2", "--out", (dir.path() / "a").string()}, log);
  REQUIRE(three > 0);
  REQUIRE(voltaic::test::shows_up(log, "validator v2 listening"));
  // Three of four make blocks: wait until they have a few.
  voltaic::test::process_result r;
  for (int i = 0; i < 300; ++i) {
    r = voltaic::test::run_command(bin + " status --config " + file);
    const auto rows = rows_of(r.out);
    if (rows.count("v0") && rows.at("v0")[1] != "-" && std::stoull(rows.at("v0")[1]) >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.rfind("validator   address", 0) == 0);
  auto rows = rows_of(r.out);
  REQUIRE(rows.size() == 4);
  for (const char* v : {"v0", "v1", "v2"}) {
    CHECK(rows[v][0] == "127.0.0.1:" + std::to_string(base + (v[1] - '0')));
    CHECK(std::stoull(rows[v][1]) >= 3);
    CHECK(rows[v][2].size() == 16);
    CHECK(rows[v][3] == "2");  // its two running peers
  }
  CHECK(rows["v3"][4] == "unreachable");

  // The fourth starts, catches up, and all four answer at one height.
  const auto log4 = (dir.path() / "four.log").string();
  const pid_t fourth =
      voltaic::test::start_process({bin, "run", file, "--only", "v3", "--out", (dir.path() / "b").string()}, log4);
  bool level = false;
  for (int i = 0; i < 600 && !level; ++i) {
    r = voltaic::test::run_command(bin + " status --config " + file);
    rows = rows_of(r.out);
    level = r.status == 0 && rows.size() == 4;
    for (const auto& [name, row] : rows) level = level && row[3] == "3" && row[4] == "0";
    if (!level) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(r.out << r.err);
  CHECK(level);
  voltaic::test::stop_process(fourth, SIGTERM, 30);
  voltaic::test::stop_process(three, SIGTERM, 30);
}
