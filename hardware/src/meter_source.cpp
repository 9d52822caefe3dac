#include "voltaic/hardware/meter_source.hpp"

#include <chrono>

namespace voltaic::hardware {

std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace voltaic::hardware
