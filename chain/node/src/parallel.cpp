#include "voltaic/chain/node/parallel.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace voltaic::chain {

namespace {

// One batch, owned by its caller's stack until every helper has left it.
struct batch {
  const std::function<void(std::size_t)>* item = nullptr;
  std::size_t count = 0;
  std::atomic<std::size_t> next{0};
  std::size_t helpers_inside = 0;  // guarded by the pool's mutex

  void work() {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) (*item)(i);
  }
};

class helper_pool {
 public:
  static helper_pool& instance() {
    static helper_pool pool;
    return pool;
  }

  // False when the helpers are taken (or there are none): run alone then.
  bool run(std::size_t count, const std::function<void(std::size_t)>& item) {
    std::unique_lock<std::mutex> taken(taken_, std::try_to_lock);
    if (!taken.owns_lock() || threads_.empty()) return false;
    batch b;
    b.item = &item;
    b.count = count;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      current_ = &b;
      ++generation_;
    }
    wake_.notify_all();
    b.work();
    std::unique_lock<std::mutex> lock(mutex_);
    current_ = nullptr;  // no helper joins from here on
    left_.wait(lock, [&] { return b.helpers_inside == 0; });
    return true;
  }

  ~helper_pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  helper_pool() {
    const unsigned cores = std::thread::hardware_concurrency();
    for (unsigned i = 1; i < cores; ++i) threads_.emplace_back([this] { serve(); });
  }

  void serve() {
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || (current_ && generation_ != seen); });
      if (stopping_) return;
      seen = generation_;
      batch* b = current_;
      ++b->helpers_inside;
      lock.unlock();
      b->work();
      lock.lock();
      --b->helpers_inside;
      left_.notify_all();
    }
  }

  std::mutex taken_;  // held by the caller whose batch the helpers serve
  std::mutex mutex_;
  std::condition_variable wake_, left_;
  batch* current_ = nullptr;
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& item) {
  if (count > 1 && helper_pool::instance().run(count, item)) return;
  for (std::size_t i = 0; i < count; ++i) item(i);
}

}  // namespace voltaic::chain
