#pragma once
// The market clock's time as the chain sees it, and phases committed in
// chunks (private to agents/, used by the market clock).

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "asker.hpp"

namespace voltaic::agents::clock {

using clock_type = std::chrono::steady_clock;

// The scenario's clock as the chain sees it. Wall clock: validators make
// blocks continuously and a phase lasts its configured time. Simulated clock:
// validators make a block only when stepped, stamped with simulated time, so
// the same seed gives the same chain; a phase ends as soon as its
// transactions are committed.
class chain_clock {
 public:
  chain_clock(asker& d, std::vector<caf::actor> miners, bool wall, std::uint64_t cycle_ms, std::uint64_t genesis_ms,
              const caf::actor& validator_watch = {})
      : d_(d), miners_(std::move(miners)), wall_(wall), cycle_ms_(cycle_ms), genesis_ms_(genesis_ms), now_ms_(genesis_ms) {
    phase_end_ = clock_type::now();
    // A watchdog notes every validator that goes away (its process died, its
    // connection broke), so the clock stops waiting on it at once, and every
    // one that answers again (a restarted process, under a new handle), so
    // it is stepped again.
    watchdog_ = d_.self()->home_system().spawn([gone = gone_, miners = miners_](caf::event_based_actor* self) -> caf::behavior {
      for (const auto& m : miners) self->monitor(m);
      self->set_down_handler([gone](caf::down_msg& dm) {
        std::lock_guard<std::mutex> lock(gone->mutex);
        gone->addresses.insert(dm.source);
        gone->last_reason = to_string(dm.reason);
      });
      return {[](caf::ok_atom) {},
              [self, gone](agents::valback_atom, caf::actor validator, bool) {
                self->monitor(validator);
                std::lock_guard<std::mutex> lock(gone->mutex);
                gone->returned.push_back(std::move(validator));
              }};
    });
    if (validator_watch) caf::anon_send(validator_watch, agents::valwatch_atom::value, watchdog_);
  }
  ~chain_clock() { caf::anon_send_exit(watchdog_, caf::exit_reason::user_shutdown); }
  chain_clock(const chain_clock&) = delete;
  chain_clock& operator=(const chain_clock&) = delete;

  // The start of phase `phase` (0 quotation .. 3 settlement) of `cycle`.
  void begin_phase(std::uint64_t cycle, int phase) {
    const std::uint64_t offsets[4] = {0, 3, 10, 13};  // minutes of 15, scaled to the cycle
    now_ms_ = std::max(now_ms_, genesis_ms_ + (cycle - 1) * cycle_ms_ + cycle_ms_ * offsets[phase] / 15);
  }
  // Wall clock only: waits for the end of the phase.
  void end_phase(int phase) {
    if (!wall_) return;
    const std::uint64_t lengths[4] = {3, 7, 3, 2};
    phase_end_ += std::chrono::milliseconds(cycle_ms_ * lengths[phase] / 15);
    std::this_thread::sleep_until(phase_end_);
  }

  const caf::actor& watcher() const { return miners_.front(); }
  // The validators still there (one that stopped answering is left out; the
  // first of them is the one the clock reads the chain from).
  const std::vector<caf::actor>& validators() const { return miners_; }
  // Leaves out a validator that does not answer, unless it is the last.
  void gone(const caf::actor& m) {
    if (miners_.size() <= 1) return;
    miners_.erase(std::remove(miners_.begin(), miners_.end(), m), miners_.end());
  }
  // Every validator went away (a full disk stops them all): no wait can end
  // well, and the reason the last one gave.
  bool all_stopped() const {
    std::lock_guard<std::mutex> lock(gone_->mutex);
    for (const auto& m : all_)
      if (!gone_->addresses.count(m.address())) return false;
    return true;
  }
  std::string stopped_reason() const {
    std::lock_guard<std::mutex> lock(gone_->mutex);
    return gone_->last_reason;
  }
  // Leaves out the validators the watchdog saw go away, and takes in those
  // that answer again (after the one it reads the chain from).
  void prune() {
    std::lock_guard<std::mutex> lock(gone_->mutex);
    for (const auto& m : std::vector<caf::actor>(miners_))
      if (gone_->addresses.count(m.address())) gone(m);
    for (auto& m : gone_->returned)
      if (!gone_->addresses.count(m.address())) {
        miners_.push_back(m);
        rejoined_.insert(m.address());
        all_.push_back(std::move(m));
      }
    gone_->returned.clear();
  }

  // Until every id is committed. Selective (simulated clock only): blocks
  // propose only these ids, whatever else waits in the pools — a chunk of a
  // phase commits, the same in every run, while the next is still arriving.
  bool commit(const std::vector<chain::hash256>& ids, std::chrono::seconds limit, bool selective = false) {
    if (wall_) return d_.committed(watcher(), ids, limit);
    if (ids.empty()) return true;
    // Every validator holds them before a block is asked for, so the
    // proposer, whoever it is, proposes all of them.
    prune();
    for (const auto& m : std::vector<caf::actor>(miners_)) {
      // One that came back holds none of what was gossiped while it was away:
      // a block it proposes without them is followed by another's.
      if (rejoined_.count(m.address())) continue;
      if (!wait_until(limit, [&] {
            std::uint64_t n = 0;
            prune();
            if (std::find(miners_.begin(), miners_.end(), m) == miners_.end()) return true;
            if (!d_.ask(m, n, agents::pooled_atom::value, ids)) {
              gone(m);  // a validator that does not answer holds nothing up
              return true;
            }
            return n == ids.size();
          }))
        return false;
    }
    // Each check sends only the ids still waiting.
    std::vector<chain::hash256> waiting = ids;
    for (int blocks = 0; blocks < 1'000; ++blocks) {
      if (!d_.drop_committed(watcher(), waiting)) return false;
      if (waiting.empty()) return true;
      if (!one_block(limit, selective ? std::optional<std::vector<chain::hash256>>(waiting) : std::nullopt)) return false;
    }
    return false;
  }

  // Until the chain has reached `height`.
  bool reach(std::uint64_t height, std::chrono::seconds limit) {
    if (wall_) return wait_until(limit, [&] { return d_.height(watcher()) >= height; });
    while (d_.height(watcher()) < height)
      if (!one_block(limit)) return false;
    return true;
  }

  // Until `done()` holds, one block at a time (simulated) or polling (wall).
  // Simulated, the blocks propose only what the validators add themselves
  // (a cycle's clearing): transactions arriving meanwhile wait for their
  // phase's own commit, so every run cuts the same blocks.
  template <class F>
  bool blocks_until(std::chrono::seconds limit, F done) {
    if (wall_) return wait_until(limit, done);
    for (int blocks = 0; blocks < 1'000; ++blocks) {
      if (done()) return true;
      if (!one_block(limit, std::vector<chain::hash256>{})) return false;
    }
    return false;
  }

  template <class F>
  bool wait_until(std::chrono::seconds limit, F done) {
    const auto deadline = clock_type::now() + limit;
    while (!done()) {
      if (clock_type::now() > deadline || all_stopped()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

 private:
  // One block: with `only`, proposing no other waiting transactions.
  bool one_block(std::chrono::seconds limit, const std::optional<std::vector<chain::hash256>>& only = std::nullopt) {
    prune();
    if (all_stopped()) return false;
    const std::uint64_t target = d_.height(watcher()) + 1;
    for (const auto& m : miners_) {
      if (!only) d_.self()->send(m, agents::step_atom::value, target, now_ms_);
      else d_.self()->send(m, agents::step_atom::value, target, now_ms_, *only);
    }
    ++now_ms_;
    std::uint64_t reached = 0;
    return d_.ask_within(limit, watcher(), reached, agents::reached_atom::value, target) && reached >= target;
  }

  struct gone_set {
    std::mutex mutex;
    std::set<caf::actor_addr> addresses;
    std::string last_reason;
    std::vector<caf::actor> returned;  // answer again, not yet taken in
  };
  asker& d_;
  std::vector<caf::actor> miners_;
  std::vector<caf::actor> all_ = miners_;  // as given or returned, gone or not
  std::set<caf::actor_addr> rejoined_;      // returned after going away
  std::shared_ptr<gone_set> gone_ = std::make_shared<gone_set>();
  caf::actor watchdog_;
  bool wall_;
  std::uint64_t cycle_ms_;
  std::uint64_t genesis_ms_;
  std::uint64_t now_ms_;
  clock_type::time_point phase_end_;
};

// The transaction ids agents gave in their answers [begin, end) (an agent
// that submitted nothing, or did not answer, gives none).
inline std::vector<chain::hash256> answered_ids(const std::vector<std::optional<agents::phase_done>>& answers,
                                                std::size_t begin, std::size_t end) {
  std::vector<chain::hash256> ids;
  for (std::size_t i = begin; i < end; ++i)
    if (answers[i]) ids.insert(ids.end(), answers[i]->txs.begin(), answers[i]->txs.end());
  return ids;
}

// A phase committed in chunks (asker::gather's chunk_done): each chunk's
// transactions as it completes, then whatever the chunks left.
struct chunked_commit {
  chain_clock& clock;
  std::chrono::seconds limit;
  bool ok = true;
  std::size_t committed_up_to = 0;  // answers whose transactions are on chain

  void chunk(std::size_t, std::size_t end, const std::vector<std::optional<agents::phase_done>>& answers) {
    ok = ok && clock.commit(answered_ids(answers, committed_up_to, end), limit, true);
    if (ok) committed_up_to = end;
  }
  bool rest(const std::vector<std::optional<agents::phase_done>>& answers) {
    return ok && clock.commit(answered_ids(answers, committed_up_to, answers.size()), limit);
  }
};

}  // namespace voltaic::agents::clock
