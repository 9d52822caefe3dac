#include "voltaic/market/order.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

namespace voltaic::market {

const char* to_string(side s) { return s == side::buy ? "buy" : "sell"; }

namespace {

error order_error(errc code, const std::string& id, const std::string& what) {
  return make_error(code, "order '" + id + "': " + what);
}

}  // namespace

result<order> make_order(std::string id, side s, double price_per_kwh, double energy_kwh,
                         double distance_pref_m, std::uint64_t seq) {
  if (!std::isfinite(price_per_kwh))
    return order_error(errc::invalid_number, id, "price is not a finite number");
  if (!std::isfinite(energy_kwh))
    return order_error(errc::invalid_number, id, "energy is not a finite number");
  if (std::isnan(distance_pref_m) || distance_pref_m == -HUGE_VAL)
    return order_error(errc::invalid_number, id, "distance preference is not a number");
  order o;
  o.side = s;
  o.seq = seq;
  auto price = to_scaled(price_per_kwh, uc_per_credit);
  auto energy = to_scaled(energy_kwh, mwh_per_kwh);
  if (!price) return order_error(errc::out_of_range, id, "price is out of range");
  if (!energy) return order_error(errc::out_of_range, id, "energy is out of range");
  o.price = price.value();
  o.energy = energy.value();
  if (std::isinf(distance_pref_m)) {
    o.distance_pref = distance_anywhere;
  } else {
    auto d = to_scaled(distance_pref_m, mm_per_m);
    if (!d) return order_error(errc::out_of_range, id, "distance preference is out of range");
    o.distance_pref = d.value();
  }
  o.id = std::move(id);
  if (auto st = validate_book({o}); !st) return st.err();
  return o;
}

status validate_book(const std::vector<order>& book) {
  if (book.size() > 10'000'000)
    return make_error(errc::out_of_range, "order book has more than 10,000,000 orders");
  std::unordered_set<std::string_view> ids;
  ids.reserve(book.size() * 2);
  std::vector<std::uint64_t> seqs[2];  // per side: ties only break within a curve
  for (const order& o : book) {
    if (o.id.empty()) return make_error(errc::missing_field, "an order has an empty id");
    if (!price_in_range(o.price))
      return order_error(errc::out_of_range, o.id,
                         o.price < 0 ? "price is negative" : "price exceeds 1,000,000 per kWh");
    if (!energy_in_range(o.energy))
      return order_error(errc::out_of_range, o.id,
                         o.energy <= 0 ? "energy must be positive (at least 1 mWh)"
                                       : "energy exceeds 1 GWh");
    if (!distance_in_range(o.distance_pref))
      return order_error(errc::out_of_range, o.id, "distance preference is out of range");
    if (!ids.insert(o.id).second)
      return order_error(errc::duplicate_id, o.id, "duplicate id");
    const welfare_params& w = o.welfare;
    if (!std::isfinite(w.a) || !std::isfinite(w.b) || !std::isfinite(w.c) ||
        !std::isfinite(w.omega) || !std::isfinite(w.alpha) || !(w.alpha > 0))
      return order_error(errc::invalid_number, o.id,
                         "welfare parameters must be finite with alpha > 0");
    seqs[static_cast<int>(o.side)].push_back(o.seq);
  }
  for (auto& side_seqs : seqs) {
    std::sort(side_seqs.begin(), side_seqs.end());
    if (std::adjacent_find(side_seqs.begin(), side_seqs.end()) != side_seqs.end())
      return make_error(errc::invalid_field,
                        "two orders of one side share a submission sequence number");
  }
  return {};
}

}  // namespace voltaic::market
