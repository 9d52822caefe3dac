#pragma once
// A real Modbus TCP server (libmodbus) on loopback holding a meter's input
// registers, in a thread of the test: what meterd reads in the tests.
// stop() closes its sockets (the meter "goes away"); start() again later.
#include <modbus/modbus.h>
#include <sys/select.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>

#include "voltaic/hardware/register_map.hpp"

namespace voltaic::test {

class modbus_test_server {
 public:
  explicit modbus_test_server(int port) : port_(port) {
    mapping_ = modbus_mapping_new(0, 0, 0x100, 0x100);
  }
  ~modbus_test_server() {
    stop();
    modbus_mapping_free(mapping_);
  }
  bool start() {
    ctx_ = modbus_new_tcp("127.0.0.1", port_);
    listener_ = modbus_tcp_listen(ctx_, 4);
    if (listener_ < 0) return false;
    running_ = true;
    thread_ = std::thread([this] { serve(); });
    return true;
  }
  void stop() {
    if (!running_) return;
    running_ = false;
    thread_.join();
    ::close(listener_);
    modbus_free(ctx_);
  }
  // Writes a value in the field's units (kWh for the Eastron maps).
  void set(const hardware::register_field& field, double value) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::uint16_t* table = field.table == hardware::register_table::input ? mapping_->tab_input_registers
                                                                           : mapping_->tab_registers;
    hardware::encode_value(field, value, table + field.address);
  }

 private:
  void serve() {
    int client = -1;
    while (running_) {
      fd_set set;
      FD_ZERO(&set);
      FD_SET(listener_, &set);
      if (client >= 0) FD_SET(client, &set);
      timeval tv{0, 100'000};
      if (::select(std::max(listener_, client) + 1, &set, nullptr, nullptr, &tv) <= 0) continue;
      if (FD_ISSET(listener_, &set)) {
        if (client >= 0) ::close(client);
        client = modbus_tcp_accept(ctx_, &listener_);
        continue;
      }
      if (client >= 0 && FD_ISSET(client, &set)) {
        modbus_set_socket(ctx_, client);
        std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
        const int n = modbus_receive(ctx_, query);
        if (n > 0) {
          std::lock_guard<std::mutex> lock(mutex_);
          modbus_reply(ctx_, query, n, mapping_);
        } else if (n < 0) {
          ::close(client);
          client = -1;
        }
      }
    }
    if (client >= 0) ::close(client);
  }

  int port_;
  modbus_t* ctx_ = nullptr;
  modbus_mapping_t* mapping_;
  int listener_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;
  std::mutex mutex_;
};

}  // namespace voltaic::test
