#include "voltaic/market/curve.hpp"

#include <algorithm>

namespace voltaic::market {

namespace {

struct sort_key {
  std::int64_t price;  // negated for buyers, so both curves sort ascending
  std::uint64_t seq;
  std::uint32_t index;
  bool operator<(const sort_key& o) const {
    return price != o.price ? price < o.price : seq < o.seq;
  }
};

void fill_curve(std::vector<sort_key>& keys, std::vector<std::uint32_t>& indices,
                std::vector<energy_mwh>& sums, const std::vector<order>& book) {
  std::sort(keys.begin(), keys.end());
  indices.resize(keys.size());
  sums.resize(keys.size() + 1);
  sums[0] = 0;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    indices[k] = keys[k].index;
    sums[k + 1] = sums[k] + book[keys[k].index].energy;
  }
}

}  // namespace

curves build_curves(const std::vector<order>& book) {
  std::vector<sort_key> sell_keys, buy_keys;
  sell_keys.reserve(book.size());
  buy_keys.reserve(book.size());
  for (std::uint32_t i = 0; i < book.size(); ++i) {
    const order& o = book[i];
    if (o.side == side::sell) sell_keys.push_back({o.price, o.seq, i});
    else buy_keys.push_back({-o.price, o.seq, i});
  }
  curves c;
  fill_curve(sell_keys, c.sellers, c.seller_sum, book);
  fill_curve(buy_keys, c.buyers, c.buyer_sum, book);
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
