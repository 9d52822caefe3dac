// A full disk (hostile test F6), on a small tmpfs the test mounts (the
// machine's tests run as root): `chain bench`, a validator, a scenario run
// and `voltaic demo` fail fast naming the path and "no space left on
// device", nothing committed before is lost, and once space is freed the
// validator resumes and its replica verifies.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using voltaic::test::run_command;

namespace {

const std::string bin = VOLTAIC_BIN;

// A tmpfs of `size` (e.g. "3m") at a fresh directory, unmounted at the end.
struct small_disk {
  fs::path at;
  bool mounted = false;
  explicit small_disk(const std::string& tag, const std::string& size) {
    at = fs::temp_directory_path() / ("voltaic-disk-" + tag + "-" + std::to_string(::getpid()));
    fs::create_directories(at);
    mounted = ::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    REQUIRE_MESSAGE(mounted, "mounting a tmpfs at " << at << " failed (" << std::strerror(errno)
                                                    << "): these tests need root, as on the CI machine");
  }
  void grow(const std::string& size) const {
    REQUIRE(::mount("tmpfs", at.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0);
  }
  ~small_disk() {
    if (mounted) ::umount2(at.c_str(), MNT_DETACH);
    fs::remove_all(at);
  }
};

// The height `chain verify` reports for a store that verifies, or -1.
long verified_height(const fs::path& store) {
  const auto r = run_command(bin + " chain verify " + store.string());
  std::smatch m;
  if (r.status != 0 || !std::regex_search(r.out, m, std::regex("^ok ([0-9]+) "))) return -1;
  return std::stol(m[1]);
}

}  // namespace

TEST_CASE("chain bench on a full disk: one line naming the path, and what was committed still verifies (F6)") {
  small_disk disk("bench", "3m");
  const auto store = disk.at / "b";
  const auto r = run_command(bin + " chain bench --dir " + store.string() + " --blocks 80 --txs-per-block 200");
  CHECK(r.status == 1);
  CHECK_MESSAGE(r.err.find("store-full: no space left on device: " + store.string()) != std::string::npos, r.err);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  disk.grow("16m");
  CHECK(verified_height(store) > 10);
}

TEST_CASE("a validator whose disk fills stops at once saying so, and resumes once space is freed (F6)") {
  small_disk disk("validator", "3m");
  const fs::path lab = fs::temp_directory_path() / ("voltaic-disk-lab-" + std::to_string(::getpid()));
  fs::remove_all(lab);
  const int port = 30000 + static_cast<int>(::getpid() % 1000);
  REQUIRE(run_command("VALIDATORS=1 BASE_PORT=" + std::to_string(port) + " VOLTAIC=" + bin + " " +
                      voltaic::test::source_dir() + "/examples/lab/make_lab.sh " + lab.string())
              .status == 0);
  {
    // The chain on the small disk.
    std::string text = voltaic::test::read_text((lab / "lab.toml").string());
    text.replace(text.find("dir = \"chain\""), 13, "dir = \"" + (disk.at / "chain").string() + "\"");
    std::ofstream(lab / "lab.toml") << text;
  }
  const std::string toml = (lab / "lab.toml").string();
  const pid_t validator = voltaic::test::start_process({bin, "run", toml}, (lab / "run.log").string());
  REQUIRE(validator > 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const pid_t load = voltaic::test::start_process({bin, "load", "--config", toml, "--rate", "2000", "--duration", "60"},
                                                  (lab / "load.log").string());
  REQUIRE(load > 0);
  // It fills 3 MB in seconds; then it must end by itself, not hang.
  const auto ended = voltaic::test::stop_process(validator, 0, 60);
  voltaic::test::stop_process(load, SIGKILL, 5);
  const std::string said = voltaic::test::read_text((lab / "run.log").string());
  INFO(said);
  REQUIRE(ended.ended);
  CHECK((WIFEXITED(ended.status) && WEXITSTATUS(ended.status) == 1));
  CHECK(said.find((disk.at / "chain").string()) != std::string::npos);
  CHECK(said.find("o space left on device") != std::string::npos);

  disk.grow("16m");
  const auto store = disk.at / "chain" / "v0";
  const long before = verified_height(store);
  CHECK(before > 0);
  const pid_t again = voltaic::test::start_process({bin, "run", toml}, (lab / "again.log").string());
  REQUIRE(again > 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto stopped = voltaic::test::stop_process(again, SIGINT, 20);
  CHECK(stopped.ended);
  CHECK(verified_height(store) > before);  // it went on from where it stopped
  fs::remove_all(lab);
}

TEST_CASE("a scenario run whose disk fills ends with the reason, not after its wait limit (F6)") {
  small_disk disk("scenario", "3m");
  std::ofstream(disk.at / "s.toml")
      << "[chain]\nid = \"full\"\n\n[scenario]\nprosumers = 200\ncycles = 200\nvalidators = 2\n";
  const std::string log = (fs::temp_directory_path() / ("voltaic-disk-run-" + std::to_string(::getpid()))).string();
  const pid_t run =
      voltaic::test::start_process({bin, "run", (disk.at / "s.toml").string(), "--out", (disk.at / "o").string()}, log);
  REQUIRE(run > 0);
  // Its wait limit is 120 s; a run that waited it out would not end in time.
  const auto ended = voltaic::test::stop_process(run, 0, 100);
  const std::string said = voltaic::test::read_text(log);
  INFO(said);
  REQUIRE(ended.ended);
  CHECK((WIFEXITED(ended.status) && WEXITSTATUS(ended.status) == 1));
  CHECK(said.find("store-full: no space left on device: " + (disk.at / "o" / "chain").string()) != std::string::npos);
  fs::remove(log);
}

TEST_CASE("voltaic demo whose disk fills ends at once with the path and the reason, and what it committed verifies (F6)") {
  small_disk disk("demo", "1m");
  const auto out = disk.at / "o";
  // `timeout`: a demo that waited out its limits would not end in time.
  const auto r = run_command("timeout 100 " + bin + " demo --out " + out.string());
  const std::string said = r.out + r.err;
  INFO(said);
  CHECK(r.status == 1);
  CHECK(said.find("no space left on device: " + (out / "chain").string()) != std::string::npos);
  CHECK(said.find("Input/output error") == std::string::npos);
  // The demo starts a fresh chain each time; what this one committed is whole.
  disk.grow("16m");
  CHECK(verified_height(out / "chain" / "v0") > 0);
}
