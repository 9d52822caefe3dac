#pragma once
// Hashes of signed things whose signatures were checked and held. A check
// gives the same answer every time, so a hit stands for the check: shared
// between a ledger's thread and the envelope checker's, it spares checking a
// signature twice however the two threads interleave. Bounded: when full it
// starts over (a miss only costs a check).
// Thread-safety: every member may be called from any thread.

#include <cstddef>
#include <mutex>
#include <unordered_set>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/key_order.hpp"

namespace voltaic::chain {

class verified_set {
 public:
  explicit verified_set(std::size_t bound) : bound_(bound) {}

  bool contains(const hash256& h) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_.count(h) != 0;
  }
  void insert(const hash256& h) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (set_.size() >= bound_) set_.clear();
    set_.insert(h);
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<hash256, key_hasher> set_;
  const std::size_t bound_;
};

}  // namespace voltaic::chain
