#pragma once
// A meter read over Modbus TCP or RTU with libmodbus, through a register map.
// A failed connection or read is an error for that read; the next read
// reconnects, no sooner than a backoff that doubles from 100 ms to 5 s.
// Thread-safety: one reader.

#include <chrono>
#include <cstdint>
#include <string>

#include "voltaic/hardware/meter_source.hpp"
#include "voltaic/hardware/register_map.hpp"

struct _modbus;

namespace voltaic::hardware {

struct modbus_endpoint {
  bool rtu = false;
  std::string host;  // TCP
  int port = 502;
  std::string device;  // RTU, e.g. /dev/ttyUSB0
  int baud = 9600;
  int unit = 1;
};

class modbus_meter final : public meter_source {
 public:
  modbus_meter(modbus_endpoint endpoint, register_map map);
  ~modbus_meter() override;
  modbus_meter(const modbus_meter&) = delete;
  modbus_meter& operator=(const modbus_meter&) = delete;

  result<meter_sample> read() override;
  std::string describe() const override;

 private:
  status connect();
  void disconnect();
  result<std::int64_t> read_field(const register_field& field);
  error failure(const std::string& what);

  modbus_endpoint endpoint_;
  register_map map_;
  _modbus* ctx_ = nullptr;
  std::uint64_t reads_ = 0;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace voltaic::hardware
