// The miner actor: a reactor over chain::node::validator. Each handler hands
// its message to the validator and carries out the output: sends, timers and
// the answers to whoever asked. Every decision is the validator's.
#include "voltaic/agents/miner.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "query_gate.hpp"

#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/energy/application.hpp"
#include "voltaic/chain/node/validator.hpp"

namespace voltaic::agents {

namespace {

using cblock_atom = caf::atom_constant<caf::atom("cblock")>;
using gflush_atom = caf::atom_constant<caf::atom("gflush")>;
using admit_atom = caf::atom_constant<caf::atom("admit")>;
using checked_atom = caf::atom_constant<caf::atom("checked")>;
using advance_atom = caf::atom_constant<caf::atom("advance")>;

using chain::node::ticket;
using chain::node::validator_output;

chain::bytes as_bytes(const std::string& s) { return chain::bytes(s.begin(), s.end()); }
std::string as_string(const chain::bytes& b) { return std::string(b.begin(), b.end()); }

std::vector<chain::bytes> as_batch(const std::vector<std::string>& envelopes) {
  std::vector<chain::bytes> out;
  out.reserve(envelopes.size());
  for (const auto& e : envelopes) out.push_back(as_bytes(e));
  return out;
}

std::vector<std::string> as_strings(const std::vector<chain::bytes>& envelopes) {
  std::vector<std::string> out;
  out.reserve(envelopes.size());
  for (const auto& e : envelopes) out.push_back(as_string(e));
  return out;
}

struct miner_state {
  std::unique_ptr<chain::node::validator> node;
  chain::energy_application* chain = nullptr;  // node's application
  std::vector<caf::actor> peers;  // by validator index; our own slot unused
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
  std::vector<caf::actor> gates;  // check signed questions (query_gate.hpp)
  std::size_t next_gate = 0;
  std::uint64_t gate_token = 0;
  std::uint64_t signed_questions = 0;  // handed to the gates so far
  static inline const char* name = "voltaic.miner";
};

using miner_actor = caf::stateful_actor<miner_state>;

// Consensus traffic jumps the queue of transactions waiting for admission
// (CAF serves urgent messages at twice the rate of normal ones): under load,
// a vote stuck behind batches of signatures to check would time rounds out.
constexpr auto urgent = caf::message_priority::high;

template <class Promise>
ticket hold(miner_actor* self, Promise& promise) {
  const ticket t = self->state.next_ticket++;
  self->state.waiting.emplace(t, static_cast<caf::response_promise&>(promise));
  return t;
}

template <class T>
void answer(miner_actor* self, ticket t, T&& value) {
  auto it = self->state.waiting.find(t);
  if (it == self->state.waiting.end()) return;
  it->second.deliver(std::forward<T>(value));
  self->state.waiting.erase(it);
}

void to_every_peer(miner_actor* self, const caf::message& m, bool is_urgent) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.peers.size(); ++i) {
    if (i == st.node->config().index || !st.peers[i]) continue;
    if (is_urgent) {
      self->send<urgent>(st.peers[i], m);
    } else {
      self->send(st.peers[i], m);
    }
  }
}

void fetch_from(miner_actor* self, const caf::actor& peer, std::uint64_t height);

// Carries out what the validator asked for.
void carry_out(miner_actor* self, validator_output out, const caf::actor& ahead_peer = {}) {
  auto& st = self->state;
  for (const auto& t : out.timeouts)
    self->delayed_send<urgent>(self, std::chrono::milliseconds(t.delay_ms), tick_atom::value,
                               static_cast<std::uint8_t>(t.kind), t.height, t.round);
  for (const auto& [peer, raw] : out.pushes)
    if (peer < st.peers.size() && st.peers[peer]) self->send<urgent>(st.peers[peer], cblock_atom::value, as_string(raw));
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
    for (const auto& s : st.subscribers) self->send(s, event_atom::value, e.height, e.kind, as_string(e.data));
  for (const auto& line : out.log) std::cerr << st.node->config().name << ": " << line << "\n";
  if (!out.fatal.empty()) {
    // Going on would hang (no block can be stored, no vote signed): stop, saying why.
    std::cerr << st.node->config().name << ": stopping: " << out.fatal << "\n";
    // Whoever waits on an answer (a height, a verdict) learns it now, not at its timeout.
    for (auto& [t, promise] : st.waiting) promise.deliver(caf::make_error(caf::sec::runtime_error, out.fatal));
    st.waiting.clear();
    self->quit(caf::make_error(caf::sec::runtime_error, out.fatal));
  }
}

// Asks a peer that is ahead for the block at `height`; the validator says
// whether to ask for the next one.
void fetch_from(miner_actor* self, const caf::actor& peer, std::uint64_t height) {
  if (!peer) {
    carry_out(self, self->state.node->on_fetched(std::nullopt));
    return;
  }
  self->request(peer, std::chrono::seconds(5), blockreq_atom::value, height)
      .then([self, peer](const std::string& raw) { carry_out(self, self->state.node->on_fetched(as_bytes(raw)), peer); },
            [self](caf::error&) { carry_out(self, self->state.node->on_fetched(std::nullopt)); });
}

// Tells consensus which peers went away (a restarted peer comes back under a
// new address and is not among them).
void tell_absent(miner_actor* self) {
  auto& st = self->state;
  st.absent.resize(std::max(st.absent.size(), st.peers.size()), false);
  for (std::size_t i = 0; i < st.peers.size(); ++i)
    if (st.peers[i]) st.absent[i] = st.gone_peers.count(st.peers[i].address()) > 0;
  carry_out(self, st.node->set_absent(st.absent));
}

caf::behavior miner(miner_actor* self, miner_config cfg) {
  auto& st = self->state;
  auto fail = [self](const std::string& why) {
    std::cerr << self->state.name << ": " << why << "\n";
    self->quit(caf::make_error(caf::sec::runtime_error, why));
    return caf::behavior{};
  };
  chain::energy_config ec;
  ec.store_dir = cfg.store_dir;
  ec.genesis = cfg.genesis;
  ec.key = cfg.key;
  ec.grid = cfg.grid;
  ec.rules = cfg.rules;
  ec.observers = cfg.observers;
  auto app = chain::energy_application::open(std::move(ec));
  if (!app) return fail(app.err().message);
  st.chain = app.value().get();
  chain::node::validator_config nc = cfg;
  nc.chain_id = cfg.genesis.chain_id;
  nc.validators = cfg.genesis.validators;
  // The checker tells this actor (if it is still there) that batches are done.
  auto opened = chain::node::validator::open(std::move(nc), std::move(app).value(), [me = self->address()] {
    if (auto miner = caf::actor_cast<caf::actor>(me)) caf::anon_send(miner, checked_atom::value);
  });
  if (!opened) return fail(opened.err().message);
  st.node = std::move(opened).value();
  carry_out(self, st.node->start());
  // On exit, drop every handle to other actors first: miners refer to each
  // other, and CAF 0.17 destroys a stateful actor only when no handle is left.
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (auto w = st.watched_peers.find(msg.source); w != st.watched_peers.end()) {
      st.gone_peers.insert(msg.source);
      st.absent.resize(std::max<std::size_t>(st.absent.size(), w->second + 1), false);
      st.absent[w->second] = true;
      tell_absent(self);
      return;
    }
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const caf::actor& a) { return a.address() == msg.source; }),
               subs.end());
  });
  // One gate per core; linked, they end with the miner.
  std::random_device entropy;
  st.gate_token = (std::uint64_t{entropy()} << 32) ^ entropy();
  for (unsigned i = 0; i < std::max(1u, std::thread::hardware_concurrency()); ++i)
    st.gates.push_back(self->spawn<caf::linked>(detail::query_gate, cfg.genesis.chain_id, self->address(), st.gate_token));
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.gates.clear();
    self->state.peers.clear();
    self->state.subscribers.clear();
    self->state.waiting.clear();
    self->quit(msg.reason);
  });
  auto node = [self]() -> chain::node::validator& { return *self->state.node; };
  auto energy = [self]() -> chain::energy_application& { return *self->state.chain; };

  return {
      [self, node](tx_atom, const std::string& envelope) {
        auto verdict = self->make_response_promise<std::string>();
        carry_out(self, node().submit_tx(hold(self, verdict), as_bytes(envelope)));
        return verdict;
      },
      [self, node](txs_atom, const std::vector<std::string>& envelopes) {
        auto verdicts = self->make_response_promise<std::vector<std::string>>();
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
        auto& s = self->state;
        s.peers = peers;
        // Never hold a strong reference to ourselves: the actor would never be destroyed.
        if (node().config().index < s.peers.size()) s.peers[node().config().index] = caf::actor{};
        std::vector<bool> connected;
        for (const auto& p : s.peers) connected.push_back(static_cast<bool>(p));
        node().set_peers(std::move(connected));
        // Peers of other processes are watched: consensus stops waiting on one that goes.
        for (std::uint32_t i = 0; i < s.peers.size(); ++i) {
          const auto& p = s.peers[i];
          if (p && p.node() != self->node() && s.watched_peers.emplace(p.address(), i).second) self->monitor(p);
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
        auto promise = self->make_response_promise<std::uint64_t>();
        carry_out(self, node().when_reached(hold(self, promise), height));
        return promise;
      },
      [self, node](pooled_atom, const std::vector<chain::hash256>& ids) {
        auto held = self->make_response_promise<std::uint64_t>();
        carry_out(self, node().count_pooled(hold(self, held), ids));
        return held;
      },
      [node](peercount_atom) -> std::uint64_t { return node().connected_peers(); },
      [self](questions_atom) -> std::uint64_t { return self->state.signed_questions; },
      [self, node](query_atom, const std::string& path, const std::string& request) -> caf::result<bool, std::string> {
        auto& s = self->state;
        if (chain::energy_application::is_signed_question(path) && !s.gates.empty()) {
          ++s.signed_questions;
          self->delegate(s.gates[s.next_gate++ % s.gates.size()], query_atom::value, path, request);
          return caf::delegated<bool, std::string>{};
        }
        auto answer = node().query(path, as_bytes(request));
        if (!answer) return {false, answer.err().message};
        return {true, as_string(answer.value())};
      },
      [self, energy](detail::checkedq_atom, std::uint64_t token, const std::string& path, const chain::public_key& asker,
                     const std::string& args) -> std::tuple<bool, std::string> {
        if (token != self->state.gate_token) return {false, "not-allowed: unchecked question"};
        auto answer = energy().answer_signed(path, asker, as_bytes(args));
        if (!answer) return {false, answer.err().message};
        return {true, as_string(answer.value())};
      },
      [self](subscribe_atom) {
        auto who = caf::actor_cast<caf::actor>(self->current_sender());
        if (!who) return;
        self->monitor(who);
        self->state.subscribers.push_back(std::move(who));
      },
      [energy](progress_atom, std::uint64_t market) -> std::uint64_t { return energy().progress(market); },
      [energy](openctps_atom) -> std::tuple<std::uint64_t, std::uint64_t> {
        const auto [open, last] = energy().open_ctp_summary();
        return {open, last};
      },
      [node](committed_atom, const std::vector<chain::hash256>& ids) -> std::vector<chain::hash256> {
        std::vector<chain::hash256> missing;
        for (const auto& id : ids)
          if (!node().locate(id)) missing.push_back(id);
        return missing;
      },
      [self, node, energy](ordcount_atom, std::uint64_t first, std::uint64_t end,
                           std::uint64_t cycle) -> caf::result<order_counts> {
        if (end < first || end - first > chain::energy_application::max_markets_per_query) return order_counts{};
        // Counted once the orders received before the question are admitted.
        auto counts = self->make_response_promise<order_counts>();
        carry_out(self, node().when_admitted([energy, counts, first, end, cycle]() mutable {
          order_counts held;
          for (std::uint64_t market = first; market < end; ++market)
            held.per_market.push_back(energy().open_orders({market, cycle}));
          counts.deliver(std::move(held));
        }));
        return counts;
      },
      [self, node](order_atom, const std::string& envelope) {
        auto verdict = self->make_response_promise<std::string>();
        carry_out(self, node().submit_message(hold(self, verdict), as_bytes(envelope)));
        return verdict;
      },
      [self, node](ordgossip_atom, const std::vector<std::string>& envelopes) {
        carry_out(self, node().gossip_in(chain::node::lane::messages, as_batch(envelopes)));
      },
      [self, node, energy](shareord_atom, std::uint64_t first, std::uint64_t end,
                           std::uint64_t cycle) -> caf::result<std::uint64_t> {
        // Once what arrived before is admitted, every open order of the
        // cycles goes to every peer, in batches as gossip goes.
        auto shared = self->make_response_promise<std::uint64_t>();
        carry_out(self, node().when_admitted([self, energy, shared, first, end, cycle]() mutable {
          const auto envelopes = energy().open_order_envelopes(first, end, cycle);
          constexpr std::size_t batch = 1'024;
          for (std::size_t b = 0; b < envelopes.size(); b += batch) {
            const auto e = std::min(envelopes.size(), b + batch);
            std::vector<chain::bytes> part(envelopes.begin() + b, envelopes.begin() + e);
            to_every_peer(self, caf::make_message(ordgossip_atom::value, as_strings(part)), false);
          }
          shared.deliver(static_cast<std::uint64_t>(envelopes.size()));
        }));
        return shared;
      },
      [self, node, energy](close_atom, std::uint64_t market, std::uint64_t cycle) {
        // Orders received before the close belong to the cycle.
        carry_out(self, node().when_admitted([energy, market, cycle] { energy().close({market, cycle}); }, true));
      },
      [energy](fixed_atom, std::uint64_t first, std::uint64_t end, std::uint64_t cycle) -> bool {
        return energy().all_fixed(first, end, cycle);
      },
      [node, energy](headnonce_atom, const chain::public_key& k) -> std::tuple<std::uint64_t, std::uint64_t> {
        return {node().height(), energy().account(k).nonce};
      },
      [node](txfind_atom, const chain::hash256& id) -> std::tuple<std::uint64_t, std::uint32_t> {
        auto loc = node().locate(id);
        if (!loc) return std::make_tuple(std::uint64_t{0}, std::uint32_t{0});
        return std::make_tuple(loc->height, loc->index);
      },
  };
}

}  // namespace

caf::actor spawn_miner(caf::actor_system& system, const miner_config& config) {
  return system.spawn<caf::detached>(miner, config);
}

}  // namespace voltaic::agents
