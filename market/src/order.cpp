#include "voltaic/market/order.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <functional>

namespace voltaic::market {

const char* to_string(side s) { return s == side::buy ? "buy" : "sell"; }

namespace {

error order_error(errc code, const std::string& id, const std::string& what) {
  return make_error(code, "order '" + id + "': " + what);
}

// Open-addressing set of order indices keyed by id: the duplicate check runs
// on every block, so it avoids a node allocation per order.
class id_set {
 public:
  explicit id_set(std::size_t n) {
    std::size_t size = 16;
    while (size < 2 * n) size *= 2;
    slots_.assign(size, empty);
    hashes_.assign(size, 0);
  }
  // False when an order with the same id is already in the set (its index
  // then in *earlier).
  bool insert(const std::vector<order>& book, std::uint32_t index, std::uint32_t* earlier = nullptr) {
    const std::size_t h = std::hash<std::string_view>{}(book[index].id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = h & mask;; s = (s + 1) & mask) {
      if (slots_[s] == empty) {
        slots_[s] = index;
        hashes_[s] = h;
        return true;
      }
      if (hashes_[s] == h && book[slots_[s]].id == book[index].id) {
        if (earlier != nullptr) *earlier = slots_[s];
        return false;
      }
    }
  }

 private:
  static constexpr std::uint32_t empty = UINT32_MAX;
  std::vector<std::uint32_t> slots_;
  std::vector<std::size_t> hashes_;
};

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

std::optional<std::pair<std::size_t, std::size_t>> first_duplicate_id(const std::vector<order>& book) {
  id_set ids(book.size());
  for (std::uint32_t k = 0; k < book.size(); ++k) {
    std::uint32_t earlier = 0;
    if (!ids.insert(book, k, &earlier)) return std::pair<std::size_t, std::size_t>{earlier, k};
  }
  return std::nullopt;
}

status validate_book(const std::vector<order>& book) {
  if (book.size() > 10'000'000)
    return make_error(errc::out_of_range, "order book has more than 10,000,000 orders");
  id_set ids(book.size());
  for (const order& o : book) {
    if (auto st = validate_order(o); !st) return st;
    if (!ids.insert(book, static_cast<std::uint32_t>(&o - book.data())))
      return order_error(errc::duplicate_id, o.id, "duplicate id");
  }
  return {};
}

status validate_order(const order& o) {
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
  const welfare_params& w = o.welfare;
  if (!std::isfinite(w.a) || !std::isfinite(w.b) || !std::isfinite(w.c) ||
      !std::isfinite(w.omega) || !std::isfinite(w.alpha) || !(w.alpha > 0))
    return order_error(errc::invalid_number, o.id,
                       "welfare parameters must be finite with alpha > 0");
  return {};
}

}  // namespace voltaic::market
