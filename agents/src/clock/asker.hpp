#pragma once
// The market clock's blocking requests to agents and validators, and the
// window of requests it keeps in flight (private to agents/, used by the
// market clock).

#include <caf/all.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"

namespace voltaic::agents::clock {

using clock_type = std::chrono::steady_clock;

// How far the answers of a gather have come without a gap, for a thread
// that waits on a prefix while an actor fills it in. The waiter is woken
// only when the prefix it waits for is complete (or never will be).
class answered_prefix {
 public:
  explicit answered_prefix(std::size_t n) : answered_(n, 0) {}

  void add(std::size_t i) {
    std::lock_guard<std::mutex> lock(mutex_);
    answered_[i] = 1;
    while (prefix_ < answered_.size() && answered_[prefix_]) ++prefix_;
    if (prefix_ >= wanted_) wake_.notify_all();
  }
  void abandon() {
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_ = true;
    wake_.notify_all();
  }
  // False when the gather ended first.
  bool wait_for(std::size_t end) {
    std::unique_lock<std::mutex> lock(mutex_);
    wanted_ = end;
    wake_.wait(lock, [&] { return prefix_ >= end || abandoned_; });
    wanted_ = SIZE_MAX;
    return prefix_ >= end;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<char> answered_;
  std::size_t prefix_ = 0;
  std::size_t wanted_ = SIZE_MAX;
  bool abandoned_ = false;
};

// Blocking requests from the clock; an error or a timeout is reported once.
class asker {
 public:
  asker(caf::actor_system& system, std::ostream& err) : self_(system), err_(err) {}

  template <class R, class... Ts>
  bool ask(const caf::actor& whom, R& result, Ts&&... xs) {
    return ask_within(std::chrono::seconds(30), whom, result, std::forward<Ts>(xs)...);
  }

  // Replies of several values land in a tuple.
  template <class... Rs, class... Ts>
  bool ask_within(std::chrono::seconds limit, const caf::actor& whom, std::tuple<Rs...>& result, Ts&&... xs) {
    bool ok = false;
    self_->request(whom, limit, std::forward<Ts>(xs)...)
        .receive([&](Rs... rs) { result = std::make_tuple(std::move(rs)...), ok = true; }, [&](caf::error&) {});
    return ok;
  }

  template <class R, class... Ts>
  bool ask_within(std::chrono::seconds limit, const caf::actor& whom, R& result, Ts&&... xs) {
    bool ok = false;
    self_->request(whom, limit, std::forward<Ts>(xs)...)
        .receive([&](R r) { result = std::move(r), ok = true; },
                 [&](caf::error& e) { err_ << "market clock: an agent did not answer: " << to_string(e) << "\n"; });
    return ok;
  }

  // Replies of several values land in a tuple.
  template <class... Rs, class... Ts>
  bool ask(const caf::actor& whom, std::tuple<Rs...>& result, Ts&&... xs) {
    bool ok = false;
    self_->request(whom, std::chrono::seconds(30), std::forward<Ts>(xs)...)
        .receive([&](Rs... rs) { result = std::make_tuple(std::move(rs)...), ok = true; },
                 [&](caf::error& e) { err_ << "market clock: an agent did not answer: " << to_string(e) << "\n"; });
    return ok;
  }

  // Validators of this process whose agents ask them without a timeout: a
  // gather ends as soon as one of them stops.
  void watch(std::vector<caf::actor> validators) { watched_ = std::move(validators); }

  // Asks `n` agents at once — request i made by make(i, asker) — and
  // collects the answers in order; a missing answer is nullopt. The agents
  // are actors of this process, asked without a timeout: one that has exited
  // fails its request at once, and every agent bounds its own requests to
  // remote validators, or its validator is watched. (Each timer is work for
  // CAF's clock thread, which took 7 % of all CPU at 100,000 prosumers.) An
  // event-based collector does the asking: it matches answers by id, where a
  // blocking actor would rescan every answer it set aside on each receive.
  template <class R, class Make>
  std::vector<std::optional<R>> gather(std::size_t n, Make make) {
    return gather<R>(n, 1, make, [](std::size_t, std::size_t, const std::vector<std::optional<R>>&) {});
  }

  // The same, in `chunks` consecutive parts: chunk_done(begin, end, answers)
  // runs on this thread as soon as requests [begin, end) are all answered,
  // while the agents still work on later ones (e.g. the caller commits one
  // chunk's transactions meanwhile). The last chunk is left to the caller.
  //
  // `askees`, when given, are the actors asked (request i goes to
  // askees[i]): those of other processes are monitored, so a request to one
  // whose process dies fails as soon as CAF sees the connection go, not when
  // its timer runs out.
  template <class R, class Make, class ChunkDone>
  std::vector<std::optional<R>> gather(std::size_t n, std::size_t chunks, Make make, ChunkDone chunk_done,
                                       std::shared_ptr<const std::vector<caf::actor>> askees = nullptr) {
    auto out = std::make_shared<std::vector<std::optional<R>>>(n);
    if (n == 0) return {};
    auto errors = std::make_shared<std::size_t>(0);
    auto stopped = std::make_shared<std::string>();  // why a watched validator stopped
    auto answered = std::make_shared<answered_prefix>(n);
    const std::vector<caf::actor> watched = watched_;
    // At most `window` requests are outstanding: CAF 0.17 looks up an
    // answer's handler among all pending ones.
    constexpr std::size_t window = 512;
    auto collector = self_->spawn([n, make, out, errors, stopped, watched, answered, askees](caf::event_based_actor* who) -> caf::behavior {
      return {[=](caf::ok_atom) -> caf::result<bool> {
        auto promise = who->make_response_promise<bool>();
        auto finished = std::make_shared<bool>(false);
        auto completed = std::make_shared<std::vector<char>>(n, 0);
        // Pending requests to askees of other processes, by their address.
        auto pending = std::make_shared<std::map<caf::actor_addr, std::vector<std::size_t>>>();
        auto fail_one = std::make_shared<std::function<void(std::size_t)>>();
        for (const auto& v : watched) who->monitor(v);
        who->set_down_handler([=](caf::down_msg& dm) {
          if (*finished) return;
          if (auto it = pending->find(dm.source); it != pending->end()) {
            const auto gone = std::move(it->second);
            pending->erase(it);
            for (const auto i : gone) (*fail_one)(i);
            return;
          }
          *finished = true;
          *stopped = to_string(dm.reason);
          answered->abandon();
          auto answer = promise;
          answer.deliver(false);
        });
        auto left = std::make_shared<std::size_t>(n);
        auto next = std::make_shared<std::size_t>(0);
        auto ask_next = std::make_shared<std::function<void()>>();
        auto done = std::make_shared<std::function<void(std::size_t)>>();
        *done = [=](std::size_t i) mutable {
          if (*finished || (*completed)[i]) return;
          (*completed)[i] = 1;
          answered->add(i);
          if (--*left == 0) {
            *finished = true;
            promise.deliver(true);
          } else {
            (*ask_next)();
          }
        };
        *fail_one = [=](std::size_t i) {
          if ((*completed)[i]) return;
          ++*errors;
          (*done)(i);
        };
        *ask_next = [=]() mutable {
          if (*next >= n) return;
          const std::size_t i = (*next)++;
          if (askees && (*askees)[i] && (*askees)[i].node() != who->node()) {
            auto& list = (*pending)[(*askees)[i].address()];
            if (list.empty()) who->monitor((*askees)[i]);
            list.push_back(i);
          }
          make(i, who).then(
              [=](R r) mutable {
                if ((*completed)[i]) return;
                (*out)[i] = std::move(r);
                (*done)(i);
              },
              [=](caf::error&) mutable { (*fail_one)(i); });
        };
        for (std::size_t k = 0; k < window; ++k) (*ask_next)();
        return promise;
      }};
    });

    auto all_in = self_->request(collector, caf::infinite, caf::ok_atom::value);
    // Chunks shrink (sizes k, k-1, ..., 1 of k(k+1)/2): what is left to the
    // caller once the last agent answered, the part nothing overlaps, is small.
    const std::size_t parts = chunks * (chunks + 1) / 2;
    for (std::size_t c = 0, begin = 0, done_parts = 0; c + 1 < chunks; ++c) {
      done_parts += chunks - c;
      const std::size_t end = n * done_parts / parts;
      if (!answered->wait_for(end)) break;
      chunk_done(begin, end, *out);
      begin = end;
    }
    all_in.receive([](bool) {}, [&](caf::error& e) { err_ << "market clock: " << to_string(e) << "\n"; });
    self_->send_exit(collector, caf::exit_reason::user_shutdown);
    if (!stopped->empty()) err_ << "market clock: a validator stopped (" << *stopped << ")\n";
    if (*errors) err_ << "market clock: " << *errors << " agents did not answer\n";
    return std::move(*out);
  }

  std::uint64_t height(const caf::actor& miner) {
    std::uint64_t h = 0;
    self_->request(miner, std::chrono::seconds(30), agents::head_atom::value)
        .receive([&](std::uint64_t height, const std::string&) { h = height; }, [&](caf::error&) {});
    return h;
  }

  // Removes from `ids` those in a committed block of `miner`; false if it does not answer.
  bool drop_committed(const caf::actor& miner, std::vector<chain::hash256>& ids) {
    std::vector<chain::hash256> left;
    if (!ask(miner, left, agents::committed_atom::value, ids)) return false;
    ids.swap(left);
    return true;
  }

  // Waits until every id is in a committed block of `miner`.
  bool committed(const caf::actor& miner, std::vector<chain::hash256> ids, std::chrono::seconds limit) {
    const auto deadline = clock_type::now() + limit;
    while (!ids.empty()) {
      if (!drop_committed(miner, ids)) return false;
      if (ids.empty()) return true;
      if (clock_type::now() >= deadline) {
        err_ << "market clock: " << ids.size() << " transactions not committed within " << limit.count() << " s\n";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  caf::scoped_actor& self() { return self_; }

 private:
  caf::scoped_actor self_;
  std::ostream& err_;
  std::vector<caf::actor> watched_;
};

}  // namespace voltaic::agents::clock
