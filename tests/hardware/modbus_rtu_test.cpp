// Modbus RTU for real, without a serial port: two pseudo-terminals joined
// by a null-modem thread, a libmodbus RTU server holding an SDM120's
// registers on one, `voltaic meterd` on the other.
#include <doctest/doctest.h>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <modbus/modbus.h>

#include "meterd_process.hpp"
#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "voltaic/hardware/register_map.hpp"

using namespace voltaic;

namespace {

// Two ptys whose masters pass every byte to each other: a serial cable.
class null_modem {
 public:
  null_modem() {
    REQUIRE(::openpty(&master_[0], &slave_[0], name_[0], nullptr, nullptr) == 0);
    REQUIRE(::openpty(&master_[1], &slave_[1], name_[1], nullptr, nullptr) == 0);
    copying_ = std::thread([this] { copy(); });
  }
  ~null_modem() {
    stop_ = true;
    copying_.join();
    for (int k = 0; k < 2; ++k) ::close(master_[k]), ::close(slave_[k]);
  }
  std::string end(int k) const { return name_[k]; }

 private:
  void copy() {
    pollfd fds[2] = {{master_[0], POLLIN, 0}, {master_[1], POLLIN, 0}};
    char buf[512];
    while (!stop_) {
      if (::poll(fds, 2, 100) <= 0) continue;
      for (int k = 0; k < 2; ++k)
        if (fds[k].revents & POLLIN) {
          const ssize_t n = ::read(master_[k], buf, sizeof buf);
          if (n > 0 && ::write(master_[1 - k], buf, static_cast<std::size_t>(n)) != n) return;
        }
    }
  }
  int master_[2], slave_[2];
  char name_[2][128];
  std::atomic<bool> stop_{false};
  std::thread copying_;
};

}  // namespace

TEST_CASE("meterd reads an SDM120 over Modbus RTU (a pty pair for the RS-485 line)") {
  null_modem line;
  modbus_mapping_t* registers = modbus_mapping_new(0, 0, 0x100, 0x100);
  const auto map = hardware::builtin_register_map("sdm120").value();
  hardware::encode_value(map.import_energy, 7.75, registers->tab_input_registers + map.import_energy.address);
  hardware::encode_value(map.export_energy, 0.5, registers->tab_input_registers + map.export_energy.address);
  modbus_t* server = modbus_new_rtu(line.end(0).c_str(), 9600, 'N', 8, 1);
  REQUIRE(server != nullptr);
  modbus_set_slave(server, 2);
  REQUIRE(modbus_connect(server) == 0);
  std::atomic<bool> stop{false};
  std::thread serving([&] {
    std::uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    while (!stop) {
      pollfd fd{modbus_get_socket(server), POLLIN, 0};
      if (::poll(&fd, 1, 100) <= 0) continue;
      const int n = modbus_receive(server, query);
      if (n > 0) modbus_reply(server, query, n, registers);
    }
  });

  test::temp_dir dir("hw-rtu");
  const std::string d = dir.path().string(), bin = VOLTAIC_BIN;
  const std::string key = test::init_meter(d + "/m", "modbus-rtu://" + line.end(1) + "?baud=9600&unit=2&map=sdm120",
                                           "tcp://127.0.0.1:32501");
  test::running_meterd meterd(d + "/m/meter.toml", d + "/meterd.log");
  auto tail = test::run_command(bin + " meter tail --connect tcp://127.0.0.1:32501 --server-key '" + key +
                                "' --client-key " + d + "/m/client.key --json --count 2 --wait 30");
  meterd.stop();
  stop = true;
  serving.join();
  modbus_close(server);
  modbus_free(server);
  modbus_mapping_free(registers);
  INFO(test::read_text(d + "/meterd.log"));
  REQUIRE_MESSAGE(tail.status == 0, tail.err);
  const auto readings = test::parse_tail(tail.out);
  CHECK(readings.size() == 2);
  for (const auto& r : readings) {
    CHECK(r.import_wh == 7'750);
    CHECK(r.export_wh == 500);
    CHECK_FALSE(r.gap);
    CHECK(r.signature_ok);
  }
}
