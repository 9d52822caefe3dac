// match(): the walk of spec/market.md 5.3 without scoring every pair.
//
// Why it is exact: the buyers fall into classes that share a location, a
// price and an effective distance preference; the sellers into groups that
// share a location, an effective distance preference and, when some winning
// seller asks more than some winning buyer offers, a price. In one cell
// (class x group) every pair is at the same distance and in the same case of
// the score formula, so the score is one score price times a factor that never
// decreases with either side's welfare. Sorted by welfare, a cell's best pair
// is therefore its top buyer with its top seller (its bottom ones when the
// score price is negative). Equal welfare gives equal scores, already in
// position order as the tie rule asks; the rare run of different welfare that
// rounds to one score is scanned for the lowest position.
//
// Why it is fast: a heap holds each cell's best pair. A pair whose buyer and
// seller are both still in the walk is the walk's next pair, because a cell's
// best only gets worse as parties leave; a stale one is re-read when it comes
// to the top. Work grows with trades x log(cells), memory with the cells:
// without locations there is one seller group and a class per buyer price.
#include <algorithm>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>

#include "matching_detail.hpp"

namespace voltaic::market {

namespace {

using detail::pair_scorer;
using detail::ranked_pair;
using detail::walk_state;
using detail::walks_before;

// Finds the nearest slot still in the walk, in one direction, skipping
// served buyers or sold-out sellers in amortised near-constant time (path-compressed links).
class alive_links {
 public:
  explicit alive_links(std::size_t slots) : link_(slots + 1) {
    for (std::size_t k = 0; k < link_.size(); ++k) link_[k] = static_cast<std::uint32_t>(k);
  }
  // The first live slot at or beyond k; slots() when none.
  std::size_t find(std::size_t k) {
    std::size_t root = k;
    while (link_[root] != root) root = link_[root];
    while (link_[k] != root) {
      const std::size_t next = link_[k];
      link_[k] = static_cast<std::uint32_t>(root);
      k = next;
    }
    return root;
  }
  void remove(std::size_t k) { link_[k] = static_cast<std::uint32_t>(k + 1); }
  std::size_t slots() const { return link_.size() - 1; }

 private:
  std::vector<std::uint32_t> link_;
};

// One side's parties (buyers or sellers) sorted into cells' rows or columns,
// in three reading orders: welfare descending, welfare ascending (both with
// equal welfare by position) and by position.
class party_index {
 public:
  struct entry {
    std::int64_t location;
    double pref_m;
    price_ucpkwh price;
    double welfare;
    std::uint32_t party;
  };
  struct range {
    std::uint32_t begin = 0, end = 0;  // the same slots in every order
    double pref_m = 0;                  // the effective preference its parties share
  };
  enum class reading : std::uint8_t { downwards, upwards, by_position };

  party_index(std::vector<entry> entries, std::size_t parties) {
    std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
      if (!same_range(a, b)) return a.location != b.location ? a.location < b.location
                                    : a.pref_m != b.pref_m   ? a.pref_m < b.pref_m
                                                             : a.price < b.price;
      if (a.welfare != b.welfare) return a.welfare > b.welfare;
      return a.party < b.party;
    });
    for (std::size_t k = 0; k < entries.size(); ++k) {
      if (k == 0 || !same_range(entries[k], entries[k - 1]))
        ranges_.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k), entries[k].pref_m});
      ranges_.back().end = static_cast<std::uint32_t>(k + 1);
    }
    build(orders_[0], entries, parties);
    for (const range& r : ranges_) {  // welfare ascending, equal welfare still by position
      std::reverse(entries.begin() + r.begin, entries.begin() + r.end);
      for (std::uint32_t a = r.begin, b = r.begin; a < r.end; a = b) {
        for (b = a + 1; b < r.end && entries[b].welfare == entries[a].welfare;) ++b;
        std::reverse(entries.begin() + a, entries.begin() + b);
      }
    }
    build(orders_[1], entries, parties);
    for (const range& r : ranges_)
      std::sort(entries.begin() + r.begin, entries.begin() + r.end,
                [](const entry& a, const entry& b) { return a.party < b.party; });
    build(orders_[2], entries, parties);
  }

  const std::vector<range>& ranges() const { return ranges_; }
  std::uint32_t any_party(const range& r) const { return orders_[0].parties[r.begin]; }

  // The first slot still in the walk at or after `slot` in range r; false
  // when none.
  bool first_live(const range& r, reading how, std::size_t& slot) {
    slot = orders_[static_cast<int>(how)].live.find(slot);
    return slot < r.end;
  }
  std::uint32_t party_at(reading how, std::size_t slot) const {
    return orders_[static_cast<int>(how)].parties[slot];
  }
  double welfare_at(reading how, std::size_t slot) const { return orders_[static_cast<int>(how)].welfare[slot]; }
  // The slot after the run of equal welfare that holds `slot`.
  std::size_t run_end(reading how, std::size_t slot) const {
    return orders_[static_cast<int>(how)].welfare_end[slot];
  }
  void leave(std::uint32_t party) {
    for (order& o : orders_) o.live.remove(o.slot_of[party]);
  }

 private:
  struct order {
    std::vector<std::uint32_t> parties;      // by slot
    std::vector<double> welfare;             // by slot, read in slot order
    std::vector<std::uint32_t> welfare_end;  // by slot
    std::vector<std::uint32_t> slot_of;      // by party
    alive_links live{0};
  };
  static bool same_range(const entry& a, const entry& b) {
    return a.location == b.location && a.pref_m == b.pref_m && a.price == b.price;
  }
  static void build(order& o, const std::vector<entry>& entries, std::size_t parties) {
    o.parties.resize(entries.size());
    o.welfare.resize(entries.size());
    o.welfare_end.resize(entries.size());
    o.slot_of.assign(parties, 0);
    for (std::size_t k = entries.size(); k-- > 0;) {
      o.parties[k] = entries[k].party;
      o.welfare[k] = entries[k].welfare;
      o.slot_of[entries[k].party] = static_cast<std::uint32_t>(k);
      const bool run_goes_on = k + 1 < entries.size() && same_range(entries[k], entries[k + 1]) &&
                               entries[k].welfare == entries[k + 1].welfare;
      o.welfare_end[k] = run_goes_on ? o.welfare_end[k + 1] : static_cast<std::uint32_t>(k + 1);
    }
    o.live = alive_links(entries.size());
  }

  std::vector<range> ranges_;
  order orders_[3];
};

constexpr double anywhere_m = std::numeric_limits<double>::infinity();

// A preference no distance of its row (buyers) or column (sellers) exceeds
// never enters the score, so it reads as "anywhere" and shares a cell.
class preference_reach {
 public:
  preference_reach(const distance_table& table, bool rows) : table_(table), rows_(rows) {}
  double effective(std::int64_t location, double pref_m) {
    if (pref_m == anywhere_m) return pref_m;
    if (table_.is_uniform()) return static_cast<double>(table_.uniform_distance()) / 1e3 <= pref_m ? anywhere_m : pref_m;
    const std::size_t extent = rows_ ? table_.rows() : table_.cols();
    if (table_.is_sparse() || location < 0 || static_cast<std::size_t>(location) >= extent) return pref_m;
    auto [it, fresh] = farthest_m_.emplace(location, 0.0);
    if (fresh) {
      distance_mm farthest = 0;
      const auto at = static_cast<std::size_t>(location);
      const std::size_t across = rows_ ? table_.cols() : table_.rows();
      for (std::size_t k = 0; k < across; ++k) farthest = std::max(farthest, rows_ ? table_.at(at, k) : table_.at(k, at));
      it->second = static_cast<double>(farthest) / 1e3;
    }
    return it->second <= pref_m ? anywhere_m : pref_m;
  }

 private:
  const distance_table& table_;
  bool rows_;
  std::unordered_map<std::int64_t, double> farthest_m_;
};

party_index index_buyers(const pair_scorer& scorer) {
  preference_reach reach(scorer.distances(), true);
  std::vector<party_index::entry> entries;
  entries.reserve(scorer.buyers());
  for (std::size_t j = 0; j < scorer.buyers(); ++j) {
    const std::int64_t location = scorer.distances().is_uniform() ? 0 : scorer.buyer_location(j);
    entries.push_back({location, reach.effective(location, scorer.buyer_pref_m(j)), scorer.buyer_price(j),
                       scorer.buyer_welfare_at_p0(j), static_cast<std::uint32_t>(j)});
  }
  return party_index(std::move(entries), scorer.buyers());
}

party_index index_sellers(const pair_scorer& scorer, const clearing_result& cl) {
  // Does every winning buyer offer at least every winning seller's price?
  price_ucpkwh highest_ask = 0, lowest_bid = max_price;
  for (std::size_t i = 0; i < scorer.sellers(); ++i) highest_ask = std::max(highest_ask, scorer.seller_price(i));
  for (std::size_t j = 0; j < scorer.buyers(); ++j) lowest_bid = std::min(lowest_bid, scorer.buyer_price(j));
  const bool prices_cover = highest_ask <= lowest_bid;
  preference_reach reach(scorer.distances(), false);
  std::vector<party_index::entry> entries;
  for (std::size_t i = 0; i < scorer.sellers(); ++i) {
    if (cl.seller_allowed[i] == 0) continue;  // never usable
    const std::int64_t location = scorer.distances().is_uniform() ? 0 : scorer.seller_location(i);
    entries.push_back({location, reach.effective(location, scorer.seller_pref_m(i)),
                       prices_cover ? 0 : scorer.seller_price(i), scorer.seller_welfare_at_p0(i),
                       static_cast<std::uint32_t>(i)});
  }
  return party_index(std::move(entries), scorer.sellers());
}

constexpr std::size_t index_in_parallel_from = 100'000;

// Cells allowed per match (a heap entry of 32 bytes and 24 of facts each):
// 896 MiB.
constexpr std::size_t max_cells = std::size_t{16} << 20;

// The best pair of each (buyer class, seller group) cell.
class cell_reader {
 public:
  using reading = party_index::reading;

  // Reads each cell's distance, direction and score inputs once.
  cell_reader(const pair_scorer& scorer, party_index& buyers, party_index& sellers)
      : scorer_(scorer), buyers_(buyers), sellers_(sellers) {
    cells_.reserve(buyers.ranges().size() * sellers.ranges().size());
    for (std::uint32_t c = 0; c < buyers.ranges().size(); ++c)
      for (std::uint32_t g = 0; g < sellers.ranges().size(); ++g) {
        const std::uint32_t any_j = buyers_.any_party(buyers.ranges()[c]),
                            any_i = sellers_.any_party(sellers.ranges()[g]);
        const distance_mm d = scorer_.distance(any_j, any_i);
        const double price = scorer_.score_price(any_j, any_i, d);
        const score_inputs in = scorer_.inputs(any_j, any_i, d);
        const bool covers = in.buyer_covers_seller;
        if (g == 0) class_price_.push_back(in.buyer_price), charge_per_m_ = in.charge_per_m;
        cells_.push_back({d, c, g, price > 0 ? reading::downwards : price < 0 ? reading::upwards : reading::by_position,
                          covers});
      }
  }

  bool best(std::size_t cell, ranked_pair& out) {
    const cell_info& info = cells_[cell];
    const party_index::range& c = buyers_.ranges()[info.buyer_class];
    const party_index::range& g = sellers_.ranges()[info.seller_group];
    const reading how = info.how;
    std::size_t b = c.begin, s = g.begin;
    if (!buyers_.first_live(c, how, b) || !sellers_.first_live(g, how, s)) return false;
    // Every input but the welfare is the cell's (its parties share price,
    // location and effective preference; a preference no distance reaches
    // gives the same branch of the formula as "anywhere"), and welfare is
    // read by slot: the scorer's arrays, by position, miss the cache.
    score_inputs in{class_price_[info.buyer_class], info.covers, static_cast<double>(info.distance) / 1e3,
                    charge_per_m_, 0.0, c.pref_m, g.pref_m};
    const auto score_with = [&](double buyer_welfare, double seller_welfare) {
      in.mean_welfare = pair_scorer::mean_welfare(seller_welfare, buyer_welfare);
      return pair_score(in);
    };
    const double w_b = buyers_.welfare_at(how, b), w_s = sellers_.welfare_at(how, s);
    const double score = score_with(w_b, w_s);
    std::uint32_t j = buyers_.party_at(how, b), i = sellers_.party_at(how, s);
    if (how != reading::by_position) {  // by position, every score is 0: the first of each is the best
      j = lowest_tying(buyers_, c, how, b, score, [&](double w) { return score_with(w, w_s); });
      i = lowest_tying(sellers_, g, how, s, score, [&](double w) { return score_with(w_b, w); });
    }
    out = {score, j, i, info.distance};
    return true;
  }

 private:
  struct cell_info {
    distance_mm distance;
    std::uint32_t buyer_class;
    std::uint32_t seller_group;
    reading how;
    bool covers;  // the buyers offer at least the sellers ask
  };

  // The lowest position among the live parties from `slot` on whose score is
  // `score`: the party at `slot` unless a later run of other welfare rounds
  // to the same score.
  template <class ScoreOf>
  static std::uint32_t lowest_tying(party_index& side, const party_index::range& r, party_index::reading how,
                                    std::size_t slot, double score, ScoreOf score_of) {
    std::uint32_t lowest = side.party_at(how, slot);
    for (std::size_t next = side.run_end(how, slot); side.first_live(r, how, next);
         next = side.run_end(how, next)) {
      if (score_of(side.welfare_at(how, next)) != score) break;
      lowest = std::min(lowest, side.party_at(how, next));
    }
    return lowest;
  }

  const pair_scorer& scorer_;
  party_index& buyers_;
  party_index& sellers_;
  std::vector<cell_info> cells_;
  std::vector<double> class_price_;  // by buyer class, credits per kWh
  double charge_per_m_ = 0;
};

// A 4-ary max-heap of cells' best pairs in walk order. Replacing the top
// in place (one sift down) is the common step: a cell is re-read after each
// trade or when its entry has gone stale.
class best_pairs {
 public:
  struct entry {
    ranked_pair pair;
    std::uint32_t cell;
  };
  void reserve(std::size_t n) { items_.reserve(n); }
  void add(const entry& e) { items_.push_back(e); }
  void arrange() {
    for (std::size_t k = items_.size() / arity + 1; k-- > 0;) sift_down(k);
  }
  bool empty() const { return items_.empty(); }
  const entry& top() const { return items_.front(); }
  void replace_top(const entry& e) {
    items_.front() = e;
    sift_down(0);
  }
  void pop() {
    items_.front() = items_.back();
    items_.pop_back();
    if (!items_.empty()) sift_down(0);
  }

 private:
  static constexpr std::size_t arity = 4;
  void sift_down(std::size_t k) {
    const std::size_t n = items_.size();
    if (k >= n) return;
    const entry moving = items_[k];
    for (;;) {
      const std::size_t first = k * arity + 1;
      if (first >= n) break;
      std::size_t best = first;
      for (std::size_t c = first + 1; c < std::min(first + arity, n); ++c)
        if (walks_before(items_[c].pair, items_[best].pair)) best = c;
      if (!walks_before(items_[best].pair, moving.pair)) break;
      items_[k] = items_[best];
      k = best;
    }
    items_[k] = moving;
  }
  std::vector<entry> items_;
};

// Every (winning buyer, usable seller) pair must have a distance, as in the
// reference walk; names the first missing pair in (buyer, seller) order.
// Checks each distinct (row, column) once, so a sparse table stops within
// its entry count.
status check_distances(const pair_scorer& scorer, const clearing_result& cl) {
  const distance_table& table = scorer.distances();
  if (table.is_uniform()) return {};
  std::vector<std::uint32_t> first_seller_of_column;
  std::unordered_map<std::int64_t, bool> column_seen, row_seen;
  for (std::size_t i = 0; i < scorer.sellers(); ++i)
    if (cl.seller_allowed[i] > 0 && column_seen.emplace(scorer.seller_location(i), true).second)
      first_seller_of_column.push_back(static_cast<std::uint32_t>(i));
  for (std::size_t j = 0; j < scorer.buyers(); ++j) {
    if (!row_seen.emplace(scorer.buyer_location(j), true).second) continue;
    for (std::uint32_t i : first_seller_of_column)
      if (scorer.distance(j, i) == distance_table::unknown) return scorer.missing(j, i);
  }
  return {};
}

}  // namespace

result<std::vector<trade>> match(const std::vector<order>& book, const clearing_result& clearing,
                                 const distance_table& distances, const matching_options& options) {
  std::vector<trade> trades;
  if (!clearing.traded) return trades;
  const pair_scorer scorer(book, clearing, distances, options);
  if (auto st = check_distances(scorer, clearing); !st) return st.err();
  // The two sides are indexed at once on a large book (about a tenth of
  // the matching at 10^6 orders); a thread costs more than it saves on a
  // small one.
  std::optional<party_index> sellers_built;
  std::thread seller_indexer;
  if (scorer.buyers() + scorer.sellers() >= index_in_parallel_from)
    seller_indexer = std::thread([&] { sellers_built.emplace(index_sellers(scorer, clearing)); });
  party_index buyers = index_buyers(scorer);
  if (seller_indexer.joinable()) seller_indexer.join();
  else sellers_built.emplace(index_sellers(scorer, clearing));
  party_index& sellers = *sellers_built;
  const std::size_t cells = buyers.ranges().size() * sellers.ranges().size();
  if (cells > max_cells)
    return make_error(errc::too_large,
                      "matching " + std::to_string(buyers.ranges().size()) + " classes of buyers against " +
                          std::to_string(sellers.ranges().size()) +
                          " groups of sellers (by location, price and distance preference) needs " +
                          std::to_string(cells) + " cells, more than the " + std::to_string(max_cells) +
                          " allowed; use fewer distinct prices or distance preferences");
  cell_reader reader(scorer, buyers, sellers);
  walk_state state(clearing);

  // Each cell's best pair when it was read. A popped pair whose buyer and
  // seller are both still in the walk is the walk's next pair: every other
  // cell's entry is at least as good as that cell's present best.
  best_pairs heap;
  heap.reserve(cells);
  constexpr std::size_t trades_per_batch = 1 << 14;
  std::size_t handed_over = 0;  // trades passed to options.on_trades
  ranked_pair p;
  for (std::size_t cell = 0; cell < cells; ++cell)
    if (reader.best(cell, p)) heap.add({p, static_cast<std::uint32_t>(cell)});
  heap.arrange();
  while (!heap.empty() && state.buyers_unserved > 0) {
    const best_pairs::entry top = heap.top();
    if (state.usable(top.pair)) {
      const energy_mwh q = state.trade(top.pair);
      trades.push_back(scorer.make_trade(top.pair.buyer, top.pair.seller, q, top.pair.distance, top.pair.score));
      if (options.on_trades && trades.size() - handed_over == trades_per_batch) {
        options.on_trades(trades.data() + handed_over, trades_per_batch);
        handed_over = trades.size();
      }
      if (state.buyer_left[top.pair.buyer] == 0) buyers.leave(top.pair.buyer);
      if (state.seller_left[top.pair.seller] == 0) sellers.leave(top.pair.seller);
    }
    if (reader.best(top.cell, p)) heap.replace_top({p, top.cell});
    else heap.pop();
  }
  if (options.on_trades && trades.size() > handed_over)
    options.on_trades(trades.data() + handed_over, trades.size() - handed_over);
  return trades;
}

}  // namespace voltaic::market
