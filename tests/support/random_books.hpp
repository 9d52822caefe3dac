#pragma once
// Seeded random order books for property tests and benchmarks: ties, equal
// prices on both sides, single participants, books that do not cross, and
// energies from 1 mWh to 1 GWh.
#include <string>
#include <vector>

#include "voltaic/market/distance_table.hpp"
#include "voltaic/market/order.hpp"
#include "voltaic/market/rng.hpp"

namespace voltaic::test {

struct random_market {
  std::vector<market::order> book;
  market::distance_table distances;
};

inline random_market make_random_market(std::uint64_t seed) {
  market::rng r(seed);
  random_market m;
  const int shape = static_cast<int>(r.between(0, 9));
  std::int64_t sellers = r.between(0, 12), buyers = r.between(0, 12);
  if (shape == 0) sellers = 1, buyers = r.between(0, 1);      // one participant or a pair
  if (shape == 1) sellers = r.between(20, 80), buyers = r.between(20, 80);
  // Price grid: few distinct prices give ties on and across the two sides.
  const std::int64_t price_levels = shape == 2 ? 2 : r.between(3, 40);
  const std::int64_t locations = r.between(1, 6);
  auto price = [&](market::side s) {
    std::int64_t level = r.between(0, price_levels - 1);
    if (shape == 3)  // no crossing: every seller above every buyer
      level = s == market::side::sell ? price_levels + level : level;
    return level * 500'000 + 100'000;
  };
  auto energy = [&] {
    switch (r.between(0, 5)) {
      case 0: return r.between(1, 50);                                  // tiny, in mWh
      case 1: return r.between(900'000'000'000, 1'000'000'000'000);     // near 1 GWh
      default: return r.between(1, 200) * 1'000'000 + r.between(0, 999'999);
    }
  };
  std::uint64_t seq = 0;
  for (std::int64_t k = 0; k < sellers + buyers; ++k) {
    market::order o;
    o.side = k < sellers ? market::side::sell : market::side::buy;
    o.id = (o.side == market::side::sell ? "s" : "b") + std::to_string(k);
    o.price = price(o.side);
    o.energy = energy();
    o.distance_pref = r.between(0, 3) == 0 ? market::distance_anywhere : r.between(0, 400'000);
    o.location = static_cast<std::int32_t>(r.between(0, locations - 1));
    o.seq = seq++;
    m.book.push_back(o);
  }
  // Shuffle submission order so curve order differs from input order.
  for (std::size_t k = m.book.size(); k > 1; --k)
    std::swap(m.book[k - 1], m.book[static_cast<std::size_t>(r.between(0, static_cast<std::int64_t>(k) - 1))]);
  m.distances = market::distance_table(static_cast<std::size_t>(locations), static_cast<std::size_t>(locations));
  for (std::size_t a = 0; a < m.distances.rows(); ++a)
    for (std::size_t b = 0; b < m.distances.cols(); ++b)
      m.distances.set(a, b, a == b ? 0 : r.between(1, 500) * 1000);
  return m;
}

// Books of hundreds of orders built to stress the matching's cells: few
// prices (shared by many buyers), few energies (equal welfare), few
// locations and preferences, and distances that make the score price
// positive, zero (0.2 per kWh at 100 m and 0.002 per m) or negative.
inline random_market make_crowded_market(std::uint64_t seed) {
  market::rng r(seed);
  random_market m;
  const std::int64_t orders = r.between(100, 600);
  const std::int64_t locations = r.between(1, 4);
  const std::int64_t prices[] = {100'000, 200'000, 200'000, 300'000, 500'000};
  const std::int64_t energies[] = {5'000'000, 12'000'000, 30'000'000};
  const std::int64_t prefs[] = {market::distance_anywhere, 0, 60'000, 120'000};
  for (std::int64_t k = 0; k < orders; ++k) {
    market::order o;
    o.side = r.between(0, 1) == 0 ? market::side::sell : market::side::buy;
    o.id = (o.side == market::side::sell ? "s" : "b") + std::to_string(k);
    o.price = prices[r.between(0, 4)];
    o.energy = energies[r.between(0, 2)] + (r.between(0, 3) == 0 ? r.between(1, 999) : 0);
    o.distance_pref = prefs[r.between(0, 3)];
    o.location = static_cast<std::int32_t>(r.between(0, locations - 1));
    o.seq = static_cast<std::uint64_t>(k);
    m.book.push_back(o);
  }
  const std::int64_t distances[] = {0, 50'000, 100'000, 250'000};
  m.distances = market::distance_table(static_cast<std::size_t>(locations), static_cast<std::size_t>(locations));
  for (std::size_t a = 0; a < m.distances.rows(); ++a)
    for (std::size_t b = 0; b < m.distances.cols(); ++b)
      m.distances.set(a, b, a == b ? 0 : distances[r.between(1, 3)]);
  return m;
}

}  // namespace voltaic::test
