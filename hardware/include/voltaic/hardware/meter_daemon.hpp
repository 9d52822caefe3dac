#pragma once
// `voltaic meterd`: every interval, read the meter source, sign the reading
// with the next of the meter's CoE keys, journal it, then serve it to the
// admitted subscribers (reading_link.hpp). A read that fails becomes a gap
// reading, never a made-up value; the source reconnects on its own. After a
// crash the journal resumes the sequence where it ended.
// Thread-safety: runs on the calling thread until `stop` is set.

#include <atomic>
#include <cstdint>
#include <ostream>
#include <memory>
#include <string>

#include "voltaic/hardware/meter_source_config.hpp"

namespace voltaic::hardware {

struct meterd_config {
  meter_source_config source;
  std::string endpoint;               // e.g. tcp://*:7600
  std::string curve_secret_key_file;  // the server's CURVE key pair
  std::string allowed_clients_file;   // client public keys admitted
  std::string journal_dir;
  std::string key_file;  // the meter's identity and CoE keys
  std::int64_t interval_ms = 1'000;
};

class meter_daemon {
 public:
  // Everything that must be right before the first read: the keys, the
  // source (a register map or trace that does not load), the journal, the
  // endpoint. An unreachable meter is not an error here.
  static result<std::unique_ptr<meter_daemon>> open(const meterd_config& config);
  ~meter_daemon();
  // Returns when `stop` is set (ok) or on a fault that ends it: a journal
  // that cannot be written (a full disk).
  status run(const std::atomic<bool>& stop, std::ostream& log);

 private:
  struct parts;
  explicit meter_daemon(std::unique_ptr<parts> p);
  std::unique_ptr<parts> parts_;
};

}  // namespace voltaic::hardware
