// The arm64 build of `voltaic` (deploy/cross-arm64.sh) run under qemu-user,
// as on a Raspberry Pi: `meter init` and `meterd` are the cross-built ones,
// the meter a real Modbus TCP server, the subscriber the native `meter tail`.
// qemu runs it with the multiarch arm64 libraries (/lib/aarch64-linux-gnu):
// with `-L /usr/aarch64-linux-gnu` the cross toolchain's C library is mixed
// with them and a program hangs at its first thread.
// Registered only when the build is given VOLTAIC_ARM64_VOLTAIC.
#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "modbus_test_server.hpp"
#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace voltaic;

TEST_CASE("the arm64 build under qemu: meterd reads an SDM630 over Modbus TCP and serves signed readings") {
  const std::string qemu = "/usr/bin/qemu-aarch64", arm64 = VOLTAIC_ARM64_BIN;
  test::temp_dir dir("hw-arm64");
  const std::string d = dir.path().string();
  auto file_says = test::run_command("file -L " + arm64);
  REQUIRE(file_says.out.find("ARM aarch64") != std::string::npos);

  test::modbus_test_server sdm(32401);
  REQUIRE(sdm.start());
  const auto map = hardware::builtin_register_map("sdm630").value();
  sdm.set(map.import_energy, 321.5);
  sdm.set(map.export_energy, 12.25);
  auto init = test::run_command(qemu + " " + arm64 + " meter init --dir " + d +
                                "/m --source 'modbus-tcp://127.0.0.1:32401?map=sdm630' --publish tcp://127.0.0.1:32402");
  REQUIRE_MESSAGE(init.status == 0, init.err);
  const std::string key = init.out.substr(0, 40);
  const pid_t meterd = test::start_process({qemu, arm64, "meterd", "--config", d + "/m/meter.toml"}, d + "/meterd.log");
  REQUIRE(meterd > 0);
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
