#pragma once
// meterd's side of the reading link (reading_link.hpp): a CURVE server whose
// ZAP handler admits only the listed client keys. The handler is bound
// before the server socket and lives as long as it: there is never a moment
// when a client is admitted without being checked (libzmq would let CURVE
// clients in when no ZAP handler answers).
// Thread-safety: one thread (meterd's loop).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "voltaic/hardware/curve_keys.hpp"
#include "voltaic/hardware/reading_journal.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace voltaic::hardware {

class reading_server {
 public:
  static result<std::unique_ptr<reading_server>> start(const std::string& endpoint, const curve_key_pair& server_keys,
                                                       const std::vector<std::string>& allowed_clients,
                                                       const reading_journal& journal);
  ~reading_server();
  reading_server(const reading_server&) = delete;
  reading_server& operator=(const reading_server&) = delete;

  // Answers handshakes and requests and sends subscribers their readings,
  // for `wait`.
  void serve_for(std::chrono::milliseconds wait);
  std::size_t subscribers() const { return subscribers_.size(); }
  // Clients refused by the ZAP handler so far.
  std::uint64_t refused() const { return refused_; }

 private:
  struct subscriber {
    std::uint64_t next_seq = 1;
    std::chrono::steady_clock::time_point heard;
  };
  reading_server(const reading_journal& journal, std::vector<std::string> allowed);
  void answer_zap();
  void take_request();
  void send_readings();

  const reading_journal& journal_;
  std::set<std::string> allowed_;  // raw 32-byte public keys
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> zap_;
  std::unique_ptr<zmq::socket_t> router_;
  std::map<std::string, subscriber> subscribers_;  // by routing id
  std::uint64_t refused_ = 0;
};

}  // namespace voltaic::hardware
