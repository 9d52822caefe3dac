// The client of `voltaic load --config FILE --rate N --duration S`. 256
// senders (keys derived from --seed) sign energy-account offers, sent
// round-robin to the validators at N per second; any not committed within a
// few seconds is resubmitted to the next validator (its nonce makes it commit
// at most once). It watches the chain for them and reports the committed rate
// and the commit latency.
//
// The client is one event-based actor with many requests in flight: a
// client that waited for each reply would measure its own round trips, not
// the validators. A validator that goes away (its connection breaks, or a
// request to it fails) is connected again with backoff, 100 ms doubling to
// 2 s, while its transactions go to the others (hostile test F13).
#include "load_client.hpp"

#include <caf/io/all.hpp>

#include <algorithm>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/block.hpp"

namespace voltaic::runtime {

namespace {

using steady = std::chrono::steady_clock;
using loadtick_atom = caf::atom_constant<caf::atom("loadtick")>;
using loadlive_atom = caf::atom_constant<caf::atom("loadlive")>;
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;

constexpr std::size_t senders = 256;
constexpr std::uint64_t load_sender_role = 0x10;  // apart from the workload's roles
constexpr auto reply_timeout = std::chrono::seconds(2);
constexpr auto resubmit_after = std::chrono::seconds(3);
constexpr auto poll_every = std::chrono::milliseconds(10);  // the commit is seen at most this late
// What is due leaves in one batch per validator this often: a message per
// transaction cost the client and the validators more than checking it.
constexpr auto send_every = std::chrono::milliseconds(5);
// How often the pending transactions are scanned for resubmission.
constexpr auto scan_every = std::chrono::milliseconds(250);
constexpr auto settle_for = std::chrono::seconds(15);       // after sending ends

double ms_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct pending_tx {
  std::string envelope;
  steady::time_point first_sent, last_sent;
  std::uint64_t index = 0;  // order of sending: a sender's nonces increase with it
  std::size_t sent_to = 0;
  bool in_flight = false;  // a submission awaits its replies
  bool stale_seen = false;  // a validator said "nonce-stale" once: committed, or overtaken
};

struct load_state {
  std::string chain_id;
  std::vector<caf::actor> validators;  // by config index; empty while away
  std::vector<endpoint> endpoints;
  std::vector<chain::key_pair> keys;
  std::vector<std::uint64_t> last_nonce;  // by sender
  double interval_ms = 1;
  steady::time_point start, end_sending, give_up, next_poll, next_scan, last_commit;
  std::unordered_map<chain::hash256, pending_tx, chain::hash256_hasher> pending;
  bool polling = false;
  std::size_t probe = 0;                   // validator asked whether the chain is live
  std::optional<std::uint64_t> probe_head;  // its head when first asked
  steady::time_point wait_live_until;
  load_report report;
  std::promise<load_report> done;
  static inline const char* name = "voltaic.load";
};

using load_actor = caf::stateful_actor<load_state>;

constexpr auto max_backoff = std::chrono::milliseconds(2'000);

// Validator `v` went away: forget its handle and connect again after the backoff.
void lost(load_actor* self, std::size_t v) {
  auto& st = self->state;
  if (v >= st.validators.size() || !st.validators[v]) return;
  st.validators[v] = caf::actor{};
  dial_later<reconnect_atom>(self, st.endpoints[v], v);
}

void reconnect(load_actor* self, std::size_t v) {
  dial<reconnect_atom>(
      self, [self](std::uint64_t slot) -> endpoint& { return self->state.endpoints[slot]; }, v, max_backoff,
      [self, v](caf::actor found) {
        self->state.validators[v] = std::move(found);
        self->monitor(self->state.validators[v]);
      });
}

// The validator of slot `i` or the next one connected; none: the size.
std::size_t live_from(const load_state& st, std::size_t i) {
  const std::size_t n = st.validators.size();
  for (std::size_t k = 0; k < n; ++k)
    if (st.validators[(i + k) % n]) return (i + k) % n;
  return n;
}

// A reply that takes the transaction, or (on resubmission) one saying that a
// pool holds it or it just committed.
bool taken(const std::string& reply, bool again) {
  return reply == "ok" || (again && (reply.rfind("duplicate", 0) == 0 || reply.rfind("nonce-stale", 0) == 0));
}

// Verdicts that concern the validator, not the transaction: another may take it.
bool try_another(const std::string& reply) {
  return reply.rfind("unreachable", 0) == 0 || reply.rfind("pool-full", 0) == 0 ||
         reply.rfind("sender-over-quota", 0) == 0;
}

// The n-th offer: sender n mod 256, with that sender's next nonce.
chain::signed_transaction offer(load_state& st, std::uint64_t n) {
  const std::size_t k = n % senders;
  const auto& key = st.keys[k];
  chain::transaction t;
  t.signer = key.pub;
  t.nonce = ++st.last_nonce[k];
  t.expiry_height = UINT64_MAX / 2;
  t.body = chain::energy_account_body{1'000'000, 150'000};  // 1 kWh at 0.15
  return chain::sign_transaction(t, st.chain_id, key);
}

// Pending offers signed again with fresh nonces (same offer, same first
// sending time, a new transaction id); returns the new ids.
std::vector<chain::hash256> sign_again(load_actor* self, const std::vector<chain::hash256>& ids) {
  auto& st = self->state;
  std::vector<chain::hash256> fresh;
  for (const auto& id : ids) {
    auto it = st.pending.find(id);
    if (it == st.pending.end()) continue;
    pending_tx p = std::move(it->second);
    st.pending.erase(it);
    const auto stx = offer(st, p.index);
    p.envelope.assign(stx.envelope.begin(), stx.envelope.end());
    p.in_flight = false;
    p.stale_seen = false;
    p.last_sent = steady::now();
    st.pending.emplace(stx.id, std::move(p));
    fresh.push_back(stx.id);
    ++st.report.resigned;
  }
  return fresh;
}

void submit(load_actor* self, const std::vector<chain::hash256>& ids, bool again, std::size_t attempt = 0);

// Offers transactions to their validators, one batch per validator. One
// refused for a reason that concerns the validator goes to the next one, so
// a sender's next nonce never overtakes one that no validator holds.
void submit(load_actor* self, const std::vector<chain::hash256>& ids, bool again, std::size_t attempt) {
  auto& st = self->state;
  const std::size_t n = st.validators.size();
  std::vector<std::vector<chain::hash256>> by_target(n);
  for (const auto& id : ids) {
    auto it = st.pending.find(id);
    if (it == st.pending.end()) continue;  // committed meanwhile
    const std::size_t target = live_from(st, it->second.sent_to % n);
    if (target == n) {  // none connected: the scan offers it again later
      it->second.in_flight = false;
      it->second.last_sent = steady::now();
      continue;
    }
    it->second.sent_to = target;
    it->second.in_flight = true;
    by_target[target].push_back(id);
  }
  for (std::size_t v = 0; v < by_target.size(); ++v) {
    if (by_target[v].empty()) continue;
    std::vector<std::string> envelopes;
    envelopes.reserve(by_target[v].size());
    for (const auto& id : by_target[v]) envelopes.push_back(st.pending[id].envelope);
    // Verdicts in order; one missing (or the whole reply) reads as `missing`.
    auto settle = [self, batch = by_target[v], again, attempt](const std::vector<std::string>& replies,
                                                                 const std::string& missing) {
      auto& s = self->state;
      std::vector<chain::hash256> retry, retry_signed;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        auto found = s.pending.find(batch[i]);
        if (found == s.pending.end()) continue;
        auto& tx = found->second;
        const std::string& reply = i < replies.size() ? replies[i] : missing;
        // After a validator that timed out, another may already hold it by gossip.
        // A nonce a validator calls stale was committed, or overtaken by a
        // later one of the sender's (its first holder died with it): told
        // so twice, or on a first offer, the offer is signed again with a
        // fresh nonce so that it still commits.
        if (reply.rfind("nonce-stale", 0) == 0) {
          if (tx.stale_seen || !(again || attempt > 0)) {
            retry_signed.push_back(batch[i]);
            continue;
          }
          tx.stale_seen = true;
        }
        const bool ours = taken(reply, again || attempt > 0);
        if (!ours && try_another(reply) && attempt + 1 < s.validators.size()) {
          ++tx.sent_to;
          retry.push_back(batch[i]);
          continue;
        }
        if (!ours) {
          ++s.report.refused;
          ++s.report.refusals[reply.substr(0, reply.find(':'))];
        }
        tx.in_flight = false;
        tx.last_sent = steady::now();
      }
      if (!retry.empty()) submit(self, retry, again, attempt + 1);
      if (!retry_signed.empty()) submit(self, sign_again(self, retry_signed), false);
    };
    self->request(st.validators[v], reply_timeout, agents::txs_atom::value, std::move(envelopes))
        .then([settle](const std::vector<std::string>& replies) { settle(replies, "no verdict in the reply"); },
              [self, settle, v](caf::error& e) {
                if (e != caf::sec::request_timeout) lost(self, v);
                settle({}, "unreachable: " + self->system().render(e));
              });
  }
}

// Transactions not committed a while after their last submission: each
// validator that took some is asked whether it still holds them. One that
// does is only busy (resubmitting would add to its load); one that does not,
// or does not answer, may have died: they go to the next validator, in the
// order first sent (a validator that received a sender's later nonce first
// could commit it and so void the earlier one).
void recheck(load_actor* self, const std::vector<chain::hash256>& late) {
  auto& st = self->state;
  std::vector<std::vector<chain::hash256>> by_holder(st.validators.size());
  for (const auto& id : late) {
    auto& p = st.pending[id];
    p.in_flight = true;
    by_holder[p.sent_to % st.validators.size()].push_back(id);
  }
  // A holder that went away holds nothing: its transactions go on at once.
  for (std::size_t v = 0; v < by_holder.size(); ++v) {
    if (by_holder[v].empty()) continue;
    auto settle = [self, ids = by_holder[v]](bool all_held) {
      auto& s = self->state;
      std::vector<chain::hash256> again;
      for (const auto& id : ids) {
        auto it = s.pending.find(id);
        if (it == s.pending.end()) continue;  // committed meanwhile
        it->second.in_flight = false;
        if (all_held) {
          it->second.last_sent = steady::now();
          continue;
        }
        ++it->second.sent_to;
        ++s.report.resubmitted;
        again.push_back(id);
      }
      submit(self, again, true);
    };
    if (!st.validators[v]) {
      settle(false);
      continue;
    }
    self->request(st.validators[v], reply_timeout, agents::pooled_atom::value, by_holder[v])
        .then([settle, n = by_holder[v].size()](std::uint64_t held) { settle(held >= n); },
              [self, settle, v](caf::error& e) {
                if (e != caf::sec::request_timeout) lost(self, v);
                settle(false);
              });
  }
}

void send_due(load_actor* self, steady::time_point now) {
  auto& st = self->state;
  if (now >= st.end_sending) return;
  const auto due = static_cast<std::uint64_t>(ms_between(st.start, now) / st.interval_ms) + 1;
  std::vector<chain::hash256> fresh;
  while (st.report.sent < due) {
    const std::uint64_t n = st.report.sent++;
    const auto stx = offer(st, n);
    pending_tx p{std::string(stx.envelope.begin(), stx.envelope.end()), now, now, n, n, false};
    st.pending.emplace(stx.id, std::move(p));
    fresh.push_back(stx.id);
  }
  submit(self, fresh, false);
}

// Reads the blocks above the last one seen from one validator, up to
// max_fetch at once, all requests in flight together (one after the other,
// the round trips made the client see commits late when blocks are small
// and many), and marks the transactions they commit.
constexpr std::uint64_t max_fetch = 64;

void fetch_blocks(load_actor* self, std::size_t v, std::uint64_t head) {
  auto& st = self->state;
  const std::uint64_t first = st.report.seen_height + 1;
  const std::uint64_t last = std::min(head, first + max_fetch - 1);
  if (first > last) {
    st.polling = false;
    return;
  }
  struct progress {
    std::uint64_t left = 0;
    bool failed = false;
  };
  auto fetch = std::make_shared<progress>();
  fetch->left = last - first + 1;
  auto one_done = [self, fetch, last] {
    if (--fetch->left > 0) return;
    auto& s = self->state;
    if (!fetch->failed) s.report.seen_height = last;  // else read them again: marking twice is harmless
    s.polling = false;
  };
  for (std::uint64_t height = first; height <= last; ++height) {
    self->request(st.validators[v], reply_timeout, agents::blockreq_atom::value, height)
        .then(
            [self, fetch, one_done](const std::string& raw) {
              auto& s = self->state;
              auto b = chain::decode_block(chain::bytes(raw.begin(), raw.end()));
              if (!b) {
                fetch->failed = true;
              } else {
                const auto now = steady::now();
                for (const auto& e : b.value().entries) {
                  auto it = s.pending.find(chain::entry_id(e));
                  if (it == s.pending.end()) continue;
                  s.report.latencies.push_back(ms_between(it->second.first_sent, now));
                  s.last_commit = now;
                  s.pending.erase(it);
                }
              }
              one_done();
            },
            [fetch, one_done](caf::error&) {
              fetch->failed = true;
              one_done();
            });
  }
}

void poll(load_actor* self, std::size_t v = 0) {
  auto& st = self->state;
  if (v >= st.validators.size()) {
    st.polling = false;
    return;
  }
  if (!st.validators[v]) return poll(self, v + 1);
  st.polling = true;
  self->request(st.validators[v], reply_timeout, agents::head_atom::value)
      .then([self, v](std::uint64_t head, const std::string&) { fetch_blocks(self, v, head); },
            [self, v](caf::error& e) {
              if (e != caf::sec::request_timeout) lost(self, v);
              poll(self, v + 1);
            });
}

void finish(load_actor* self) {
  auto& st = self->state;
  st.report.not_committed = st.pending.size();
  st.report.span_s = std::max(1e-3, ms_between(st.start, st.last_commit) / 1000.0);
  st.done.set_value(std::move(st.report));
  self->quit();
}

caf::behavior load_client(load_actor* self, const load_options& o, std::string chain_id,
                          std::vector<caf::actor> validators, std::vector<endpoint> endpoints,
                          std::promise<load_report>* done) {
  auto& st = self->state;
  st.chain_id = std::move(chain_id);
  st.validators = std::move(validators);
  st.endpoints = std::move(endpoints);
  for (std::size_t i = 0; i < senders; ++i) st.keys.push_back(chain::derived_key(o.seed, load_sender_role, i));
  st.interval_ms = 1000.0 / std::max(1.0, o.rate);
  // Nonces only need to increase: start from the clock so runs never collide.
  const auto first_nonce = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  st.last_nonce.assign(senders, first_nonce);
  const auto sending = std::chrono::milliseconds(static_cast<std::int64_t>(o.duration_s * 1000));
  auto begin = [self, sending] {
    auto& s = self->state;
    s.start = s.next_poll = s.next_scan = s.last_commit = steady::now();
    s.end_sending = s.start + sending;
    s.give_up = s.end_sending + settle_for;
    self->send(self, loadtick_atom::value);
  };
  st.done = std::move(*done);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& s = self->state;
    for (std::size_t v = 0; v < s.validators.size(); ++v)
      if (s.validators[v] && s.validators[v].address() == m.source) lost(self, v);
  });
  for (std::size_t v = 0; v < st.validators.size(); ++v) {
    if (st.validators[v]) {
      self->monitor(st.validators[v]);
    } else {
      st.endpoints[v].connecting = true;  // not reached at start: keep trying
      self->send(self, reconnect_atom::value, static_cast<std::uint64_t>(v));
    }
  }
  st.wait_live_until = steady::now() + std::chrono::seconds(30);
  self->send(self, loadlive_atom::value);
  return {
      // Sending starts once the chain is live (a block committed since we
      // first asked): before the validators have connected to each other, a
      // transaction could reach one while its sender's next reached another.
      // Blocks up to then hold none of ours: the watch starts there.
      [self, begin](loadlive_atom) {
        auto& s = self->state;
        if (steady::now() > s.wait_live_until) {
          begin();
          return;
        }
        const std::size_t v = live_from(s, s.probe % s.validators.size());
        if (v == s.validators.size()) {
          self->delayed_send(self, std::chrono::milliseconds(100), loadlive_atom::value);
          return;
        }
        self->request(s.validators[v], std::chrono::milliseconds(500), agents::head_atom::value)
            .then(
                [self, begin](std::uint64_t head, const std::string&) {
                  auto& s2 = self->state;
                  if (s2.probe_head && head > *s2.probe_head) {
                    s2.report.seen_height = head;
                    begin();
                    return;
                  }
                  if (!s2.probe_head) s2.probe_head = head;
                  self->delayed_send(self, std::chrono::milliseconds(20), loadlive_atom::value);
                },
                [self](caf::error&) {
                  auto& s2 = self->state;
                  ++s2.probe;  // ask another validator, from a fresh start
                  s2.probe_head.reset();
                  self->send(self, loadlive_atom::value);
                });
      },
      [self](reconnect_atom, std::uint64_t v) { reconnect(self, static_cast<std::size_t>(v)); },
      [self](loadtick_atom) {
        auto& s = self->state;
        const auto now = steady::now();
        if (now >= s.give_up || (now >= s.end_sending && s.pending.empty())) {
          finish(self);
          return;
        }
        send_due(self, now);
        if (now >= s.next_poll && !s.polling) {
          poll(self);
          s.next_poll = now + poll_every;
        }
        if (now >= s.next_scan) {
          s.next_scan = now + scan_every;
          std::vector<std::pair<std::uint64_t, chain::hash256>> late;
          for (auto& [id, p] : s.pending)
            if (!p.in_flight && now - p.last_sent > resubmit_after) late.emplace_back(p.index, id);
          std::sort(late.begin(), late.end());
          std::vector<chain::hash256> ids;
          for (const auto& [index, id] : late) ids.push_back(id);
          recheck(self, ids);
        }
        self->delayed_send(self, send_every, loadtick_atom::value);
      },
  };
}

}  // namespace

load_report run_load_client(caf::actor_system& system, const load_options& o, const std::string& chain_id,
                            std::vector<caf::actor> validators, std::vector<endpoint> endpoints) {
  std::promise<load_report> done;
  auto result = done.get_future();
  system.spawn(load_client, o, chain_id, std::move(validators), std::move(endpoints), &done);
  return result.get();
}

}  // namespace voltaic::runtime
