#pragma once
// Test support: node::validators (of any application) wired to each other by
// a deterministic host in one thread, with virtual time. It carries out every validator_output as
// the miner actor would (messages in order, timers on a virtual clock) and
// records the answers by ticket. Links can be cut to model a validator that
// is away.
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "voltaic/chain/energy/application.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/validator.hpp"

namespace voltaic::test {

// Validator `i` of a workload as an electricity-chain node: its store and
// sign guard under `root`.
struct energy_node_config {
  chain::node::validator_config node;
  chain::energy_config energy;
};

inline energy_node_config node_config(const chain::workload& wl, const std::filesystem::path& root, std::uint32_t i) {
  energy_node_config c;
  c.node.name = "v" + std::to_string(i);
  c.node.chain_id = wl.genesis().chain_id;
  c.node.validators = wl.genesis().validators;
  c.node.sign_guard_path = (root / (c.node.name + ".signed")).string();
  c.node.key = wl.validator_key(i);
  c.node.index = i;
  c.node.timing.timeout_propose_ms = 200;
  c.node.timing.gossip_ms = 100;
  c.energy.store_dir = (root / c.node.name).string();
  c.energy.genesis = wl.genesis();
  c.energy.key = wl.validator_key(i);
  return c;
}

class validator_net {
 public:
  using output = chain::node::validator_output;

  validator_net() = default;
  // Electricity-chain validators, one per config; all linked to each other.
  explicit validator_net(std::vector<energy_node_config> configs) {
    for (auto& c : configs) {
      auto app = chain::energy_application::open(std::move(c.energy));
      REQUIRE_MESSAGE(app.ok(), (app.ok() ? "" : app.err().message));
      add(std::move(c.node), std::move(app).value());
    }
  }

  // Adds a validator running `app`; every validator is linked to every other.
  void add(chain::node::validator_config cfg, std::unique_ptr<chain::node::application> app) {
    auto v = chain::node::validator::open(std::move(cfg), std::move(app), [this] { checked_ = true; });
    REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : v.err().message));
    nodes_.push_back(std::move(v).value());
    linked_.assign(nodes_.size(), std::vector<bool>(nodes_.size(), true));
    for (auto& n : nodes_) n->set_peers(std::vector<bool>(nodes_.size(), true));
  }

  chain::node::validator& node(std::size_t i) { return *nodes_[i]; }
  chain::energy_application& energy(std::size_t i) {
    auto* app = dynamic_cast<chain::energy_application*>(&nodes_[i]->app());
    REQUIRE(app);
    return *app;
  }
  std::size_t size() const { return nodes_.size(); }
  std::uint64_t now_ms() const { return now_; }

  // Whether messages between a and b arrive (both ways).
  void link(std::size_t a, std::size_t b, bool up) { linked_[a][b] = linked_[b][a] = up; }

  // Feeds an output of validator i (from an input the test made) to the host.
  void carry(std::size_t i, output out, std::size_t ahead = SIZE_MAX) {
    for (const auto& t : out.timeouts) at(t.delay_ms, [this, i, t] { carry(i, nodes_[i]->on_timeout(t)); });
    for (auto& [peer, raw] : out.pushes)
      deliver(i, peer, [this, peer = peer, raw = raw] { carry(peer, nodes_[peer]->on_certified_block(raw)); });
    for (const auto& m : out.broadcasts)
      for (std::size_t j = 0; j < nodes_.size(); ++j)
        if (j != i) deliver(i, j, [this, i, j, m] { carry(j, nodes_[j]->on_consensus(m), i); });
    gossip_sent += out.gossip_txs.size() + out.gossip_messages.size();
    using chain::node::lane;
    for (std::size_t j = 0; j < nodes_.size(); ++j) {
      if (j == i) continue;
      if (!out.gossip_txs.empty())
        deliver(i, j, [this, j, g = out.gossip_txs] { carry(j, nodes_[j]->gossip_in(lane::transactions, g)); });
      if (!out.gossip_messages.empty())
        deliver(i, j, [this, j, g = out.gossip_messages] { carry(j, nodes_[j]->gossip_in(lane::messages, g)); });
    }
    if (out.schedule_gossip_flush) at(output::gossip_delay_ms, [this, i] { carry(i, nodes_[i]->flush_gossip()); });
    if (out.schedule_admission) soon([this, i] { carry(i, nodes_[i]->admit_waiting()); });
    if (out.advance) at(out.advance->delay_ms, [this, i, h = out.advance->height] { carry(i, nodes_[i]->advance_from(h)); });
    if (out.fetch) {
      const std::uint64_t h = *out.fetch;
      soon([this, i, ahead, h] {
        std::optional<chain::bytes> raw;
        if (ahead < nodes_.size() && linked_[i][ahead]) raw = nodes_[ahead]->block_bytes(h).value_or(chain::bytes{});
        carry(i, nodes_[i]->on_fetched(raw), ahead);
      });
      ++fetches;
    }
    for (auto& [t, v] : out.verdicts) verdicts[t] = v;
    for (auto& [t, v] : out.batch_verdicts) batch_verdicts[t] = v;
    for (auto& [t, h] : out.reached) reached[t] = h;
    for (auto& [t, n] : out.counts) counts[t] = n;
    for (auto& line : out.log) log.push_back(nodes_[i]->config().name + ": " + line);
    for (auto& e : out.events) events[i].push_back(std::move(e));
  }

  // Runs messages and timers until `done` holds or `max_ms` of virtual time
  // pass. Checks done by a checker thread are taken whenever they are ready.
  bool run_until(const std::function<bool()>& done, std::uint64_t max_ms = 60'000) {
    const std::uint64_t until = now_ + max_ms;
    while (!done()) {
      take_checked();
      if (!inbox_.empty()) {
        auto f = std::move(inbox_.front());
        inbox_.pop_front();
        f();
        continue;
      }
      if (timers_.empty() || timers_.begin()->first > until) return done();
      auto it = timers_.begin();
      now_ = it->first;
      auto f = std::move(it->second);
      timers_.erase(it);
      f();
    }
    return true;
  }

  // Waits (in real time, bounded) for a checker thread and admits its batches.
  void take_checked() {
    if (!checked_.exchange(false)) return;
    for (std::size_t i = 0; i < nodes_.size(); ++i) carry(i, nodes_[i]->on_checked());
  }
  bool wait_checked(std::uint64_t max_wait_ms = 20'000) {
    for (std::uint64_t waited = 0; waited < max_wait_ms && !checked_; ++waited)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const bool was = checked_;
    take_checked();
    return was;
  }

  std::map<chain::node::ticket, std::string> verdicts;
  std::map<chain::node::ticket, std::vector<std::string>> batch_verdicts;
  std::map<chain::node::ticket, std::uint64_t> reached, counts;
  std::vector<std::string> log;
  std::map<std::size_t, std::vector<chain::node::event>> events;  // by validator
  std::size_t gossip_sent = 0, fetches = 0;  // envelopes in gossip batches; block requests

 private:
  void at(std::uint64_t delay_ms, std::function<void()> f) { timers_.emplace(now_ + delay_ms, std::move(f)); }
  void soon(std::function<void()> f) { inbox_.push_back(std::move(f)); }
  void deliver(std::size_t from, std::size_t to, std::function<void()> f) {
    if (linked_[from][to]) soon(std::move(f));
  }

  std::vector<std::unique_ptr<chain::node::validator>> nodes_;
  std::vector<std::vector<bool>> linked_;
  std::deque<std::function<void()>> inbox_;
  std::multimap<std::uint64_t, std::function<void()>> timers_;
  std::uint64_t now_ = 0;
  std::atomic<bool> checked_{false};
};

}  // namespace voltaic::test
