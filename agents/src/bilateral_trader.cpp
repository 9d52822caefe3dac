#include "voltaic/agents/bilateral_trader.hpp"

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "signed_ask.hpp"
#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/energy/answers.hpp"
#include "tx_signer.hpp"
#include "voltaic/agents/backbone_router.hpp"
#include "voltaic/agents/deal_message.hpp"
#include "voltaic/agents/routed_endpoint.hpp"

namespace voltaic::agents {

namespace {

using poll_atom = caf::atom_constant<caf::atom("tpoll")>;
using clock_type = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch()).count();
}

struct buyer_deal {
  market::negotiator neg{true, {}};
  std::uint32_t heard_round = 0;  // the producer's last round: a word again is dropped
  caf::response_promise promise;
  deal_report report;
  chain::hash256 escrow{};
  std::uint64_t expiry = 0;
  bool agreed = false, committed = false, delivered = false, closing = false;
};

struct producer_deal {
  market::negotiator neg{false, {}};
  std::uint32_t heard_round = 0;  // the buyer's last round
  chain::public_key buyer{};
  std::int64_t energy_mwh = 0;
  bool agreed = false;
};

struct trader_state {
  bilateral_trader_config cfg;
  detail::tx_signer signer;
  caf::actor endpoint;
  std::map<chain::hash256, buyer_deal> buying;
  std::map<chain::hash256, producer_deal> selling;
  std::set<std::uint64_t> ctps_taken;  // CTP ids its deals already claimed
  std::int64_t unsold_mwh = 0;
  std::uint64_t opened = 0;
  std::map<std::uint64_t, std::function<void()>> polls;
  std::uint64_t next_poll = 0;
  static inline const char* name = "voltaic.bilateral_trader";
};

using trader_actor = caf::stateful_actor<trader_state>;

void later(trader_actor* self, std::chrono::milliseconds after, std::function<void()> f) {
  const auto n = self->state.next_poll++;
  self->state.polls.emplace(n, std::move(f));
  self->delayed_send(self, after, poll_atom::value, n);
}

void refuse(trader_actor* self, const deal_message& m, const std::string& why) {
  std::cerr << (self->state.cfg.name + ": refused a '" + to_string(m.word) + "' word: " + why + "\n");
}

// Sends the sealed words to `to`, again (up to `tries` times, 100 ms apart)
// while the backbone cannot deliver them: a router that died leaves its
// participants a moment to re-associate with the standby. A word that
// arrives twice is dropped by its listener (rounds only rise).
void send_wire(trader_actor* self, const chain::public_key& to, std::string wire, int tries,
               std::function<void(std::string)> failed) {
  self->request(self->state.endpoint, std::chrono::seconds(30), send_atom::value, to, wire)
      .then(
          [=](const std::string& verdict) {
            if (verdict == "ok") return;
            if (tries > 1)
              return later(self, std::chrono::milliseconds(100), [=] { send_wire(self, to, wire, tries - 1, failed); });
            if (failed) failed(verdict);
          },
          [=](caf::error& e) {
            if (failed) failed("no answer from its endpoint: " + to_string(e));
          });
}

// Says `m` to `to` through the backbone; `failed` hears why it did not arrive.
void say(trader_actor* self, const chain::public_key& to, deal_message m, std::function<void(std::string)> failed) {
  auto& s = self->state;
  m.from = s.cfg.key.pub;
  m.to = to;
  const auto wire = encode_deal_message(m, s.cfg.chain_id, s.cfg.key);
  send_wire(self, to, std::string(wire.begin(), wire.end()), 30, std::move(failed));
}

// ---- buyer ----

void finish(trader_actor* self, const chain::hash256& id, const std::string& outcome) {
  auto it = self->state.buying.find(id);
  if (it == self->state.buying.end()) return;
  it->second.report.outcome = outcome;
  it->second.promise.deliver(it->second.report);
  self->state.buying.erase(it);
}

buyer_deal* deal_of(trader_actor* self, const chain::hash256& id) {
  auto it = self->state.buying.find(id);
  return it == self->state.buying.end() ? nullptr : &it->second;
}

// Calls `then` once the chain committed every one of `ids` (polling its
// validator), or finishes the deal when it does not within a few minutes.
void when_committed(trader_actor* self, const chain::hash256& id, std::vector<chain::hash256> ids,
                    std::function<void()> then,
                    clock_type::time_point deadline = clock_type::now() + std::chrono::minutes(3),
                    std::chrono::milliseconds pause = std::chrono::milliseconds(10)) {
  self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, committed_atom::value, ids)
      .then(
          [=](const std::vector<chain::hash256>& missing) {
            if (missing.empty()) return then();
            if (clock_type::now() > deadline) return finish(self, id, "its transactions were not committed in time");
            // Asked again sooner at first, then less often: thousands of
            // buyers waiting at once must not keep the validators busy answering.
            const auto next = std::min(pause * 2, std::chrono::milliseconds(250));
            later(self, pause, [=] { when_committed(self, id, ids, then, deadline, next); });
          },
          [=](caf::error& e) { finish(self, id, "its validator did not answer: " + to_string(e)); });
}

// Signs `bodies` in order at the chain's nonce and height, submits them, and
// calls `then` with their ids once all are committed.
void submit_and_commit(trader_actor* self, const chain::hash256& id, std::vector<chain::tx_body> bodies,
                       std::uint64_t expiry_from_height,
                       std::function<void(std::vector<chain::hash256>)> then) {
  auto& s = self->state;
  self->request(s.cfg.miner, s.cfg.miner_timeout, headnonce_atom::value, s.cfg.key.pub)
      .then(
          [=](std::uint64_t height, std::uint64_t nonce) {
            auto& st = self->state;
            std::vector<chain::signed_transaction> txs;
            for (auto& b : bodies) txs.push_back(st.signer.sign(b, nonce, height + expiry_from_height));
            const std::size_t wanted = txs.size();
            detail::submit_all(self, st.cfg.miner, std::move(txs), st.cfg.name,
                               [=](std::vector<chain::hash256> ids) {
                                 if (ids.size() < wanted) return finish(self, id, "its validator refused the deal's transaction");
                                 when_committed(self, id, ids, [then, ids] { then(ids); });
                               });
          },
          [=](caf::error& e) { finish(self, id, "its validator did not answer: " + to_string(e)); });
}

// What commits the buyer's payment: a CTP (SPB) or an escrow's deployment.
chain::tx_body hold_of(const bilateral_trader_config& c, const buyer_deal& d, std::uint64_t expiry) {
  const std::int64_t amount = market::money_for(d.report.price_ucpkwh, d.report.energy_mwh);
  if (c.settlement == settlement_mode::spb)
    return chain::ctp_commit_body{d.report.payee, amount, 0, d.report.energy_mwh, expiry, c.meter_key, 0, 0};
  return chain::escrow_deploy_body{d.report.payee, amount, d.report.energy_mwh, expiry};
}

void watch_expiry(trader_actor* self, const chain::hash256& id);

// Tells the producer the payment is committed (SPB: the CTP's id) and
// starts watching for the hold's expiry.
void tell_committed(trader_actor* self, const chain::hash256& id, std::uint64_t ctp_id) {
  auto* d = deal_of(self, id);
  if (!d) return;
  d->committed = true;
  d->report.ctp_id = ctp_id;
  deal_message m;
  m.deal = id;
  m.word = deal_word::committed;
  m.price_ucpkwh = d->report.price_ucpkwh;
  m.energy_mwh = d->report.energy_mwh;
  m.ctp_id = ctp_id;
  m.escrow = d->escrow;
  ++d->report.words;
  say(self, d->report.producer, m, {});
  watch_expiry(self, id);
}

// The CTP's id as the chain numbered it, from the buyer's own question.
void learn_ctp_id(trader_actor* self, const chain::hash256& id) {
  auto& c = self->state.cfg;
  detail::ask_signed<chain::answer_list<chain::ctp_row>>(
      self, c.miner, c.miner_timeout, "my_ctps", detail::number_args({}), c.key, c.chain_id,
      [=](chain::answer_list<chain::ctp_row> rows) {
        auto* d = deal_of(self, id);
        if (!d) return;
        for (const auto& r : rows.items)
          if (r.producer == d->report.payee && r.energy_mwh == d->report.energy_mwh && r.expiry_height == d->expiry &&
              !self->state.ctps_taken.count(r.id)) {
            self->state.ctps_taken.insert(r.id);
            return tell_committed(self, id, r.id);
          }
        finish(self, id, "its CTP is not among its holds");
      },
      [=](const std::string& why) { finish(self, id, "its holds: " + why); });
}

// The deal is agreed: commit the payment on chain, then tell the producer.
// SPB: one CTP into the CTP database. Escrow: the escrow is deployed, and
// paid into once its deployment is on chain (as a contract must exist
// before it can be funded).
void commit_payment(trader_actor* self, const chain::hash256& id) {
  auto& s = self->state;
  const std::uint64_t life = s.cfg.lifetime_blocks;
  self->request(s.cfg.miner, s.cfg.miner_timeout, headnonce_atom::value, s.cfg.key.pub)
      .then(
          [=](std::uint64_t height, std::uint64_t nonce) {
            auto& st = self->state;
            auto* deal = deal_of(self, id);
            if (!deal) return;
            deal->expiry = height + life;
            auto hold = st.signer.sign(hold_of(st.cfg, *deal, deal->expiry), nonce, deal->expiry);
            const bool escrow = st.cfg.settlement == settlement_mode::escrow;
            if (escrow) deal->escrow = chain::escrow_id_of(hold.tx);
            detail::submit_all(self, st.cfg.miner, {hold}, st.cfg.name, [=](std::vector<chain::hash256> ids) {
              if (ids.empty()) return finish(self, id, "its validator refused the payment commitment");
              when_committed(self, id, ids, [=] {
                auto* d = deal_of(self, id);
                if (!d) return;
                if (!escrow) return learn_ctp_id(self, id);
                submit_and_commit(self, id, {chain::escrow_pay_body{{d->escrow}}}, life,
                                  [=](std::vector<chain::hash256>) { tell_committed(self, id, 0); });
              });
            });
          },
          [=](caf::error& e) { finish(self, id, "its validator did not answer: " + to_string(e)); });
}

// No delivery by the hold's expiry: take the money back.
void watch_expiry(trader_actor* self, const chain::hash256& id) {
  auto& s = self->state;
  self->request(s.cfg.miner, s.cfg.miner_timeout, headnonce_atom::value, s.cfg.key.pub)
      .then(
          [=](std::uint64_t height, std::uint64_t) {
            auto* d = deal_of(self, id);
            if (!d || d->closing) return;
            // Delivered but not paid by the hold's expiry: its ERC (or payout)
            // came too late and never will pay. A few blocks' grace lets one
            // included at the expiry be seen committed first.
            const std::uint64_t grace = d->delivered ? 5 : 0;
            if (height <= d->expiry + grace)
              return later(self, std::chrono::milliseconds(250), [=] { watch_expiry(self, id); });
            d->closing = true;
            chain::tx_body back = self->state.cfg.settlement == settlement_mode::spb
                                      ? chain::tx_body{chain::ctp_timeout_body{d->report.ctp_id}}
                                      : chain::tx_body{chain::escrow_refund_body{{d->escrow}}};
            submit_and_commit(self, id, {back}, 100, [=](std::vector<chain::hash256>) { finish(self, id, "refunded"); });
          },
          [=](caf::error&) { later(self, std::chrono::milliseconds(200), [=] { watch_expiry(self, id); }); });
}

// The producer says it delivered: the buyer's meter confirms what it
// received (SPB: an ERC that pays), or the buyer pays its escrow out.
void settle_delivery(trader_actor* self, const chain::hash256& id, std::int64_t delivered_mwh) {
  auto* d = deal_of(self, id);
  if (!d) return;
  d->delivered = true;
  const auto paid = [=](std::vector<chain::hash256>) {
    auto* now = deal_of(self, id);
    if (!now) return;
    now->report.paid_ms = now_ms();
    finish(self, id, "paid");
  };
  if (self->state.cfg.settlement == settlement_mode::escrow) {
    d->report.delivered_mwh = std::min(delivered_mwh, d->report.energy_mwh);
    return submit_and_commit(self, id, {chain::escrow_payout_body{d->escrow, d->report.delivered_mwh}}, 100, paid);
  }
  auto& s = self->state;
  self->request(s.cfg.miner, s.cfg.miner_timeout, headnonce_atom::value, s.cfg.key.pub)
      .then(
          [=](std::uint64_t height, std::uint64_t) {
            auto* now = deal_of(self, id);
            if (!now) return;
            meter_read r;
            r.role = static_cast<std::uint8_t>(chain::party_role::buyer);
            r.agreed_mwh = now->report.energy_mwh;
            r.key_index = self->state.cfg.meter_key_index;
            r.ctp_ids = {now->report.ctp_id};
            r.ctp_energy_mwh = {now->report.energy_mwh};
            r.height = height;
            self->request(self->state.cfg.meter, std::chrono::seconds(30), read_atom::value, r)
                .then(
                    [=](const std::vector<chain::hash256>& ids) {
                      auto* again = deal_of(self, id);
                      if (!again) return;
                      if (ids.empty()) {
                        again->delivered = false;  // nothing confirmed: the hold runs out
                        return;
                      }
                      again->report.delivered_mwh = again->report.energy_mwh;
                      when_committed(self, id, ids, [=] { paid(ids); });
                    },
                    [=](caf::error& e) { finish(self, id, "its meter did not answer: " + to_string(e)); });
          },
          [=](caf::error& e) { finish(self, id, "its validator did not answer: " + to_string(e)); });
}

void agree(trader_actor* self, const chain::hash256& id, std::int64_t price) {
  auto* d = deal_of(self, id);
  d->agreed = true;
  d->report.price_ucpkwh = price;
  d->report.accepted_ms = now_ms();
  commit_payment(self, id);
}

void buyer_hears(trader_actor* self, const deal_message& m) {
  auto* d = deal_of(self, m.deal);
  if (!d) return refuse(self, m, "no deal of this buyer has that id");
  if (m.from != d->report.producer) return refuse(self, m, "not from the deal's producer");
  // The producer's payee: its own key unless it names another; once agreed it stays.
  if (!d->agreed && (m.word == deal_word::counter || m.word == deal_word::accept))
    d->report.payee = m.payee == chain::public_key{} ? m.from : m.payee;
  if (m.word == deal_word::counter) {
    if (m.round <= d->heard_round) return;  // sent again after a router failed: heard already
    d->heard_round = m.round;
  }
  ++d->report.words;
  if (m.word <= deal_word::reject)
    d->report.steps.push_back({now_ms(), static_cast<std::uint8_t>(m.word), m.price_ucpkwh, false});
  const chain::hash256 id = m.deal;
  auto lost = [self, id](std::string why) { finish(self, id, why); };
  switch (m.word) {
    case deal_word::counter: {
      if (d->agreed) return refuse(self, m, "the deal is agreed already");
      const auto r = d->neg.answer(m.price_ucpkwh);
      deal_message out;
      out.deal = id;
      out.round = d->neg.round();
      out.energy_mwh = d->report.energy_mwh;
      out.price_ucpkwh = r.price;
      out.word = static_cast<deal_word>(r.step);
      ++d->report.words;
      d->report.steps.push_back({now_ms(), static_cast<std::uint8_t>(out.word), out.price_ucpkwh, true});
      say(self, d->report.producer, out, lost);
      if (r.step == market::negotiation_step::accept) return agree(self, id, m.price_ucpkwh);
      if (r.step == market::negotiation_step::reject) return finish(self, id, "rejected");
      return;
    }
    case deal_word::accept:
      // Only the price it last offered can be accepted.
      if (d->agreed || m.price_ucpkwh != d->neg.current() || m.energy_mwh != d->report.energy_mwh)
        return refuse(self, m, "an accept of an offer it never made");
      return agree(self, id, m.price_ucpkwh);
    case deal_word::reject:
      if (d->agreed) return refuse(self, m, "the deal is agreed already");
      return finish(self, id, "rejected");
    case deal_word::delivered:
      if (!d->committed || d->delivered || d->closing) return refuse(self, m, "nothing is committed to pay for it");
      return settle_delivery(self, id, m.energy_mwh);
    default:
      return refuse(self, m, "a buyer does not take this word");
  }
}

// ---- producer ----

// Where a producer is paid for deal `id`: its own key, or a fresh one.
chain::public_key payee_for(const bilateral_trader_config& c, const chain::hash256& id) {
  if (!c.fresh_keys) return c.key.pub;
  chain::encoder e;
  e.array(2).bin(c.key.secret).bin(id);
  chain::bytes seed_bytes = e.take();
  const auto seed = chain::blake2b_256(seed_bytes);
  std::fill(seed_bytes.begin(), seed_bytes.end(), 0);  // it held the secret
  return chain::key_pair_from_seed(seed).pub;
}

void producer_hears(trader_actor* self, const deal_message& m) {
  auto& s = self->state;
  const chain::hash256 id = m.deal;
  auto it = s.selling.find(id);
  auto reply = [self, &m](deal_word w, std::int64_t price, std::uint32_t round) {
    deal_message out;
    out.deal = m.deal;
    out.payee = payee_for(self->state.cfg, m.deal);
    out.word = w;
    out.price_ucpkwh = price;
    out.energy_mwh = m.energy_mwh;
    out.round = round;
    say(self, m.from, out, [self, w](std::string why) {
      std::cerr << (self->state.cfg.name + ": its " + to_string(w) + " did not arrive: " + why + "\n");
    });
  };
  auto answer = [&](producer_deal& d) {
    const auto r = d.neg.answer(m.price_ucpkwh);
    if (r.step == market::negotiation_step::accept) {
      if (d.energy_mwh > s.unsold_mwh) {
        reply(deal_word::reject, m.price_ucpkwh, d.neg.round());
        s.selling.erase(id);
        return;
      }
      s.unsold_mwh -= d.energy_mwh;
      d.agreed = true;
    }
    reply(static_cast<deal_word>(r.step), r.price, d.neg.round());
    if (r.step == market::negotiation_step::reject) s.selling.erase(id);
  };
  switch (m.word) {
    case deal_word::offer: {
      if (it != s.selling.end() && it->second.buyer == m.from && m.round <= it->second.heard_round) return;  // again
      if (it != s.selling.end()) return refuse(self, m, "a deal with that id is under way");
      if (m.energy_mwh <= 0 || m.energy_mwh > s.unsold_mwh) {
        reply(deal_word::reject, m.price_ucpkwh, 1);
        return;
      }
      producer_deal d{market::negotiator(false, s.cfg.strategy), m.round, m.from, m.energy_mwh, false};
      auto& placed = s.selling.emplace(id, std::move(d)).first->second;
      return answer(placed);
    }
    case deal_word::counter:
      if (it != s.selling.end() && it->second.buyer == m.from && m.round <= it->second.heard_round) return;  // again
      if (it == s.selling.end() || it->second.buyer != m.from || it->second.agreed)
        return refuse(self, m, "no open negotiation with that buyer");
      it->second.heard_round = m.round;
      return answer(it->second);
    case deal_word::accept:
      if (it == s.selling.end() || it->second.buyer != m.from || it->second.agreed ||
          m.price_ucpkwh != it->second.neg.current())
        return refuse(self, m, "an accept of an offer it never made");
      if (it->second.energy_mwh > s.unsold_mwh) {
        reply(deal_word::reject, m.price_ucpkwh, it->second.neg.round());
        s.selling.erase(it);
        return;
      }
      s.unsold_mwh -= it->second.energy_mwh;
      it->second.agreed = true;
      return;
    case deal_word::reject:
      if (it != s.selling.end() && it->second.buyer == m.from && !it->second.agreed) s.selling.erase(it);
      return;
    case deal_word::committed: {
      if (it == s.selling.end() || it->second.buyer != m.from || !it->second.agreed)
        return refuse(self, m, "no agreed deal with that buyer");
      s.selling.erase(it);
      if (!s.cfg.delivers) return;  // an unreliable producer: the buyer's hold runs out
      reply(deal_word::delivered, m.price_ucpkwh, 0);  // its energy: what the buyer committed to pay for
      return;
    }
    default:
      return refuse(self, m, "a producer does not take this word");
  }
}

// Opens a deal with `producer`: the buyer's first offer.
void open_deal(trader_actor* self, const chain::public_key& producer, caf::response_promise promise) {
  auto& st = self->state;
  chain::encoder e;
  e.array(3).bin(st.cfg.key.pub).bin(producer).uint(++st.opened);
  const chain::hash256 id = chain::blake2b_256(e.take());
  buyer_deal d;
  d.neg = market::negotiator(true, st.cfg.strategy);
  d.promise = promise;
  d.report.buyer = st.cfg.name;
  d.report.producer = producer;
  d.report.payee = producer;
  d.report.energy_mwh = st.cfg.energy_mwh;
  auto& placed = st.buying.emplace(id, std::move(d)).first->second;
  deal_message m;
  m.deal = id;
  m.word = deal_word::offer;
  m.round = 1;
  m.price_ucpkwh = placed.neg.open();
  m.energy_mwh = st.cfg.energy_mwh;
  ++placed.report.words;
  placed.report.steps.push_back({now_ms(), static_cast<std::uint8_t>(m.word), m.price_ucpkwh, true});
  say(self, producer, m, [self, id](std::string why) { finish(self, id, why); });
}

caf::behavior bilateral_trader(trader_actor* self, bilateral_trader_config cfg) {
  detail::start_agent(self, std::move(cfg));
  auto& s = self->state;
  s.unsold_mwh = s.cfg.producer ? s.cfg.energy_mwh : 0;
  routed_endpoint_config ec;
  ec.name = s.cfg.name;
  ec.key = s.cfg.key;
  ec.chain_id = s.cfg.chain_id;
  ec.table = s.cfg.table;
  ec.routers = s.cfg.routers;
  ec.owner = caf::actor_cast<caf::actor>(self);
  s.endpoint = spawn_routed_endpoint(self->home_system(), ec);
  self->link_to(s.endpoint);
  self->set_exit_handler([self](caf::exit_msg& m) {
    auto& st = self->state;
    st.cfg.miner = caf::actor{};
    st.cfg.fallback_miners.clear();
    st.cfg.meter = caf::actor{};
    st.cfg.routers.clear();
    st.polls.clear();
    if (st.endpoint) self->send_exit(st.endpoint, m.reason);
    st.endpoint = caf::actor{};
    self->quit(m.reason);
  });
  return {
      [self](poll_atom, std::uint64_t n) {
        auto it = self->state.polls.find(n);
        if (it == self->state.polls.end()) return;
        auto f = std::move(it->second);
        self->state.polls.erase(it);
        f();
      },
      [self](advertise_atom) {
        auto promise = self->make_response_promise();
        auto& st = self->state;
        if (!st.cfg.producer) {
          promise.deliver(std::string("only a producer advertises"));
          return promise;
        }
        self->request(st.cfg.miner, st.cfg.miner_timeout, headnonce_atom::value, st.cfg.key.pub)
            .then(
                [self, promise](std::uint64_t height, std::uint64_t nonce) mutable {
                  auto& s2 = self->state;
                  auto t = s2.signer.sign(chain::energy_account_body{s2.cfg.energy_mwh, s2.cfg.strategy.opening}, nonce,
                                          height + 100);
                  detail::submit_all(self, s2.cfg.miner, {t}, s2.cfg.name, [promise](std::vector<chain::hash256> ids) mutable {
                    promise.deliver(ids.empty() ? std::string("its energy account was refused") : std::string("ok"));
                  });
                },
                [promise](caf::error& e) mutable { promise.deliver("its validator did not answer: " + to_string(e)); });
        return promise;
      },
      [self](trade_atom, const chain::public_key& producer) {
        auto& st = self->state;
        auto promise = self->make_response_promise();
        deal_report r;
        r.buyer = st.cfg.name;
        r.producer = producer;
        if (st.cfg.producer) {
          r.outcome = "a producer does not buy";
          promise.deliver(r);
          return promise;
        }
        // The buyer's search: the producer's energy account on chain must
        // hold what it wants to buy.
        chain::key_list ask{{producer}};
        const auto request = chain::encode_fields(ask);
        self->request(st.cfg.miner, st.cfg.miner_timeout, query_atom::value, std::string("energy_account"),
                      std::string(request.begin(), request.end()))
            .then(
                [self, promise, producer, r](bool ok, const std::string& answer) mutable {
                  auto rows = chain::decode_fields<chain::answer_list<chain::energy_offer_row>>(
                      reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size());
                  if (!ok || !rows || rows.value().items.empty() || rows.value().items.front().producer != producer ||
                      rows.value().items.front().energy_mwh < self->state.cfg.energy_mwh) {
                    r.outcome = "the producer advertises no such energy";
                    return promise.deliver(r);
                  }
                  open_deal(self, producer, promise);
                },
                [promise, r](caf::error& e) mutable {
                  r.outcome = "its validator did not answer: " + to_string(e);
                  promise.deliver(r);
                });
        return promise;
      },
      [self](routed_atom, const std::string& plaintext) {
        auto m = decode_deal_message(chain::bytes(plaintext.begin(), plaintext.end()), self->state.cfg.chain_id);
        if (!m) {
          std::cerr << (self->state.cfg.name + ": refused a deal message: " + m.err().message + "\n");
          return;
        }
        if (m.value().to != self->state.cfg.key.pub) return refuse(self, m.value(), "addressed to another key");
        if (self->state.cfg.producer) producer_hears(self, m.value());
        else buyer_hears(self, m.value());
      },
  };
}

}  // namespace

caf::actor spawn_bilateral_trader(caf::actor_system& system, const bilateral_trader_config& config) {
  return system.spawn(bilateral_trader, config);
}

}  // namespace voltaic::agents
