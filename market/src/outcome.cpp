#include "voltaic/market/outcome.hpp"

namespace voltaic::market {

const char* to_string(outcome_kind k) {
  switch (k) {
    case outcome_kind::filled: return "filled";
    case outcome_kind::partially_filled: return "partially_filled";
    case outcome_kind::rejected: return "rejected";
  }
  return "unknown";
}

std::vector<order_outcome> outcomes_of(const std::vector<order>& book,
                                       const clearing_result& clearing,
                                       const std::vector<trade>& trades) {
  std::vector<order_outcome> out(book.size());
  for (const trade& t : trades) {
    out[t.buyer].traded += t.energy;
    out[t.seller].traded += t.energy;
  }
  for (std::size_t k = 0; k < book.size(); ++k) {
    order_outcome& o = out[k];
    o.clearing_price = clearing.price;
    if (clearing.excluded[k] != reason::none) {
      o.kind = outcome_kind::rejected;
      o.reason = clearing.excluded[k];
      o.traded = 0;
    } else if (o.traded == book[k].energy) {
      o.kind = outcome_kind::filled;
    } else if (o.traded > 0) {
      o.kind = outcome_kind::partially_filled;
    } else {
      // A winner that traded nothing: a seller whose offer the surplus
      // absorbed, or (McAfee) a buyer left without supply.
      o.kind = outcome_kind::rejected;
      o.reason = book[k].side == side::sell ? reason::oversupply_consumed
                                            : reason::insufficient_supply;
    }
  }
  return out;
}

quotes quotes_of(const clearing_result& clearing, const std::vector<trade>& trades) {
  quotes q;
  std::vector<std::size_t> buyer_slot, seller_slot;  // book index -> quote slot
  std::size_t book_size = clearing.excluded.size();
  buyer_slot.assign(book_size, 0);
  seller_slot.assign(book_size, 0);
  for (std::size_t j = 0; j < clearing.buyers.size(); ++j) {
    buyer_slot[clearing.buyers[j]] = j;
    q.buyers.push_back({clearing.buyers[j], 0, 0, 0});
  }
  for (std::size_t i = 0; i < clearing.sellers.size(); ++i) {
    seller_slot[clearing.sellers[i]] = i;
    q.sellers.push_back({clearing.sellers[i], 0, 0, 0});
  }
  for (const trade& t : trades) {
    quote& b = q.buyers[buyer_slot[t.buyer]];
    b.amount += t.payment + buyer_charge_share(t.charge);
    b.tariff += buyer_charge_share(t.charge);
    b.agreed += t.energy;
    quote& s = q.sellers[seller_slot[t.seller]];
    s.amount += t.payment - seller_charge_share(t.charge);
    s.tariff += seller_charge_share(t.charge);
    s.agreed += t.energy;
  }
  return q;
}

}  // namespace voltaic::market
