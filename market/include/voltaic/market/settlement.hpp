#pragma once
// Settlement of one party against its meter reading (spec/market.md 5.4):
//   buyer bill    = p0 E_meter + tariff + |E_ref - E_meter| penalty
//   seller income = p0 E_meter - tariff - |E_ref - E_meter| penalty
// Money in micro-credits, products rounded half to even with 128-bit
// intermediates. Thread-safety: pure functions.

#include "voltaic/market/units.hpp"

namespace voltaic::market {

struct settlement_terms {
  price_ucpkwh price = 0;         // p0
  energy_mwh agreed = 0;          // E_ref
  energy_mwh metered = 0;         // E_meter
  money_uc tariff = 0;            // the party's summed C_d d / 2
  price_ucpkwh penalty_per_kwh = 0;  // set by the DSO
};

struct settlement {
  money_uc energy_amount = 0;  // p0 E_meter
  money_uc tariff = 0;
  money_uc penalty = 0;        // |E_ref - E_meter| penalty
  money_uc total = 0;          // the bill (buyer) or the income (seller)
};

settlement settle_buyer(const settlement_terms& t);
settlement settle_seller(const settlement_terms& t);

}  // namespace voltaic::market
