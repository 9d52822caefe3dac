#pragma once
// The readings `voltaic meterd` has signed, kept in LMDB before they are
// published: a crash, a reboot or a network outage loses none, and
// subscribers catch up from it. Keys are sequence numbers (1, 2, ...), values
// the signed wire bytes. Commits are durable (LMDB's default sync).
// Thread-safety: one thread per journal.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/hardware/meter_source.hpp"

struct MDB_env;

namespace voltaic::hardware {

class reading_journal {
 public:
  static result<std::unique_ptr<reading_journal>> open(const std::string& dir);
  ~reading_journal();
  reading_journal(const reading_journal&) = delete;
  reading_journal& operator=(const reading_journal&) = delete;

  // The last sequence number journaled; 0 when the journal is empty.
  std::uint64_t last_seq() const { return last_seq_; }
  // Appends reading `seq`, which must be last_seq() + 1. A full disk is
  // "no space left on device: DIR", and the journal stays as it was.
  status append(std::uint64_t seq, const chain::bytes& wire);
  // Up to `max` readings from `from` on, in sequence order.
  result<std::vector<chain::bytes>> read_from(std::uint64_t from, std::size_t max) const;

 private:
  reading_journal(std::string dir, MDB_env* env, unsigned dbi);
  std::string dir_;
  MDB_env* env_;
  unsigned dbi_;
  std::uint64_t last_seq_ = 0;
};

}  // namespace voltaic::hardware
