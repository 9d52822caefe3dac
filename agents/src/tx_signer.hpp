#pragma once
// Signs an agent's transactions with strictly increasing nonces and submits
// them to its miner (private to agents/).

#include <caf/all.hpp>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::agents::detail {

struct tx_signer {
  chain::key_pair key;
  std::string chain_id;
  std::uint64_t last_nonce = 0;
  // Once the chain's nonce is known, ours stays at or above it: only this
  // agent signs with its key, and nonces need only rise. A restarted agent
  // (or a refusal for its nonce) asks again.
  bool synced = false;
  // Its validator went away with no other left to turn to: the next one to
  // answer again is taken whoever's it is (take_validator_back).
  bool stranded = false;

  // `chain_nonce` is what the chain last saw; both it and our own count are passed.
  chain::signed_transaction sign(chain::tx_body body, std::uint64_t chain_nonce, std::uint64_t expiry_height) {
    last_nonce = std::max(last_nonce, chain_nonce) + 1;
    chain::transaction t;
    t.signer = key.pub;
    t.nonce = last_nonce;
    t.expiry_height = expiry_height;
    t.body = std::move(body);
    return chain::sign_transaction(t, chain_id, key);
  }
};

inline std::string as_string(const chain::bytes& b) { return std::string(b.begin(), b.end()); }

// What every signing agent does first: keep its configuration, set up its
// signer, and on exit drop its miner handle before quitting (CAF 0.17
// destroys an actor only when no handle to it is left).
//
// The agent watches its validator: when it goes away (its process died, its
// connection broke), the agent turns to the next of its fallbacks. Requests
// that were under way fail; the next ones go to the new validator.
template <class Self, class Config>
void start_agent(Self* self, Config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.signer = {self->state.cfg.key, self->state.cfg.chain_id, 0};
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.cfg.miner = caf::actor{};
    self->state.cfg.fallback_miners.clear();
    self->quit(m.reason);
  });
  if (self->state.cfg.fallback_miners.empty()) return;
  self->monitor(self->state.cfg.miner);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& c = self->state.cfg;
    if (!c.miner || m.source != c.miner.address()) return;
    auto& next = c.fallback_miners;
    next.erase(std::remove_if(next.begin(), next.end(), [&m](const caf::actor& a) { return !a || a.address() == m.source; }),
               next.end());
    if (next.empty()) {
      std::cerr << (c.name + ": its validator went away and no other is left; it waits for one to answer again\n");
      self->state.signer.stranded = true;
      return;
    }
    std::cerr << (c.name + ": its validator went away; it turns to another\n");
    c.miner = next.front();
    std::rotate(next.begin(), next.begin() + 1, next.end());
    self->state.signer.synced = false;  // the new validator may not have seen every transaction yet
    self->monitor(c.miner);
  });
}

// A validator that had gone away answers again, under a new handle (the
// runtime dialled it: runtime/src/trading/validator_watch.hpp). Its own
// agents, and any agent left without a validator, turn to it; the others
// keep it as a fallback. Answers the (valback, validator, home) message.
template <class Self>
void take_validator_back(Self* self, caf::actor validator, bool home) {
  auto& c = self->state.cfg;
  if (!validator) return;
  auto& signer = self->state.signer;
  if (home || signer.stranded) {
    if (c.miner && c.miner != validator && !signer.stranded) c.fallback_miners.insert(c.fallback_miners.begin(), c.miner);
    c.miner = validator;
    signer.stranded = false;
    signer.synced = false;  // it may not have seen what the other validator took meanwhile
    // One write per line: agents of one process share stderr.
    std::cerr << (c.name + (home ? ": its validator is back; it turns to it again\n"
                                 : ": a validator answers again; it turns to it\n"));
  } else {
    c.fallback_miners.push_back(validator);
  }
  self->monitor(validator);
}

// Asks the agent's miner, in one round trip, for its height and the agent's
// last nonce, then calls f(height, nonce); an error goes to `promise`.
template <class Self, class Promise, class F>
void with_height_and_nonce(Self* self, Promise promise, F f) {
  self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, headnonce_atom::value, self->state.cfg.key.pub)
      .then([f](std::uint64_t height, std::uint64_t nonce) mutable { f(height, nonce); },
            [promise](caf::error& e) mutable { promise.deliver(e); });
}

// Calls f(nonce) with the agent's last nonce: its own count once synced,
// else (in one round trip) what its miner's chain holds.
template <class Self, class Promise, class F>
void with_nonce(Self* self, Promise promise, F f) {
  if (self->state.signer.synced) {
    f(self->state.signer.last_nonce);
    return;
  }
  self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, headnonce_atom::value, self->state.cfg.key.pub)
      .then(
          [self, f](std::uint64_t, std::uint64_t nonce) mutable {
            self->state.signer.synced = true;
            f(nonce);
          },
          [promise](caf::error& e) mutable { promise.deliver(e); });
}

// Submits every transaction to `miner` and calls `done` with the ids of those
// it accepted, in order; refusals are reported on stderr with `who`.
template <class Self>
void submit_all(Self* self, const caf::actor& miner, std::vector<chain::signed_transaction> txs,
                const std::string& who, std::function<void(std::vector<chain::hash256>)> done) {
  struct progress {
    std::size_t waiting = 0;
    std::vector<bool> ok;
    std::vector<chain::hash256> ids;
  };
  if (txs.empty()) {
    done({});
    return;
  }
  auto p = std::make_shared<progress>();
  p->waiting = txs.size();
  p->ok.assign(txs.size(), false);
  for (const auto& t : txs) p->ids.push_back(t.id);
  auto finish = [p, done] {
    if (--p->waiting > 0) return;
    std::vector<chain::hash256> out;
    for (std::size_t i = 0; i < p->ids.size(); ++i)
      if (p->ok[i]) out.push_back(p->ids[i]);
    done(std::move(out));
  };
  for (std::size_t i = 0; i < txs.size(); ++i)
    self->request(miner, self->state.cfg.miner_timeout, tx_atom::value, as_string(txs[i].envelope))
        .then(
            [self, p, i, who, finish](const std::string& verdict) {
              p->ok[i] = verdict == "ok";
              if (!p->ok[i]) std::cerr << who << ": transaction refused: " << verdict << "\n";
              if (verdict.rfind("nonce", 0) == 0) self->state.signer.synced = false;
              finish();
            },
            [who, finish](caf::error&) {
              std::cerr << who << ": miner did not answer\n";
              finish();
            });
}

}  // namespace voltaic::agents::detail
