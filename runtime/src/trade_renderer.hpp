#pragma once
// Renders trades while matching still runs: the trades table's rows and the
// text summary's trade lines, on a second thread fed by
// matching_options::on_trades. At 10^6 orders these took a third of
// `voltaic clear`'s time after the walk, with the second core idle during it.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "voltaic/market/matching.hpp"
#include "voltaic/market/order.hpp"

namespace voltaic::runtime {

class trade_renderer {
 public:
  struct wanted {
    bool table_rows = false;
    bool text_lines = false;
  };
  // `book` must outlive the renderer and stay unchanged.
  trade_renderer(const std::vector<market::order>& book, wanted what);
  ~trade_renderer();
  trade_renderer(const trade_renderer&) = delete;
  trade_renderer& operator=(const trade_renderer&) = delete;

  // Copies the batch and queues it (the matching thread).
  void take(const market::trade* first, std::size_t count);
  // Waits until every batch taken is rendered.
  void finish();

  std::string& table_rows() { return table_rows_; }
  std::string& text_lines() { return text_lines_; }

 private:
  void render();

  const std::vector<market::order>& book_;
  const wanted what_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::vector<market::trade>> batches_;
  bool no_more_ = false;
  std::string table_rows_, text_lines_;
  std::thread worker_;
};

}  // namespace voltaic::runtime
