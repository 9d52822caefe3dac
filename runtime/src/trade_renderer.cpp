#include "trade_renderer.hpp"

#include "voltaic/market/report.hpp"

namespace voltaic::runtime {

trade_renderer::trade_renderer(const std::vector<market::order>& book, wanted what)
    : book_(book), what_(what), worker_([this] { render(); }) {}

trade_renderer::~trade_renderer() { finish(); }

void trade_renderer::take(const market::trade* first, std::size_t count) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.emplace_back(first, first + count);
  }
  queued_.notify_one();
}

void trade_renderer::finish() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    no_more_ = true;
  }
  queued_.notify_one();
  worker_.join();
}

void trade_renderer::render() {
  for (;;) {
    std::vector<market::trade> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      queued_.wait(lock, [this] { return no_more_ || !batches_.empty(); });
      if (batches_.empty()) return;
      batch = std::move(batches_.front());
      batches_.pop_front();
    }
    if (what_.table_rows) market::append_trade_table_rows(table_rows_, book_, batch.data(), batch.size());
    if (what_.text_lines) market::append_text_trade_lines(text_lines_, book_, batch.data(), batch.size());
  }
}

}  // namespace voltaic::runtime
