// Damaged stores and sign guards get a clear answer, never a crash or a
// silent start (hostile test F10, F12): `chain inspect` reports a truncated
// store as damage; a validator refuses a store whose blocks no longer hold
// together and says at which height; a sign guard with an impossible height
// is refused at start.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using voltaic::test::run_command;

namespace {

const std::string bin = VOLTAIC_BIN;

fs::path fresh(const std::string& tag) {
  const auto dir = fs::temp_directory_path() / ("voltaic-damage-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void copy_prefix(const fs::path& from, const fs::path& to_dir, std::size_t bytes) {
  fs::create_directories(to_dir);
  std::ifstream in(from, std::ios::binary);
  std::string data(bytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(bytes));
  std::ofstream(to_dir / "data.mdb", std::ios::binary).write(data.data(), in.gcount());
}

// A one-validator lab on a run file, run for a moment: a store of empty blocks.
struct small_lab {
  fs::path dir;
  explicit small_lab(const std::string& tag) : dir(fresh(tag)) {
    const int port = 30000 + static_cast<int>(::getpid() % 1000);  // apart from the other tests' ranges
    const auto r = run_command("VALIDATORS=1 BASE_PORT=" + std::to_string(port) + " VOLTAIC=" + bin + " " +
                               voltaic::test::source_dir() + "/examples/lab/make_lab.sh " + dir.string());
    REQUIRE(r.status == 0);
  }
  ~small_lab() { fs::remove_all(dir); }
  // Runs the validator up to `seconds`, then asks it to stop: the exit status.
  int run_for(double seconds, const std::string& log) const {
    const pid_t pid = voltaic::test::start_process({bin, "run", (dir / "lab.toml").string()}, (dir / log).string());
    REQUIRE(pid > 0);
    for (int i = 0; i < static_cast<int>(seconds * 50); ++i) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto s = voltaic::test::stop_process(pid, SIGINT, 20);
    REQUIRE(s.ended);
    return WIFEXITED(s.status) ? WEXITSTATUS(s.status) : 128;
  }
  fs::path store() const { return dir / "chain" / "v0"; }
  std::string log(const std::string& name) const { return voltaic::test::read_text((dir / name).string()); }
};

}  // namespace

TEST_CASE("chain inspect reports a truncated store as damage, never dies of it (F10)") {
  const auto dir = fresh("inspect");
  REQUIRE(
      run_command(bin + " chain bench --dir " + (dir / "good").string() + " --blocks 20 --txs-per-block 50").status ==
      0);
  for (const std::size_t bytes : {8'192, 12'288, 100'000}) {
    CAPTURE(bytes);
    const auto cut = dir / ("cut" + std::to_string(bytes));
    copy_prefix(dir / "good" / "data.mdb", cut, bytes);
    for (const std::string args : {"", " --height 5"}) {
      const auto r = run_command(bin + " chain inspect " + cut.string() + args);
      CAPTURE(args);
      CHECK(r.status == 1);  // an answer, not a signal (135 was SIGBUS)
      CHECK_MESSAGE(r.err.find("damaged") != std::string::npos, r.err);
    }
  }
  // An intact store still reads, and a height above its head is a plain question.
  CHECK(run_command(bin + " chain inspect " + (dir / "good").string() + " --height 5").status == 0);
  const auto above = run_command(bin + " chain inspect " + (dir / "good").string() + " --height 99");
  CHECK(above.status == 1);
  CHECK(above.err.find("no block at height 99") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a validator refuses a store whose history no longer holds together and says at which height (F12)") {
  small_lab lab("history");
  REQUIRE(lab.run_for(1.5, "first.log") == 0);
  const auto good = lab.dir / "good";
  fs::copy(lab.store(), good, fs::copy_options::recursive);
  const auto size = fs::file_size(good / "data.mdb");
  // Garbage over a block below the head, found as `chain verify` finds it.
  std::string verdict;
  for (std::size_t offset = 4'096; offset + 316 < size && verdict.empty(); offset += 1'024) {
    fs::remove_all(lab.store());
    fs::copy(good, lab.store(), fs::copy_options::recursive);
    {
      std::fstream f(lab.store() / "data.mdb", std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(offset + 300));
      f.write("\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab", 16);
    }
    const auto v = run_command(bin + " chain verify " + lab.store().string());
    if (v.status == 1 && v.out.rfind("bad height ", 0) == 0 && v.out.rfind("bad height 0:", 0) != 0) verdict = v.out;
  }
  REQUIRE_MESSAGE(!verdict.empty(), "no offset damaged a block below the head");
  const std::string height = verdict.substr(11, verdict.find(':') - 11);
  CHECK(lab.run_for(10, "damaged.log") == 1);
  const std::string said = lab.log("damaged.log");
  CHECK_MESSAGE(
      said.find("its store " + lab.store().string() + " is damaged at height " + height + ":") != std::string::npos,
      said);
  CHECK(said.find("listening") == std::string::npos);  // it never served the damaged blocks
  // The intact store starts again.
  fs::remove_all(lab.store());
  fs::copy(good, lab.store(), fs::copy_options::recursive);
  CHECK(lab.run_for(1, "again.log") == 0);
}

TEST_CASE("a sign guard holding an impossible height is refused at start with what to do (F12)") {
  small_lab lab("guard");
  REQUIRE(lab.run_for(1, "first.log") == 0);
  const auto guard = lab.store().string() + ".signed";
  std::ofstream(guard, std::ios::trunc) << "999999999 0 3\n";
  CHECK(lab.run_for(10, "future.log") == 1);
  CHECK_MESSAGE(
      lab.log("future.log").find("records a signature at height 999999999 but this validator's chain is at height") !=
          std::string::npos,
      lab.log("future.log"));
  std::ofstream(guard, std::ios::trunc) << "-5 0 3\n";
  CHECK(lab.run_for(10, "negative.log") == 1);
  CHECK_MESSAGE(lab.log("negative.log").find("is not a last-signed record") != std::string::npos,
                lab.log("negative.log"));
}
