#include "voltaic/market/curve.hpp"

#include <algorithm>

namespace voltaic::market {

namespace {

struct keyed {
  std::uint64_t key;  // price (sellers) or max_price - price (buyers)
  std::uint32_t index;
};

// Stable LSD radix sort on key, one byte per pass, only over the bytes the
// largest key uses. Stability carries the seq order of the input through.
void radix_sort(std::vector<keyed>& items, std::vector<keyed>& scratch) {
  std::uint64_t largest = 0;
  for (const keyed& k : items) largest |= k.key;
  scratch.resize(items.size());
  for (int shift = 0; shift < 64 && (largest >> shift) != 0; shift += 8) {
    std::size_t count[257] = {};
    for (const keyed& k : items) ++count[((k.key >> shift) & 0xff) + 1];
    for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
    for (const keyed& k : items) scratch[count[(k.key >> shift) & 0xff]++] = k;
    items.swap(scratch);
  }
}

void fill_curve(std::vector<keyed>& items, std::vector<keyed>& scratch, std::vector<std::uint32_t>& indices,
                std::vector<energy_mwh>& sums, const std::vector<order>& book) {
  radix_sort(items, scratch);
  indices.resize(items.size());
  sums.resize(items.size() + 1);
  sums[0] = 0;
  for (std::size_t k = 0; k < items.size(); ++k) {
    indices[k] = items[k].index;
    sums[k + 1] = sums[k] + book[items[k].index].energy;
  }
}

}  // namespace

curves build_curves(const std::vector<order>& book) {
  // Book indices in seq order (ties by index); usually the book already is.
  std::vector<std::uint32_t> by_seq(book.size());
  for (std::uint32_t i = 0; i < book.size(); ++i) by_seq[i] = i;
  const auto seq_less = [&](std::uint32_t a, std::uint32_t b) { return book[a].seq < book[b].seq; };
  if (!std::is_sorted(by_seq.begin(), by_seq.end(), seq_less))
    std::stable_sort(by_seq.begin(), by_seq.end(), seq_less);
  std::vector<keyed> sell, buy, scratch;
  sell.reserve(book.size());
  buy.reserve(book.size());
  for (std::uint32_t i : by_seq) {
    const order& o = book[i];
    if (o.side == side::sell) sell.push_back({static_cast<std::uint64_t>(o.price), i});
    else buy.push_back({static_cast<std::uint64_t>(max_price - o.price), i});
  }
  curves c;
  fill_curve(sell, scratch, c.sellers, c.seller_sum, book);
  fill_curve(buy, scratch, c.buyers, c.buyer_sum, book);
  return c;
}

crossing find_crossing(const std::vector<order>& book, const curves& c) {
  crossing best;
  // Y(x) = number of sellers priced at or below P(B_x); non-increasing in x.
  std::size_t y_of_x = c.sellers.size();
  for (std::size_t x = 1; x <= c.buyers.size(); ++x) {
    const price_ucpkwh buyer_price = book[c.buyers[x - 1]].price;
    while (y_of_x > 0 && book[c.sellers[y_of_x - 1]].price > buyer_price) --y_of_x;
    if (y_of_x == 0 || c.seller_sum[y_of_x] < c.buyer_sum[x]) break;  // monotone: stop
    best.found = true;
    best.x = x;
  }
  if (!best.found) return best;
  const energy_mwh demand = c.buyer_sum[best.x];
  best.y = static_cast<std::size_t>(
      std::lower_bound(c.seller_sum.begin() + 1, c.seller_sum.end(), demand) -
      c.seller_sum.begin());
  return best;
}

}  // namespace voltaic::market
