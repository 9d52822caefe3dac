#pragma once
// The clearing-result fields, shared by the transaction body and the stored
// clearing record (private to chain/energy):
//   [market, cycle, mechanism, policy, case_number, price, price_adjusted,
//    traded_mwh, trades_root, trade_count]

#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain {

template <class Io>
void fields(Io& io, clearing_result_body& b) {
  io.array(10);
  io(b.market);
  io(b.cycle);
  io(b.mechanism);
  io(b.policy);
  io(b.case_number);
  io(b.price_ucpkwh);
  io(b.price_adjusted);
  io(b.traded_mwh);
  io(b.trades_root);
  io(b.trade_count);
}

}  // namespace voltaic::chain
