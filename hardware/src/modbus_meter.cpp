#include "voltaic/hardware/modbus_meter.hpp"

#include <modbus/modbus.h>

#include <algorithm>
#include <cerrno>

namespace voltaic::hardware {

namespace {
constexpr std::chrono::milliseconds first_backoff{100}, longest_backoff{5'000};
}

modbus_meter::modbus_meter(modbus_endpoint endpoint, register_map map)
    : endpoint_(std::move(endpoint)), map_(std::move(map)) {}

modbus_meter::~modbus_meter() { disconnect(); }

std::string modbus_meter::describe() const {
  const std::string where = endpoint_.rtu ? "modbus-rtu " + endpoint_.device + " at " + std::to_string(endpoint_.baud)
                                          : "modbus-tcp " + endpoint_.host + ":" + std::to_string(endpoint_.port);
  return where + " unit " + std::to_string(endpoint_.unit) + " (" + map_.name + ")";
}

error modbus_meter::failure(const std::string& what) {
  const std::string reason = modbus_strerror(errno);
  disconnect();
  backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, longest_backoff);
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  return make_error(errc::io_error, describe() + ": " + what + ": " + reason);
}

status modbus_meter::connect() {
  if (ctx_ != nullptr) return {};
  if (std::chrono::steady_clock::now() < next_attempt_)
    return make_error(errc::io_error, describe() + ": unreachable, next attempt in " +
                                          std::to_string(backoff_.count()) + " ms at most");
  ctx_ = endpoint_.rtu ? modbus_new_rtu(endpoint_.device.c_str(), endpoint_.baud, 'N', 8, 1)
                       : modbus_new_tcp(endpoint_.host.c_str(), endpoint_.port);
  if (ctx_ == nullptr) return failure("cannot set up the connection");
  modbus_set_response_timeout(ctx_, 1, 0);
  if (modbus_set_slave(ctx_, endpoint_.unit) != 0) return failure("bad unit id");
  if (modbus_connect(ctx_) != 0) return failure("cannot connect");
  return {};
}

void modbus_meter::disconnect() {
  if (ctx_ == nullptr) return;
  modbus_close(ctx_);
  modbus_free(ctx_);
  ctx_ = nullptr;
}

result<std::int64_t> modbus_meter::read_field(const register_field& field) {
  std::uint16_t registers[2] = {0, 0};
  const int count = register_count(field.type);
  const int got = field.table == register_table::input ? modbus_read_input_registers(ctx_, field.address, count, registers)
                                                       : modbus_read_registers(ctx_, field.address, count, registers);
  if (got != count) return failure("cannot read register " + std::to_string(field.address));
  return decode_wh(field, registers);
}

result<meter_sample> modbus_meter::read() {
  if (auto st = connect(); !st) return st.err();
  auto imported = read_field(map_.import_energy);
  if (!imported) return imported.err();
  auto exported = read_field(map_.export_energy);
  if (!exported) return exported.err();
  backoff_ = std::chrono::milliseconds{0};
  return meter_sample{imported.value(), exported.value(), ++reads_, wall_clock_ms()};
}

}  // namespace voltaic::hardware
