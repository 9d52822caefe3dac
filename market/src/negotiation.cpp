#include "voltaic/market/negotiation.hpp"

#include <algorithm>

namespace voltaic::market {

const char* to_string(negotiation_step s) {
  switch (s) {
    case negotiation_step::offer: return "offer";
    case negotiation_step::counter: return "counter";
    case negotiation_step::accept: return "accept";
    case negotiation_step::reject: return "reject";
  }
  return "?";
}

status check_strategy(const negotiation_strategy& s, bool buyer) {
  if (!price_in_range(s.opening) || !price_in_range(s.reservation) || !price_in_range(s.step))
    return make_error(errc::out_of_range, "negotiation prices must lie in 0..1e12 uc/kWh");
  if (buyer ? s.opening > s.reservation : s.opening < s.reservation)
    return make_error(errc::invalid_field, buyer ? "a buyer opens at or below its reservation price"
                                                 : "a producer opens at or above its reservation price");
  if (s.deadline == 0) return make_error(errc::invalid_field, "a negotiation deadline is at least one round");
  return {};
}

price_ucpkwh negotiator::conceded() const {
  return buyer_ ? std::min(s_.reservation, current_ + s_.step) : std::max(s_.reservation, current_ - s_.step);
}

negotiator::reply negotiator::answer(price_ucpkwh price) {
  ++round_;
  // What it would ask now: its opening on its first word, one concession
  // more after that, nothing more past its deadline.
  const bool over = round_ > s_.deadline;
  const price_ucpkwh next = round_ == 1 || over ? current_ : conceded();
  if (acceptable(price, next)) return {negotiation_step::accept, price};
  if (over) return {negotiation_step::reject, price};
  current_ = next;
  return {negotiation_step::counter, current_};
}

}  // namespace voltaic::market
