#pragma once
// Supply and demand curves and the point where they cross
// (spec/market.md sections 1 "Sorting" and 2).
//
// Sellers: price ascending, then seq ascending. Buyers: price descending, then
// seq ascending. Remaining ties (a repeated seq) go by position in the book.
// Sorting is a stable radix sort on price over the book in seq order: linear
// in the number of orders. Positions in the text are 1-based; vectors here are 0-based.
// Thread-safety: pure functions. Precondition: the book passed validate_book.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "voltaic/market/order.hpp"

namespace voltaic::market {

struct curves {
  std::vector<std::uint32_t> sellers;  // indices into the book, supply-curve order
  std::vector<std::uint32_t> buyers;   // indices into the book, demand-curve order
  std::vector<energy_mwh> seller_sum;  // seller_sum[k] = E(S_1) + ... + E(S_k); [0] = 0
  std::vector<energy_mwh> buyer_sum;   // likewise for buyers
};

curves build_curves(const std::vector<order>& book);

// The crossing (x*, y*), 1-based; found == false means no_crossing.
struct crossing {
  bool found = false;
  std::size_t x = 0;
  std::size_t y = 0;
};

crossing find_crossing(const std::vector<order>& book, const curves& c);

}  // namespace voltaic::market
