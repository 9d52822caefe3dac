#pragma once
// Builds order books from test-vector JSON, and reads their results back.
#include <cmath>
#include <string>
#include <vector>

#include "support/json.hpp"
#include "voltaic/market/order.hpp"

namespace voltaic::test {

inline market::order order_from_json(const json& j, market::side s) {
  auto o = market::make_order(j["id"].str, s, j["price"].num, j["energy_kwh"].num,
                              j.has("distance_pref_m") ? j["distance_pref_m"].num : HUGE_VAL,
                              j.has("seq") ? static_cast<std::uint64_t>(j["seq"].num) : 0);
  if (!o) throw std::runtime_error(o.err().message);
  return o.value();
}

// Sellers first, then buyers, in file order.
inline std::vector<market::order> book_from_json(const json& orders) {
  std::vector<market::order> book;
  for (const auto& s : orders["sellers"].arr) book.push_back(order_from_json(s, market::side::sell));
  for (const auto& b : orders["buyers"].arr) book.push_back(order_from_json(b, market::side::buy));
  return book;
}

// The ids of the orders at the given book indices, in that order.
inline std::vector<std::string> ids_of(const std::vector<market::order>& book, const std::vector<std::uint32_t>& idx) {
  std::vector<std::string> out;
  for (auto i : idx) out.push_back(book[i].id);
  return out;
}

// A JSON array of strings.
inline std::vector<std::string> strings_of(const json& arr) {
  std::vector<std::string> out;
  for (const auto& v : arr.arr) out.push_back(v.str);
  return out;
}

}  // namespace voltaic::test
