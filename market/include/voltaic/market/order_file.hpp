#pragma once
// Order books and distances from CSV files, for `voltaic clear` and scripted
// experiments.
//
// Orders: header `id,side,price,energy_kwh[,distance_pref_m][,bus]`; side is
// buy or sell; seq is the row order; an empty distance_pref_m means anywhere.
// Distances: header `buyer,seller,distance_m`.
// Every problem is reported as "file:line: what". Thread-safety: pure
// functions over files.

#include <string>
#include <vector>

#include "voltaic/market/distance_table.hpp"
#include "voltaic/market/grid.hpp"
#include "voltaic/market/order.hpp"

namespace voltaic::market {

struct order_file {
  std::vector<order> book;
  std::vector<std::string> buses;  // per order; empty when the file has none
};

result<order_file> load_orders_csv(const std::string& path);

// Reads pairwise distances and gives every order a location in the returned
// table (buyers are rows, sellers columns).
result<distance_table> load_pair_distances(const std::string& path, std::vector<order>& book);

// Places every order on its bus and returns the distance table over the
// distinct buses used; an order without a bus, an unknown bus or an island is
// an error naming the order.
result<distance_table> locate_on_grid(const grid& g, std::vector<order>& book,
                                      const std::vector<std::string>& buses);

}  // namespace voltaic::market
