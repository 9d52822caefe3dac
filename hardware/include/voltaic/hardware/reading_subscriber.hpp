#pragma once
// A subscriber's side of the reading link (reading_link.hpp): connects to a
// meterd with its CURVE server key and the client's key pair, and yields the
// readings in sequence from `from_seq` on, each exactly once.
// Thread-safety: one thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "voltaic/hardware/curve_keys.hpp"
#include "voltaic/hardware/signed_reading.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace voltaic::hardware {

class reading_subscriber {
 public:
  static result<std::unique_ptr<reading_subscriber>> connect(const std::string& endpoint,
                                                             const std::string& server_public_z85,
                                                             const curve_key_pair& client_keys,
                                                             std::uint64_t from_seq = 1);
  ~reading_subscriber();
  reading_subscriber(const reading_subscriber&) = delete;
  reading_subscriber& operator=(const reading_subscriber&) = delete;

  // The next reading in sequence, or nothing when none came within `wait`.
  // A message that is not a reading at all is an error (and skipped).
  result<std::optional<verified_reading>> next(std::chrono::milliseconds wait);
  std::uint64_t next_seq() const { return next_seq_; }

 private:
  reading_subscriber() = default;
  void ask();

  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> dealer_;
  std::uint64_t next_seq_ = 1;
  std::chrono::steady_clock::time_point asked_;
  std::chrono::steady_clock::time_point heard_;
};

}  // namespace voltaic::hardware
