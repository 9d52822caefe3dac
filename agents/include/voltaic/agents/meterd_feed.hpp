#pragma once
// The hardware adapter of a smart meter: it subscribes to a `voltaic meterd`
// (hardware/reading_subscriber.hpp) on a thread of its own and keeps the
// meter's cumulative import and export. The smart meter agent settles each
// cycle from the energy metered since it last asked: the window between two
// settlements, the first starting at the meter's first reading.
// Readings whose signature or key path fails, and gaps, are not counted.
// Thread-safety: take_window() and the counting thread share a mutex.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "voltaic/hardware/curve_keys.hpp"
#include "voltaic/market/error.hpp"

namespace voltaic::agents {

struct metered_window {
  std::int64_t import_wh = 0;
  std::int64_t export_wh = 0;
};

class meterd_feed {
 public:
  static market::result<std::shared_ptr<meterd_feed>> connect(const std::string& endpoint,
                                                              const std::string& server_key_z85,
                                                              const std::string& client_key_file);
  ~meterd_feed();
  meterd_feed(const meterd_feed&) = delete;
  meterd_feed& operator=(const meterd_feed&) = delete;

  // The energy since the previous call (or the first reading); nothing when
  // no good reading has come yet.
  std::optional<metered_window> take_window();
  const std::string& endpoint() const { return endpoint_; }

 private:
  meterd_feed() = default;
  void follow(std::string server_key, hardware::curve_key_pair client);

  std::string endpoint_;
  std::mutex mutex_;
  bool any_ = false;
  std::int64_t import_wh_ = 0, export_wh_ = 0;              // latest good reading
  std::int64_t mark_import_wh_ = 0, mark_export_wh_ = 0;    // where the window starts
  std::atomic<bool> stop_{false};
  std::thread following_;
};

}  // namespace voltaic::agents
