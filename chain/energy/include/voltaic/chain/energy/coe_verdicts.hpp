// Whether a CoE's two signatures hold, decided once however many checks ask
// at the same time: a buyer's ERCs (one per trade) all carry its meter's CoE
// and are checked side by side on all cores, each of which would otherwise
// verify it again.
#pragma once

#include <cstddef>
#include <future>
#include <mutex>
#include <unordered_map>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/key_order.hpp"

namespace voltaic::chain {

class coe_verdicts {
 public:
  explicit coe_verdicts(std::size_t bound) : bound_(bound) {}

  // The verdict for CoE `id` (a hash of all its bytes, so one verdict per
  // content): `verify` runs in the first check that asks; a check that asks
  // while it runs waits for its answer.
  template <class Verify>
  bool holds(const hash256& id, Verify verify) {
    std::promise<bool> mine;
    std::shared_future<bool> verdict;
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = verdicts_.find(id);
      if (it != verdicts_.end()) {
        verdict = it->second;
      } else {
        if (verdicts_.size() >= bound_) verdicts_.clear();  // waiters keep their own copy
        verdict = mine.get_future().share();
        verdicts_.emplace(id, verdict);
        first = true;
      }
    }
    if (first) mine.set_value(verify());
    return verdict.get();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<hash256, std::shared_future<bool>, key_hasher> verdicts_;
  const std::size_t bound_;
};

}  // namespace voltaic::chain
