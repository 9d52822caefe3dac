// The carbon validator actor: carbon queries and auctions over the shared
// validator reactor (node_reactor.hpp).
#include "voltaic/agents/carbon_validator.hpp"

#include <algorithm>
#include <iostream>

#include "node_reactor.hpp"
#include "voltaic/chain/carbon/carbon_application.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

namespace voltaic::agents {

namespace {

using detail::as_bytes;
using detail::as_string;
using detail::carry_out;
using detail::hold;

struct carbon_validator_state {
  detail::reactor_state reactor;
  chain::carbon::carbon_application* app = nullptr;  // the node's application
  chain::key_pair key;
  std::string chain_id;
  std::uint64_t nonce = 0;  // of its last auction record
  static inline const char* name = "voltaic.carbon_validator";
};

using carbon_validator_actor = caf::stateful_actor<carbon_validator_state>;

caf::behavior carbon_validator(carbon_validator_actor* self, carbon_validator_config cfg) {
  auto& st = self->state;
  auto fail = [self](const std::string& why) {
    std::cerr << self->state.name << ": " << why << "\n";
    self->quit(caf::make_error(caf::sec::runtime_error, why));
    return caf::behavior{};
  };
  std::vector<chain::validator> set;
  for (const auto& k : cfg.genesis.validators) set.push_back({k, 1});
  std::unique_ptr<chain::chain_store> store = chain::make_memory_store();
  if (!cfg.store_dir.empty()) {
    auto opened = chain::open_lmdb_store(cfg.store_dir);
    if (!opened) return fail(cfg.store_dir + ": " + opened.err().message);
    store = std::move(opened).value();
  }
  auto app = chain::carbon::carbon_application::open(cfg.genesis, set, cfg.key.pub, std::move(store));
  if (!app) return fail(app.err().message);
  st.app = app.value().get();
  st.key = cfg.key;
  st.chain_id = cfg.genesis.chain_id;
  chain::node::validator_config nc = cfg;
  nc.chain_id = cfg.genesis.chain_id;
  nc.validators = set;
  if (auto opened = detail::open_reactor(self, std::move(nc), std::move(app).value()); !opened)
    return fail(opened.err().message);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.reactor.release();
    self->quit(msg.reason);
  });
  auto node = [self]() -> chain::node::validator& { return *self->state.reactor.node; };
  caf::message_handler carbon_behavior{
      [node](query_atom, const std::string& path, const std::string& request) -> std::tuple<bool, std::string> {
        auto answer = node().query(path, as_bytes(request));
        if (!answer) return {false, answer.err().message};
        return {true, as_string(answer.value())};
      },
      [self](auction_atom, std::uint64_t period) {
        auto& s = self->state;
        // Past whatever it signed before (a restart) and whatever still waits.
        s.nonce = std::max(s.nonce, s.app->ledger().nonce_of(s.key.pub)) + 1;
        chain::carbon::carbon_transaction tx{s.key.pub, s.nonce, s.app->height() + 1'000,
                                             s.app->ledger().run_auction(period)};
        const auto stx = chain::carbon::sign_carbon_transaction(tx, s.chain_id, s.key);
        // The verdict, then the id (to wait for its commit): two answers in one.
        auto reply = self->make_response_promise();
        const chain::hash256 id = stx.id;
        self->request(caf::actor_cast<caf::actor>(self), caf::infinite, tx_atom::value,
                      std::string(stx.envelope.begin(), stx.envelope.end()))
            .then([reply, id](const std::string& v) mutable { reply.deliver(v, id); });
        return reply;
      },
  };
  return carbon_behavior.or_else(detail::reactor_behavior(self));
}

}  // namespace

caf::actor spawn_carbon_validator(caf::actor_system& system, const carbon_validator_config& config) {
  return system.spawn<caf::detached>(carbon_validator, config);
}

}  // namespace voltaic::agents
