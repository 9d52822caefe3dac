#pragma once
// The part of a validator actor that any chain shares (private to agents/):
// a reactor over chain::node::validator. Handlers hand their message to the
// validator and carry out its output — sends, timers, the answers to whoever
// asked — and every decision stays the validator's. The electricity miner
// (miner.cpp) and the carbon validator (carbon_validator.cpp) add their
// application's own messages. An actor's state holds a reactor_state named
// `reactor`.
// Thread-safety: runs inside one actor.

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/node/validator.hpp"

namespace voltaic::agents::detail {

using cblock_atom = caf::atom_constant<caf::atom("cblock")>;
using gflush_atom = caf::atom_constant<caf::atom("gflush")>;
using admit_atom = caf::atom_constant<caf::atom("admit")>;
using checked_atom = caf::atom_constant<caf::atom("checked")>;
using advance_atom = caf::atom_constant<caf::atom("advance")>;

using chain::node::ticket;
using chain::node::validator_output;

inline chain::bytes as_bytes(const std::string& s) { return chain::bytes(s.begin(), s.end()); }
inline std::string as_string(const chain::bytes& b) { return std::string(b.begin(), b.end()); }

inline std::vector<chain::bytes> as_batch(const std::vector<std::string>& envelopes) {
  std::vector<chain::bytes> out;
  out.reserve(envelopes.size());
  for (const auto& e : envelopes) out.push_back(as_bytes(e));
  return out;
}

inline std::vector<std::string> as_strings(const std::vector<chain::bytes>& envelopes) {
  std::vector<std::string> out;
  out.reserve(envelopes.size());
  for (const auto& e : envelopes) out.push_back(as_string(e));
  return out;
}

struct reactor_state {
  std::unique_ptr<chain::node::validator> node;
  std::vector<caf::actor> peers;        // by validator index; our own slot unused
  std::vector<caf::actor> subscribers;  // get every event
  // Peers of other processes, watched, with their validator index; those
  // that went away; and, by index, whether consensus counts a peer as gone
  // (a slot emptied after its peer went stays so until a new peer fills it).
  std::map<caf::actor_addr, std::uint32_t> watched_peers;
  std::set<caf::actor_addr> gone_peers;
  std::vector<bool> absent;
  // Who waits for an answer the validator will give, by ticket.
  std::unordered_map<ticket, caf::response_promise> waiting;
  ticket next_ticket = 1;

  // Drops every handle to other actors: validators refer to each other, and
  // CAF 0.17 destroys a stateful actor only when no handle is left.
  void release() {
    peers.clear();
    subscribers.clear();
    waiting.clear();
  }
};

// Consensus traffic jumps the queue of transactions waiting for admission
// (CAF serves urgent messages at twice the rate of normal ones): under load,
// a vote stuck behind batches of signatures to check would time rounds out.
constexpr auto urgent = caf::message_priority::high;

template <class Actor, class Promise>
ticket hold(Actor* self, Promise& promise) {
  auto& r = self->state.reactor;
  const ticket t = r.next_ticket++;
  r.waiting.emplace(t, static_cast<caf::response_promise&>(promise));
  return t;
}

template <class Actor, class T>
void answer(Actor* self, ticket t, T&& value) {
  auto& waiting = self->state.reactor.waiting;
  auto it = waiting.find(t);
  if (it == waiting.end()) return;
  it->second.deliver(std::forward<T>(value));
  waiting.erase(it);
}

template <class Actor>
void to_every_peer(Actor* self, const caf::message& m, bool is_urgent) {
  auto& r = self->state.reactor;
  for (std::size_t i = 0; i < r.peers.size(); ++i) {
    if (i == r.node->config().index || !r.peers[i]) continue;
    if (is_urgent) {
      self->template send<urgent>(r.peers[i], m);
    } else {
      self->send(r.peers[i], m);
    }
  }
}

template <class Actor>
void fetch_from(Actor* self, const caf::actor& peer, std::uint64_t height);

// Carries out what the validator asked for.
template <class Actor>
void carry_out(Actor* self, validator_output out, const caf::actor& ahead_peer = {}) {
  auto& r = self->state.reactor;
  for (const auto& t : out.timeouts)
    self->template delayed_send<urgent>(self, std::chrono::milliseconds(t.delay_ms), tick_atom::value,
                                        static_cast<std::uint8_t>(t.kind), t.height, t.round);
  for (const auto& [peer, raw] : out.pushes)
    if (peer < r.peers.size() && r.peers[peer])
      self->template send<urgent>(r.peers[peer], cblock_atom::value, as_string(raw));
  for (const auto& m : out.broadcasts) to_every_peer(self, caf::make_message(cons_atom::value, as_string(m)), true);
  if (!out.gossip_txs.empty())
    to_every_peer(self, caf::make_message(txgossip_atom::value, as_strings(out.gossip_txs)), false);
  if (!out.gossip_messages.empty())
    to_every_peer(self, caf::make_message(ordgossip_atom::value, as_strings(out.gossip_messages)), false);
  if (out.schedule_gossip_flush)
    self->delayed_send(self, std::chrono::milliseconds(validator_output::gossip_delay_ms), gflush_atom::value);
  if (out.schedule_admission) self->send(self, admit_atom::value);  // after what is in the mailbox now
  if (out.advance) {
    if (out.advance->delay_ms == 0) {
      self->send(self, advance_atom::value, out.advance->height);
    } else {
      self->delayed_send(self, std::chrono::milliseconds(out.advance->delay_ms), advance_atom::value,
                         out.advance->height);
    }
  }
  if (out.fetch) fetch_from(self, ahead_peer, *out.fetch);
  for (auto& [t, verdict] : out.verdicts) answer(self, t, std::move(verdict));
  for (auto& [t, verdicts] : out.batch_verdicts) answer(self, t, std::move(verdicts));
  for (const auto& [t, height] : out.reached) answer(self, t, height);
  for (const auto& [t, n] : out.counts) answer(self, t, n);
  for (const auto& e : out.events)
    for (const auto& s : r.subscribers) self->send(s, event_atom::value, e.height, e.kind, as_string(e.data));
  for (const auto& line : out.log) std::cerr << r.node->config().name << ": " << line << "\n";
  if (!out.fatal.empty()) {
    // Going on would hang (no block can be stored, no vote signed): stop, saying why.
    std::cerr << r.node->config().name << ": stopping: " << out.fatal << "\n";
    // Whoever waits on an answer (a height, a verdict) learns it now, not at its timeout.
    for (auto& [t, promise] : r.waiting) promise.deliver(caf::make_error(caf::sec::runtime_error, out.fatal));
    r.waiting.clear();
    self->quit(caf::make_error(caf::sec::runtime_error, out.fatal));
  }
}

// Asks a peer that is ahead for the block at `height`; the validator says
// whether to ask for the next one.
template <class Actor>
void fetch_from(Actor* self, const caf::actor& peer, std::uint64_t height) {
  if (!peer) {
    carry_out(self, self->state.reactor.node->on_fetched(std::nullopt));
    return;
  }
  self->request(peer, std::chrono::seconds(5), blockreq_atom::value, height)
      .then(
          [self, peer](const std::string& raw) {
            carry_out(self, self->state.reactor.node->on_fetched(as_bytes(raw)), peer);
          },
          [self](caf::error&) { carry_out(self, self->state.reactor.node->on_fetched(std::nullopt)); });
}

// Tells consensus which peers went away (a restarted peer comes back under a
// new address and is not among them).
template <class Actor>
void tell_absent(Actor* self) {
  auto& r = self->state.reactor;
  r.absent.resize(std::max(r.absent.size(), r.peers.size()), false);
  for (std::size_t i = 0; i < r.peers.size(); ++i)
    if (r.peers[i]) r.absent[i] = r.gone_peers.count(r.peers[i].address()) > 0;
  carry_out(self, r.node->set_absent(r.absent));
}

// A watched peer or a subscriber went away.
template <class Actor>
void on_reactor_down(Actor* self, const caf::down_msg& msg) {
  auto& r = self->state.reactor;
  if (auto w = r.watched_peers.find(msg.source); w != r.watched_peers.end()) {
    r.gone_peers.insert(msg.source);
    r.absent.resize(std::max<std::size_t>(r.absent.size(), w->second + 1), false);
    r.absent[w->second] = true;
    tell_absent(self);
    return;
  }
  auto& subs = r.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const caf::actor& a) { return a.address() == msg.source; }),
             subs.end());
}

// Opens the validator over `app`; the checker tells this actor (if it is
// still there) that batches are done.
template <class Actor>
market::status open_reactor(Actor* self, chain::node::validator_config config,
                            std::unique_ptr<chain::node::application> app) {
  auto opened = chain::node::validator::open(std::move(config), std::move(app), [me = self->address()] {
    if (auto actor = caf::actor_cast<caf::actor>(me)) caf::anon_send(actor, checked_atom::value);
  });
  if (!opened) return opened.err();
  self->state.reactor.node = std::move(opened).value();
  self->set_down_handler([self](caf::down_msg& msg) { on_reactor_down(self, msg); });
  carry_out(self, self->state.reactor.node->start());
  return {};
}

// The messages every validator actor answers the same way, whatever its chain.
template <class Actor>
caf::message_handler reactor_behavior(Actor* self) {
  auto node = [self]() -> chain::node::validator& { return *self->state.reactor.node; };
  return {
      [self, node](tx_atom, const std::string& envelope) {
        auto verdict = self->template make_response_promise<std::string>();
        carry_out(self, node().submit_tx(hold(self, verdict), as_bytes(envelope)));
        return verdict;
      },
      [self, node](txs_atom, const std::vector<std::string>& envelopes) {
        auto verdicts = self->template make_response_promise<std::vector<std::string>>();
        carry_out(self, node().submit_tx_batch(hold(self, verdicts), as_batch(envelopes)));
        return verdicts;
      },
      [self, node](admit_atom) { carry_out(self, node().admit_waiting()); },
      [self, node](checked_atom) { carry_out(self, node().on_checked()); },
      [self, node](advance_atom, std::uint64_t decided) { carry_out(self, node().advance_from(decided)); },
      [self, node](txgossip_atom, const std::vector<std::string>& envelopes) {
        carry_out(self, node().gossip_in(chain::node::lane::transactions, as_batch(envelopes)));
      },
      [self, node](gflush_atom) { carry_out(self, node().flush_gossip()); },
      [self, node](peers_atom, const std::vector<caf::actor>& peers) {
        auto& r = self->state.reactor;
        r.peers = peers;
        // Never hold a strong reference to ourselves: the actor would never be destroyed.
        if (node().config().index < r.peers.size()) r.peers[node().config().index] = caf::actor{};
        std::vector<bool> connected;
        for (const auto& p : r.peers) connected.push_back(static_cast<bool>(p));
        node().set_peers(std::move(connected));
        // Peers of other processes are watched: consensus stops waiting on one that goes.
        for (std::uint32_t i = 0; i < r.peers.size(); ++i) {
          const auto& p = r.peers[i];
          if (p && p.node() != self->node() && r.watched_peers.emplace(p.address(), i).second) self->monitor(p);
        }
        tell_absent(self);
      },
      [self, node](cons_atom, const std::string& raw) {
        carry_out(self, node().on_consensus(as_bytes(raw)), caf::actor_cast<caf::actor>(self->current_sender()));
      },
      [self, node](tick_atom, std::uint8_t kind, std::uint64_t height, std::uint32_t round) {
        chain::timeout_request t;
        t.kind = static_cast<chain::timer>(kind);
        t.height = height;
        t.round = round;
        carry_out(self, node().on_timeout(t));
      },
      [self, node](cblock_atom, const std::string& raw) { carry_out(self, node().on_certified_block(as_bytes(raw))); },
      [node](blockreq_atom, std::uint64_t height) -> std::string {
        auto raw = node().block_bytes(height);
        return raw ? as_string(*raw) : std::string{};
      },
      [node](head_atom) -> std::tuple<std::uint64_t, std::string> {
        return std::make_tuple(node().height(), chain::to_hex(node().head_hash()));
      },
      [self, node](step_atom, std::uint64_t target, std::uint64_t time_ms) {
        carry_out(self, node().step(target, time_ms));
      },
      [self, node](step_atom, std::uint64_t target, std::uint64_t time_ms, const std::vector<chain::hash256>& only) {
        carry_out(self, node().step(target, time_ms, only));
      },
      [self, node](reached_atom, std::uint64_t height) {
        auto promise = self->template make_response_promise<std::uint64_t>();
        carry_out(self, node().when_reached(hold(self, promise), height));
        return promise;
      },
      [self, node](pooled_atom, const std::vector<chain::hash256>& ids) {
        auto held = self->template make_response_promise<std::uint64_t>();
        carry_out(self, node().count_pooled(hold(self, held), ids));
        return held;
      },
      [node](peercount_atom) -> std::uint64_t { return node().connected_peers(); },
      [self](subscribe_atom) {
        auto who = caf::actor_cast<caf::actor>(self->current_sender());
        if (!who) return;
        self->monitor(who);
        self->state.reactor.subscribers.push_back(std::move(who));
      },
      [node](committed_atom, const std::vector<chain::hash256>& ids) -> std::vector<chain::hash256> {
        std::vector<chain::hash256> missing;
        for (const auto& id : ids)
          if (!node().locate(id)) missing.push_back(id);
        return missing;
      },
      [node](txfind_atom, const chain::hash256& id) -> std::tuple<std::uint64_t, std::uint32_t> {
        auto loc = node().locate(id);
        if (!loc) return std::make_tuple(std::uint64_t{0}, std::uint32_t{0});
        return std::make_tuple(loc->height, loc->index);
      },
  };
}

}  // namespace voltaic::agents::detail
