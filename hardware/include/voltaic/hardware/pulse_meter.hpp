#pragma once
// An S0 pulse meter on a GPIO line (libgpiod): the meter closes its S0
// contact once per 1/pulses_per_kwh kWh; the line, pulled up, sees a falling
// then a rising edge. Rising edges closer than the debounce time to the last
// counted one are contact bounce and not counted. Cumulative Wh are
// pulses * 1000 / pulses_per_kwh, counted in one direction (import or
// export, as the meter is wired).
// Thread-safety: pulse_counter is a plain value; pulse_meter counts on its
// own thread and read() may be called from another.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "voltaic/hardware/meter_source.hpp"

struct gpiod_chip;
struct gpiod_line;

namespace voltaic::hardware {

class pulse_counter {
 public:
  pulse_counter(std::int64_t pulses_per_kwh, std::uint64_t debounce_ns)
      : pulses_per_kwh_(pulses_per_kwh), debounce_ns_(debounce_ns) {}
  // A rising edge at `time_ns` (monotonic); true when it counts.
  bool edge(std::uint64_t time_ns);
  std::uint64_t pulses() const { return pulses_; }
  std::int64_t energy_wh() const { return static_cast<std::int64_t>(pulses_) * 1000 / pulses_per_kwh_; }

 private:
  std::int64_t pulses_per_kwh_;
  std::uint64_t debounce_ns_;
  std::uint64_t pulses_ = 0;
  std::uint64_t last_ns_ = 0;
  bool any_ = false;
};

struct pulse_line {
  std::string chip = "gpiochip0";  // name, path or number
  unsigned line = 17;
  std::int64_t pulses_per_kwh = 1'000;
  std::uint64_t debounce_ms = 20;  // S0 pulses last at least 30 ms (EN 62053-31)
  bool exports = false;            // counts energy fed into the grid
};

class pulse_meter final : public meter_source {
 public:
  static result<std::unique_ptr<pulse_meter>> open(const pulse_line& line);
  ~pulse_meter() override;

  result<meter_sample> read() override;
  std::string describe() const override;

 private:
  pulse_meter(pulse_line line, gpiod_chip* chip, gpiod_line* gpio);
  void count();

  pulse_line config_;
  gpiod_chip* chip_;
  gpiod_line* gpio_;
  std::mutex mutex_;
  pulse_counter counter_;
  std::string failure_;  // set when the line stopped delivering events
  std::atomic<bool> stop_{false};
  std::thread counting_;
};

}  // namespace voltaic::hardware
