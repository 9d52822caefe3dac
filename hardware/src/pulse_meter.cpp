#include "voltaic/hardware/pulse_meter.hpp"

#include <gpiod.h>

#include <cerrno>
#include <cstring>

namespace voltaic::hardware {

bool pulse_counter::edge(std::uint64_t time_ns) {
  if (any_ && time_ns - last_ns_ < debounce_ns_) return false;
  any_ = true;
  last_ns_ = time_ns;
  ++pulses_;
  return true;
}

pulse_meter::pulse_meter(pulse_line line, gpiod_chip* chip, gpiod_line* gpio)
    : config_(std::move(line)),
      chip_(chip),
      gpio_(gpio),
      counter_(config_.pulses_per_kwh, config_.debounce_ms * 1'000'000),
      counting_([this] { count(); }) {}

pulse_meter::~pulse_meter() {
  stop_ = true;
  if (counting_.joinable()) counting_.join();
  gpiod_line_release(gpio_);
  gpiod_chip_close(chip_);
}

std::string pulse_meter::describe() const {
  return "s0 " + config_.chip + " line " + std::to_string(config_.line) + " (" +
         std::to_string(config_.pulses_per_kwh) + " pulses per kWh)";
}

result<std::unique_ptr<pulse_meter>> pulse_meter::open(const pulse_line& line) {
  if (line.pulses_per_kwh <= 0) return make_error(errc::out_of_range, "pulses_per_kwh must be > 0");
  gpiod_chip* chip = gpiod_chip_open_lookup(line.chip.c_str());
  if (chip == nullptr)
    return make_error(errc::io_error, "s0: cannot open GPIO chip '" + line.chip + "': " + std::strerror(errno));
  gpiod_line* gpio = gpiod_chip_get_line(chip, line.line);
  if (gpio == nullptr ||
      gpiod_line_request_rising_edge_events_flags(gpio, "voltaic-meterd", GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP) != 0) {
    const std::string why = std::strerror(errno);
    gpiod_chip_close(chip);
    return make_error(errc::io_error, "s0: cannot watch line " + std::to_string(line.line) + " of '" + line.chip +
                                          "': " + why);
  }
  return std::unique_ptr<pulse_meter>(new pulse_meter(line, chip, gpio));
}

void pulse_meter::count() {
  const timespec poll{0, 200'000'000};
  while (!stop_) {
    const int ready = gpiod_line_event_wait(gpio_, &poll);
    if (ready == 0) continue;
    gpiod_line_event event{};
    if (ready < 0 || gpiod_line_event_read(gpio_, &event) != 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::string("s0: the line stopped delivering events: ") + std::strerror(errno);
      return;
    }
    const auto ns = static_cast<std::uint64_t>(event.ts.tv_sec) * 1'000'000'000 + static_cast<std::uint64_t>(event.ts.tv_nsec);
    std::lock_guard<std::mutex> lock(mutex_);
    counter_.edge(ns);
  }
}

result<meter_sample> pulse_meter::read() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!failure_.empty()) return make_error(errc::io_error, failure_);
  const std::int64_t wh = counter_.energy_wh();
  return meter_sample{config_.exports ? 0 : wh, config_.exports ? wh : 0, counter_.pulses(), wall_clock_ms()};
}

}  // namespace voltaic::hardware
