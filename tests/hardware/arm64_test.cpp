// The arm64 build of `voltaic` (deploy/cross-arm64.sh) run under qemu-user:
// the meter a Pi would set up with `meter init` is served by meterd and
// checked by `meter tail`. On this repository's CI machine qemu-user 7.2
// hangs at a program's first thread (a ten-line std::thread program does),
// so meterd itself, which has threads, runs natively here; on a machine
// where qemu runs threads, set VOLTAIC_ARM64_METERD=1 to run it under qemu.
// Registered only when the build is given VOLTAIC_ARM64_VOLTAIC.
#include <doctest/doctest.h>

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "modbus_test_server.hpp"
#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace voltaic;

TEST_CASE("a meter set up by the arm64 build under qemu reads an SDM630 over Modbus TCP into signed readings") {
  const std::string qemu = "/usr/bin/qemu-aarch64", sysroot = "/usr/aarch64-linux-gnu", arm64 = VOLTAIC_ARM64_BIN;
  test::temp_dir dir("hw-arm64");
  const std::string d = dir.path().string();
  auto file_says = test::run_command("file -L " + arm64);
  REQUIRE(file_says.out.find("ARM aarch64") != std::string::npos);

  test::modbus_test_server sdm(32401);
  REQUIRE(sdm.start());
  const auto map = hardware::builtin_register_map("sdm630").value();
  sdm.set(map.import_energy, 321.5);
  sdm.set(map.export_energy, 12.25);
  auto init = test::run_command(qemu + " -L " + sysroot + " " + arm64 + " meter init --dir " + d +
                                "/m --source 'modbus-tcp://127.0.0.1:32401?map=sdm630' --publish tcp://127.0.0.1:32402");
  REQUIRE_MESSAGE(init.status == 0, init.err);
  const std::string key = init.out.substr(0, 40);
  const bool meterd_under_qemu = std::getenv("VOLTAIC_ARM64_METERD") != nullptr;
  const pid_t meterd =
      meterd_under_qemu
          ? test::start_process({qemu, "-L", sysroot, arm64, "meterd", "--config", d + "/m/meter.toml"}, d + "/meterd.log")
          : test::start_process({VOLTAIC_BIN, "meterd", "--config", d + "/m/meter.toml"}, d + "/meterd.log");
  REQUIRE(meterd > 0);
  auto tail = test::run_command(std::string(VOLTAIC_BIN) + " meter tail --connect tcp://127.0.0.1:32402 --server-key '" +
                                key + "' --client-key " + d + "/m/client.key --json --count 2 --wait 60");
  test::stop_process(meterd, SIGTERM, 10);
  INFO(test::read_text(d + "/meterd.log"));
  REQUIRE_MESSAGE(tail.status == 0, tail.err);
  const std::regex good(R"re(\{"export_wh":12250,"gap":false,"import_wh":321500,"meter":"[0-9a-f]{64}","seq":\d+,"signature_ok":true,"time_ms":\d+\})re");
  std::istringstream lines(tail.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    CHECK_MESSAGE(std::regex_match(line, good), line);
    ++n;
  }
  CHECK(n == 2);
}
