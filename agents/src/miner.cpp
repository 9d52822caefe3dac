// The miner actor: the electricity chain's messages (orders, cycles,
// signed questions) over the reactor every validator actor shares
// (node_reactor.hpp). Every decision is the validator's or its application's.
#include "voltaic/agents/miner.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "node_reactor.hpp"
#include "query_gate.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/energy/application.hpp"

namespace voltaic::agents {

namespace {

using detail::as_batch;
using detail::as_bytes;
using detail::as_string;
using detail::as_strings;
using detail::carry_out;
using detail::hold;

struct miner_state {
  detail::reactor_state reactor;
  chain::energy_application* chain = nullptr;  // the node's application
  std::vector<caf::actor> gates;  // check signed questions (query_gate.hpp)
  std::size_t next_gate = 0;
  std::uint64_t gate_token = 0;
  std::uint64_t signed_questions = 0;  // handed to the gates so far
  static inline const char* name = "voltaic.miner";
};

using miner_actor = caf::stateful_actor<miner_state>;

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
  if (auto opened = detail::open_reactor(self, std::move(nc), std::move(app).value()); !opened)
    return fail(opened.err().message);
  // One gate per core; linked, they end with the miner.
  std::random_device entropy;
  st.gate_token = (std::uint64_t{entropy()} << 32) ^ entropy();
  for (unsigned i = 0; i < std::max(1u, std::thread::hardware_concurrency()); ++i)
    st.gates.push_back(self->spawn<caf::linked>(detail::query_gate, cfg.genesis.chain_id, self->address(), st.gate_token));
  // On exit, drop every handle to other actors first (reactor_state::release).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.gates.clear();
    self->state.reactor.release();
    self->quit(msg.reason);
  });
  auto node = [self]() -> chain::node::validator& { return *self->state.reactor.node; };
  auto energy = [self]() -> chain::energy_application& { return *self->state.chain; };

  caf::message_handler energy_behavior{
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
      [energy](progress_atom, std::uint64_t market) -> std::uint64_t { return energy().progress(market); },
      [energy](openctps_atom) -> std::tuple<std::uint64_t, std::uint64_t> {
        const auto [open, last] = energy().open_ctp_summary();
        return {open, last};
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
            detail::to_every_peer(self, caf::make_message(ordgossip_atom::value, as_strings(part)), false);
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
  };
  return energy_behavior.or_else(detail::reactor_behavior(self));
}

}  // namespace

caf::actor spawn_miner(caf::actor_system& system, const miner_config& config) {
  return system.spawn<caf::detached>(miner, config);
}

}  // namespace voltaic::agents
