#pragma once
// Checks batches of envelopes (decoding and signatures, which need no
// state; the application says how) on a thread of its own, in the order they
// were submitted, so that the thread owning the ledger goes on building and
// committing blocks meanwhile. Batches waiting when the checker turns to
// them are checked together, on all cores (parallel.hpp). Without a thread
// of its own it checks each batch at once, on the submitter's thread.
//
// The owner submits a batch, is told through `on_checked` (called on the
// checker's thread) that some are done, and takes them back, oldest first;
// admitting them against its state stays on its own thread.
// Thread-safety: submit() and take_checked() from any thread; batches are
// handed back in submission order.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "voltaic/chain/node/application.hpp"

namespace voltaic::chain {

class envelope_checker {
 public:
  using batch = node::admission_batch;
  // Checks slot i of a batch (application::check); called for distinct
  // slots on several threads at once.
  using check_fn = std::function<void(batch&, std::size_t)>;

  // With `own_thread` false, submit() checks the batch on the caller's thread
  // (still on all cores) and never calls on_checked: take_checked() has it
  // at once.
  envelope_checker(check_fn check_one, std::function<void()> on_checked, bool own_thread = true);
  // Batches not yet checked are dropped.
  ~envelope_checker();
  envelope_checker(const envelope_checker&) = delete;
  envelope_checker& operator=(const envelope_checker&) = delete;

  void submit(std::unique_ptr<batch> b);
  // The batches checked since the last call, oldest first.
  std::vector<std::unique_ptr<batch>> take_checked();

 private:
  void serve();
  void check(std::deque<std::unique_ptr<batch>>& taken) const;

  const check_fn check_one_;
  const std::function<void()> on_checked_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<std::unique_ptr<batch>> waiting_, checked_;
  bool stopping_ = false;
  std::thread thread_;  // when own_thread; started once the rest is set up
};

}  // namespace voltaic::chain
