#pragma once
// The carbon transaction bodies' field lists (core/fields.hpp), one per kind,
// in the order of carbon_transaction.hpp (private to chain/carbon).

#include <cstdint>

#include "voltaic/chain/carbon/carbon_transaction.hpp"
#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain::carbon {

// Bounds on variable parts, so one transaction stays small.
inline constexpr std::uint32_t max_auction_rows = 100'000;  // trades, short or unsold of one auction

template <class Io>
void fields(Io& io, monthly_reading& r) {
  io.array(6);
  io(r.meter);
  io(r.year);
  io.bounded(r.month, 12, "month");
  io(r.mwh);
  io(r.counter);
  io(r.sig);
}
template <class Io>
void fields(Io& io, quota_claim_body& b) {
  io.array(4);
  io(b.year);
  io(b.delta_version);
  io.list(b.readings, 12, [&io](monthly_reading& r) { fields(io, r); });
  io(b.estimate_kg);
}
template <class Io>
void fields(Io& io, emissions_report_body& b) {
  io.array(5);
  io(b.cec);
  io(b.period);
  io(b.kg);
  io(b.verifier);
  io(b.verifier_sig);
}
template <class Io>
void fields(Io& io, carbon_order_body& b) {
  io.array(2);
  io(b.period);
  io(b.price_ucpt);
}
template <class Io>
void fields(Io& io, auction_trade& t) {
  io.array(6);
  io(t.buyer);
  io(t.seller);
  io.bounded(t.phase, 2, "phase");
  io(t.quantity_kg);
  io(t.price_ucpt);
  io(t.turnover_uc);
}
template <class Io>
void fields(Io& io, auction_left_over& l) {
  io.array(2);
  io(l.participant);
  io(l.quantity_kg);
}
template <class Io>
void fields(Io& io, auction_result_body& b) {
  io.array(5);
  io(b.period);
  io(b.order_root);
  io.list(b.trades, max_auction_rows, [&io](auction_trade& t) { fields(io, t); });
  io.list(b.short_of, max_auction_rows, [&io](auction_left_over& l) { fields(io, l); });
  io.list(b.unsold, max_auction_rows, [&io](auction_left_over& l) { fields(io, l); });
}
template <class Io>
void fields(Io& io, transfer_body& b) {
  io.array(3);
  io(b.to);
  io(b.period);
  io(b.kg);
}

}  // namespace voltaic::chain::carbon
