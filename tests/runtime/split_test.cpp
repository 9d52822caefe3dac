// One scenario split over three processes on loopback — validators v0 and v1
// in one, v2 and v3 in another, prosumers, meters, the DSO and the clock in a
// third — against the same scenario in one process; and the agents' process
// killed mid-run and restarted.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/replica.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

namespace fs = std::filesystem;
namespace chain = voltaic::chain;
using voltaic::test::open_replica;
using voltaic::test::run_command;

namespace {

const std::string bin = VOLTAIC_BIN;

struct split_lab {
  fs::path dir;
  pid_t a = -1, b = -1;

  explicit split_lab(const std::string& tag, int cycles) {
    dir = fs::temp_directory_path() / ("voltaic-split-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const int base = 23000 + (::getpid() % 400) * 10 + (tag == "kill" ? 5 : 0);
    std::ofstream toml(dir / "scenario.toml");
    toml << "[chain]\nid = \"split\"\n\n[scenario]\nfeeder = \"ieee-eu-lv\"\nprosumers = 20\ncycles = " << cycles
         << "\nseed = 3\nshort_sellers = 1\nsilent_buyers = 1\nctp_lifetime_blocks = 12\n"
         // Phases commit in chunks: blocks that propose chosen transactions only, across processes.
         << "chunk_answers = 5\n\n";
    for (int i = 0; i < 4; ++i) toml << "[[validator]]\nname = \"v" << i << "\"\nport = " << base + i << "\n\n";
  }
  ~split_lab() {
    for (pid_t p : {a, b})
      if (p > 0) voltaic::test::stop_process(p, SIGKILL, 5);
    fs::remove_all(dir);
  }
  std::string file() const { return (dir / "scenario.toml").string(); }
  std::string path(const std::string& name) const { return (dir / name).string(); }

  void start_validators() {
    a = voltaic::test::start_process({bin, "run", file(), "--out", path("a"), "--only", "v0,v1"}, path("a.log"));
    b = voltaic::test::start_process({bin, "run", file(), "--out", path("b"), "--only", "v2,v3"}, path("b.log"));
    REQUIRE(a > 0);
    REQUIRE(b > 0);
  }
  void stop_validators() {
    for (pid_t* p : {&a, &b}) {
      const auto s = voltaic::test::stop_process(*p, SIGTERM, 20);
      CHECK(s.ended);
      *p = -1;
    }
  }
};


}  // namespace

TEST_CASE("split over three processes, a scenario gives the same clearing, trades, settlements and head as in one") {
  split_lab lab("same", 3);
  lab.start_validators();
  const auto agents = run_command(bin + " run " + lab.file() + " --only agents --out " + lab.path("c"));
  INFO(agents.out << agents.err);
  REQUIRE(agents.status == 0);
  lab.stop_validators();
  const auto one = run_command(bin + " run " + lab.file() + " --out " + lab.path("one"));
  INFO(one.out << one.err);
  REQUIRE(one.status == 0);
  for (const auto* f : {"orders", "outcomes", "clearing", "trades", "settlements", "balances"}) {
    CAPTURE(f);
    const std::string split = voltaic::test::read_text(lab.path("c") + "/" + f + ".csv");
    CHECK(split.size() > 60);
    CHECK(split == voltaic::test::read_text(lab.path("one") + "/" + f + ".csv"));
  }
  // Every replica of both runs holds the same head; each verifies.
  auto reference = open_replica(lab.path("one") + "/chain/v0");
  for (const auto& [where, v] : std::vector<std::pair<std::string, std::string>>{
           {"a", "v0"}, {"a", "v1"}, {"b", "v2"}, {"b", "v3"}}) {
    const std::string dir = lab.path(where) + "/chain/" + v;
    CHECK(run_command(bin + " chain verify " + dir).status == 0);
    auto replica = open_replica(dir);
    CHECK(replica->state().height == reference->state().height);
    CHECK(replica->state().head_hash == reference->state().head_hash);
  }
}

TEST_CASE("killing the agents' process mid-run loses no committed result, and restarted agents rejoin") {
  split_lab lab("kill", 6);
  lab.start_validators();
  const std::string log = lab.path("c1.log");
  pid_t agents = voltaic::test::start_process({bin, "run", lab.file(), "--only", "agents", "--out", lab.path("c")}, log);
  REQUIRE(agents > 0);
  // Kill it once two cycles are done.
  bool two_done = false;
  for (int i = 0; i < 600 && !two_done; ++i) {
    two_done = voltaic::test::read_text(log).find("cycle 2:") != std::string::npos;
    if (!two_done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(two_done);
  voltaic::test::stop_process(agents, SIGKILL, 5);
  const std::string before = voltaic::test::read_text(lab.path("c") + "/clearing.csv");
  CHECK(before.find("\n2,0,") != std::string::npos);

  const auto again = run_command(bin + " run " + lab.file() + " --only agents --out " + lab.path("c"));
  INFO(again.out << again.err);
  REQUIRE(again.status == 0);
  CHECK(again.out.find("resuming at cycle ") != std::string::npos);
  lab.stop_validators();

  // What the first process wrote is still there, and later cycles follow it.
  const std::string after = voltaic::test::read_text(lab.path("c") + "/clearing.csv");
  CHECK(after.rfind(before, 0) == 0);
  CHECK(after.find("\n6,0,") != std::string::npos);
  // The chain holds cycles 1 and 2 as they were and every later cycle; no hold is left open.
  auto v0 = open_replica(lab.path("a") + "/chain/v0");
  for (std::uint64_t c = 1; c <= 6; ++c) CHECK(v0->state().clearings.find({0, c}) != nullptr);
  CHECK(v0->state().ctps.items().empty());
  for (const auto& [where, v] : std::vector<std::pair<std::string, std::string>>{
           {"a", "v0"}, {"a", "v1"}, {"b", "v2"}, {"b", "v3"}})
    CHECK(run_command(bin + " chain verify " + lab.path(where) + "/chain/" + v).status == 0);
}
