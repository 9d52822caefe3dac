#pragma once
// The clearing-result fields, shared by the transaction body and the stored
// clearing record (private to chain/):
//   [market, cycle, mechanism, policy, case_number, price, price_adjusted,
//    traded_mwh, trades_root, trade_count]

#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain::detail {

inline void write_clearing(encoder& e, const clearing_result_body& b) {
  e.array(10).uint(b.market).uint(b.cycle).uint(b.mechanism).uint(b.policy).uint(b.case_number);
  e.sint(b.price_ucpkwh).boolean(b.price_adjusted).sint(b.traded_mwh).bin(b.trades_root).uint(b.trade_count);
}

inline clearing_result_body read_clearing(field_reader& r) {
  clearing_result_body b;
  r.array(10);
  b.market = r.u64();
  b.cycle = r.u64();
  b.mechanism = r.u8();
  b.policy = r.u8();
  b.case_number = r.u8();
  b.price_ucpkwh = r.i64();
  b.price_adjusted = r.boolean();
  b.traded_mwh = r.i64();
  b.trades_root = r.fixed<32>();
  b.trade_count = r.u64();
  return b;
}

}  // namespace voltaic::chain::detail
