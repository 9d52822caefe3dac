// `voltaic load` under the hostile test's F13 run: 2 of 4 validators (each
// in its own process) SIGKILLed under load and restarted later. The client
// connects to them again with backoff and signs again any offer whose nonce
// a later one overtook while its first holder was dead: every offer commits.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;

TEST_CASE(
    "two of four validators killed under load and restarted: the load client reconnects and every offer commits "
    "(F13)") {
  const std::string bin = VOLTAIC_BIN;
  const fs::path dir = fs::temp_directory_path() / ("voltaic-reconnect-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const int base = 31000 + static_cast<int>(::getpid() % 190) * 5;  // apart from the other tests' ranges
  REQUIRE(voltaic::test::run_command("VALIDATORS=4 BASE_PORT=" + std::to_string(base) + " VOLTAIC=" + bin + " " +
                                     voltaic::test::source_dir() + "/examples/lab/make_lab.sh " + dir.string())
              .status == 0);
  const std::string lab = (dir / "lab.toml").string();
  std::map<int, pid_t> validators;
  auto start = [&](int i, const std::string& log) {
    validators[i] =
        voltaic::test::start_process({bin, "run", lab, "--only", "v" + std::to_string(i)}, (dir / log).string());
    REQUIRE(validators[i] > 0);
  };
  for (int i = 0; i < 4; ++i) start(i, "v" + std::to_string(i) + ".log");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const pid_t load = voltaic::test::start_process({bin, "load", "--config", lab, "--rate", "300", "--duration", "15"},
                                                  (dir / "load.log").string());
  REQUIRE(load > 0);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  for (int i : {2, 3}) voltaic::test::stop_process(validators[i], SIGKILL, 5);
  std::this_thread::sleep_for(std::chrono::seconds(8));
  for (int i : {2, 3}) start(i, "v" + std::to_string(i) + ".again.log");
  const auto ended = voltaic::test::stop_process(load, 0, 90);
  const std::string told = voltaic::test::read_text((dir / "load.log").string());
  INFO(told);
  REQUIRE(ended.ended);
  CHECK((WIFEXITED(ended.status) && WEXITSTATUS(ended.status) == 0));
  // Every offer sent is committed (about 4,500; the count depends on timing).
  const auto sent_at = told.find("sent ");
  REQUIRE(sent_at != std::string::npos);
  const std::string sent = told.substr(sent_at + 5, told.find(' ', sent_at + 5) - sent_at - 5);
  CHECK(std::stoul(sent) >= 4'000);
  CHECK(told.find("committed " + sent + " (0 not committed, 0 refused") != std::string::npos);
  for (auto& [i, pid] : validators) voltaic::test::stop_process(pid, SIGTERM, 20);
  fs::remove_all(dir);
}
