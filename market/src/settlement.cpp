#include "voltaic/market/settlement.hpp"

namespace voltaic::market {

namespace {

settlement common_terms(const settlement_terms& t) {
  settlement s;
  s.energy_amount = money_for(t.price, t.metered);
  s.tariff = t.tariff;
  const energy_mwh deviation = t.agreed > t.metered ? t.agreed - t.metered : t.metered - t.agreed;
  s.penalty = money_for(t.penalty_per_kwh, deviation);
  return s;
}

}  // namespace

settlement settle_buyer(const settlement_terms& t) {
  settlement s = common_terms(t);
  s.total = s.energy_amount + s.tariff + s.penalty;
  return s;
}

settlement settle_seller(const settlement_terms& t) {
  settlement s = common_terms(t);
  s.total = s.energy_amount - s.tariff - s.penalty;
  return s;
}

}  // namespace voltaic::market
