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

#include "meterd_process.hpp"
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
  const std::string key = test::init_meter(d + "/m", "modbus-tcp://127.0.0.1:32401?map=sdm630",
                                           "tcp://127.0.0.1:32402", qemu + " " + arm64);
  test::running_meterd meterd(d + "/m/meter.toml", d + "/meterd.log", {qemu, arm64});
  auto tail = test::run_command(std::string(VOLTAIC_BIN) + " meter tail --connect tcp://127.0.0.1:32402 --server-key '" +
                                key + "' --client-key " + d + "/m/client.key --json --count 2 --wait 60");
  meterd.stop();
  INFO(test::read_text(d + "/meterd.log"));
  REQUIRE_MESSAGE(tail.status == 0, tail.err);
  const auto readings = test::parse_tail(tail.out);
  CHECK(readings.size() == 2);
  for (const auto& r : readings) {
    CHECK(r.import_wh == 321'500);
    CHECK(r.export_wh == 12'250);
    CHECK_FALSE(r.gap);
    CHECK(r.signature_ok);
  }
}
