#pragma once
// What validators answer to the electricity chain's questions
// (energy_application::query), as field lists (core/fields.hpp) shared by
// the validator that writes them and the agents that read them.
//
// Anyone may ask: "open_ctps", "progress", "open_orders", "energy_accounts"
// and "energy_account" (what producers advertise, all or one producer's:
// SPB publishes it on chain).
// Who may ask what (the question signed, core/signed_query.hpp):
//   the key itself   its account, its holds, its outcome in a cycle
//   the DSO          the cycle's per-bus channel (no order, no reserve price)
//   an observer      whole cycles: orders, outcomes, trades, settlements,
//                    balances, the orders that came late (the lab's
//                    recorder; a regulator's auditor)
// Thread-safety: plain values.

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

struct account_answer {
  std::int64_t balance_uc = 0;
  std::int64_t held_uc = 0;
  std::uint64_t nonce = 0;
};
template <class Io>
void fields(Io& io, account_answer& x) {
  io.array(3);
  io(x.balance_uc);
  io(x.held_uc);
  io(x.nonce);
}

struct ctp_row {
  std::uint64_t id = 0;
  public_key producer{};
  std::uint64_t expiry_height = 0;
  std::int64_t amount_uc = 0;  // held: energy and grid charge
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  std::int64_t energy_mwh = 0;
  public_key meter_key{};  // the CoE key whose ERC releases it
};
template <class Io>
void fields(Io& io, ctp_row& x) {
  io.array(8);
  io(x.id);
  io(x.producer);
  io(x.expiry_height);
  io(x.amount_uc);
  io(x.market);
  io(x.cycle);
  io(x.energy_mwh);
  io(x.meter_key);
}

// One side of a trade as its party sees it: with whom, how much energy, and
// what the buyer owes for it (energy at p0 plus its half of the grid charge).
struct trade_leg {
  public_key counterparty{};
  std::int64_t energy_mwh = 0;
  std::int64_t amount_uc = 0;  // p0 * energy, to the seller
  std::int64_t charge_uc = 0;  // the buyer's half of the trade's grid charge, to the DSO
};
template <class Io>
void fields(Io& io, trade_leg& x) {
  io.array(4);
  io(x.counterparty);
  io(x.energy_mwh);
  io(x.amount_uc);
  io(x.charge_uc);
}

// A party's outcome in one market and cycle.
enum class outcome_state : std::uint8_t {
  pending = 0,  // the order set is not fixed on this validator's chain yet
  found = 1,    // the party's order is in the fixed set: its outcome follows
  absent = 2,   // the set is fixed without any order of the party's (late, or none)
  unknown = 3,  // fixed, but this validator caught up without the orders: ask another
};
struct outcome_answer {
  std::uint8_t state = 0;  // outcome_state
  std::uint8_t kind = 0;   // market::outcome_kind
  std::uint8_t reason = 0;
  std::int64_t traded_mwh = 0;
  std::int64_t price_ucpkwh = 0;  // p0
  std::uint8_t role = 0;          // party_role of its dues; agreed 0 when it has none
  std::int64_t agreed_mwh = 0;
  std::int64_t tariff_uc = 0;
  std::vector<trade_leg> trades;  // a buyer's trades (its sellers and what it owes each)
};
template <class Io>
void fields(Io& io, outcome_answer& x) {
  io.array(9);
  io.bounded(x.state, 3, "outcome state");
  io(x.kind);
  io(x.reason);
  io(x.traded_mwh);
  io(x.price_ucpkwh);
  io.bounded(x.role, 1, "role");
  io(x.agreed_mwh);
  io(x.tariff_uc);
  io.list(x.trades, UINT32_MAX, [&io](trade_leg& t) { fields(io, t); });
}

// A whole cycle of one market, for observers.
struct book_order {
  std::string id;  // the book id (market_cycle.hpp)
  public_key owner{};
  std::uint8_t side = 0;
  std::int64_t price_ucpkwh = 0;
  std::int64_t energy_mwh = 0;
  std::int64_t distance_pref_mm = 0;
  std::uint32_t bus = 0;
  std::uint64_t seq = 0;
  std::uint8_t kind = 0;
  std::uint8_t reason = 0;
  std::int64_t traded_mwh = 0;
};
template <class Io>
void fields(Io& io, book_order& x) {
  io.array(11);
  io(x.id);
  io(x.owner);
  io(x.side);
  io(x.price_ucpkwh);
  io(x.energy_mwh);
  io(x.distance_pref_mm);
  io(x.bus);
  io(x.seq);
  io(x.kind);
  io(x.reason);
  io(x.traded_mwh);
}
struct book_trade {
  public_key buyer{};
  public_key seller{};
  std::int64_t energy_mwh = 0;
  std::int64_t distance_mm = 0;
  std::int64_t charge_uc = 0;
};
template <class Io>
void fields(Io& io, book_trade& x) {
  io.array(5);
  io(x.buyer);
  io(x.seller);
  io(x.energy_mwh);
  io(x.distance_mm);
  io(x.charge_uc);
}
struct market_book {
  std::uint64_t market = 0;
  std::uint8_t mechanism = 0;
  std::uint8_t policy = 0;
  std::uint8_t case_number = 0;
  std::int64_t price_ucpkwh = 0;
  bool price_adjusted = false;
  std::vector<book_order> orders;  // canonical order
  std::vector<book_trade> trades;
};
template <class Io>
void fields(Io& io, market_book& x) {
  io.array(8);
  io(x.market);
  io(x.mechanism);
  io(x.policy);
  io(x.case_number);
  io(x.price_ucpkwh);
  io(x.price_adjusted);
  io.list(x.orders, UINT32_MAX, [&io](book_order& o) { fields(io, o); });
  io.list(x.trades, UINT32_MAX, [&io](book_trade& t) { fields(io, t); });
}

// An order that missed its cycle (it reached a validator after the close):
// kind is late_kind, nothing traded.
inline constexpr std::uint8_t late_kind = 3;  // beside market::outcome_kind's values
struct late_order {
  std::uint64_t market = 0;
  book_order order;
};
template <class Io>
void fields(Io& io, late_order& x) {
  io.array(2);
  io(x.market);
  fields(io, x.order);
}

// How the chain settled a party for one cycle (market.md 5.4).
struct settlement_row {
  std::uint64_t market = 0;
  public_key party{};
  std::uint8_t role = 0;
  std::int64_t agreed_mwh = 0;
  std::int64_t metered_mwh = 0;
  std::int64_t amount_uc = 0;  // the bill (buyer) or the income (seller)
  std::int64_t tariff_uc = 0;
  std::int64_t penalty_uc = 0;
};
template <class Io>
void fields(Io& io, settlement_row& x) {
  io.array(8);
  io(x.market);
  io(x.party);
  io.bounded(x.role, 1, "role");
  io(x.agreed_mwh);
  io(x.metered_mwh);
  io(x.amount_uc);
  io(x.tariff_uc);
  io(x.penalty_uc);
}

// The DSO's channel: per market and bus, energy traded and grid charges.
struct channel_entry {
  std::uint64_t market = 0;
  std::int64_t price_ucpkwh = 0;
  std::uint32_t bus = 0;
  std::int64_t traded_mwh = 0;
  std::int64_t charge_uc = 0;
};
template <class Io>
void fields(Io& io, channel_entry& x) {
  io.array(5);
  io(x.market);
  io(x.price_ucpkwh);
  io(x.bus);
  io(x.traded_mwh);
  io(x.charge_uc);
}

// The arguments of most questions: a few numbers (market, cycle, ...).
struct number_list {
  std::vector<std::uint64_t> values;
};
template <class Io>
void fields(Io& io, number_list& x) {
  io.list(x.values, 16, [&io](std::uint64_t& v) { io(v); });
}

// A producer's advertised energy (its SPB energy account), as anyone may
// read it: "energy_accounts" lists them by price, then key.
struct energy_offer_row {
  public_key producer{};
  std::int64_t energy_mwh = 0;
  std::int64_t price_ucpkwh = 0;
};
template <class Io>
void fields(Io& io, energy_offer_row& x) {
  io.array(3);
  io(x.producer);
  io(x.energy_mwh);
  io(x.price_ucpkwh);
}

// The keys of a "balances" question.
struct key_list {
  std::vector<public_key> keys;
};
template <class Io>
void fields(Io& io, key_list& x) {
  io.list(x.keys, UINT32_MAX, [&io](public_key& k) { io(k); });
}

// A list of T as one answer.
template <class T>
struct answer_list {
  std::vector<T> items;
};
template <class Io, class T>
void fields(Io& io, answer_list<T>& x) {
  io.list(x.items, UINT32_MAX, [&io](T& t) { fields(io, t); });
}

}  // namespace voltaic::chain
