#include "voltaic/chain/node/envelope_checker.hpp"

#include <utility>

#include "voltaic/chain/node/parallel.hpp"

namespace voltaic::chain {

envelope_checker::envelope_checker(check_fn check_one, std::function<void()> on_checked, bool own_thread)
    : check_one_(std::move(check_one)), on_checked_(std::move(on_checked)) {
  if (own_thread) thread_ = std::thread([this] { serve(); });
}

envelope_checker::~envelope_checker() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  thread_.join();
}

void envelope_checker::submit(std::unique_ptr<batch> b) {
  if (!thread_.joinable()) {
    std::deque<std::unique_ptr<batch>> one;
    one.push_back(std::move(b));
    check(one);
    std::lock_guard<std::mutex> lock(mutex_);
    checked_.push_back(std::move(one.front()));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_.push_back(std::move(b));
  }
  work_.notify_one();
}

auto envelope_checker::take_checked() -> std::vector<std::unique_ptr<batch>> {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::unique_ptr<batch>> out(std::make_move_iterator(checked_.begin()),
                                          std::make_move_iterator(checked_.end()));
  checked_.clear();
  return out;
}

void envelope_checker::serve() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    auto taken = std::exchange(waiting_, {});
    lock.unlock();
    check(taken);
    lock.lock();
    for (auto& b : taken) checked_.push_back(std::move(b));
    if (stopping_) return;
    lock.unlock();
    on_checked_();
    lock.lock();
  }
}

void envelope_checker::check(std::deque<std::unique_ptr<batch>>& taken) const {
  // Every envelope of every batch taken, as one list for the cores.
  std::vector<std::pair<batch*, std::size_t>> items;
  for (auto& b : taken) {
    b->checked.resize(b->envelopes.size());
    for (std::size_t i = 0; i < b->envelopes.size(); ++i) items.emplace_back(b.get(), i);
  }
  parallel_for(items.size(), [&](std::size_t k) {
    auto [b, i] = items[k];
    check_one_(*b, i);
  });
}

}  // namespace voltaic::chain
