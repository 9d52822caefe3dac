#include "voltaic/market/matching.hpp"

#include <algorithm>
#include <queue>
#include <string>

#include "voltaic/market/score.hpp"

namespace voltaic::market {

namespace {

// Everything the score of a (winning buyer j, winning seller i) pair needs,
// precomputed once per cycle into flat arrays, so the inner loops over
// sellers read contiguous memory. j and i are positions among the winners.
class pair_scorer {
 public:
  pair_scorer(const std::vector<order>& book, const clearing_result& cl,
              const distance_table& distances, const matching_options& opt)
      : book_(book), cl_(cl), distances_(distances),
        charge_per_m_(static_cast<double>(opt.charge_per_m) / 1e6), charge_per_m_uc_(opt.charge_per_m) {
    const double p0 = to_credits(cl.price);
    sellers_.reserve(cl.sellers.size());
    for (std::size_t i = 0; i < cl.sellers.size(); ++i) {
      const order& s = book[cl.sellers[i]];
      sellers_.push_back({s.price, s.location, to_metres(s.distance_pref),
                          seller_welfare(s.welfare, p0, to_kwh(cl.seller_allowed[i]))});
    }
    buyers_.reserve(cl.buyers.size());
    for (std::size_t j = 0; j < cl.buyers.size(); ++j) {
      const order& b = book[cl.buyers[j]];
      buyers_.push_back({b.price, b.location, to_metres(b.distance_pref),
                         buyer_welfare(b.welfare, p0, to_kwh(cl.buyer_energy[j]))});
    }
  }

  std::size_t buyers() const { return buyers_.size(); }
  std::size_t sellers() const { return sellers_.size(); }

  distance_mm distance(std::size_t j, std::size_t i) const {
    if (distances_.is_uniform()) return distances_.uniform_distance();
    const std::int32_t row = buyers_[j].location, col = sellers_[i].location;
    if (row < 0 || col < 0 || static_cast<std::size_t>(row) >= distances_.rows() ||
        static_cast<std::size_t>(col) >= distances_.cols())
      return distance_table::unknown;
    return distances_.at(static_cast<std::size_t>(row), static_cast<std::size_t>(col));
  }

  double score(std::size_t j, std::size_t i, distance_mm d) const {
    const party& b = buyers_[j];
    const party& s = sellers_[i];
    return pair_score({to_credits(b.price), b.price >= s.price, static_cast<double>(d) / 1e3, charge_per_m_,
                       (s.welfare + b.welfare) / 2.0, b.pref_m, s.pref_m});
  }

  error missing(std::size_t j, std::size_t i) const {
    return make_error(errc::missing_distance, "no distance between buyer '" +
                                                  book_[cl_.buyers[j]].id + "' and seller '" +
                                                  book_[cl_.sellers[i]].id + "'");
  }

  trade make_trade(std::size_t j, std::size_t i, energy_mwh q, distance_mm d, double score) const {
    trade t;
    t.buyer = cl_.buyers[j];
    t.seller = cl_.sellers[i];
    t.energy = q;
    t.distance = d;
    t.score = score;
    t.charge = div_round_half_even(static_cast<int128>(charge_per_m_uc_) * d, mm_per_m);
    t.payment = money_for(cl_.price, q);
    return t;
  }

 private:
  struct party {
    price_ucpkwh price;
    std::int32_t location;
    double pref_m;   // +inf for anywhere
    double welfare;  // W_S or W_B at p0
  };
  const std::vector<order>& book_;
  const clearing_result& cl_;
  const distance_table& distances_;
  double charge_per_m_;
  money_uc charge_per_m_uc_;
  std::vector<party> sellers_;
  std::vector<party> buyers_;
};

// A pair's place in the walk: score descending, then buyer, then seller.
struct ranked_pair {
  double score;
  std::uint32_t buyer;   // winner position
  std::uint32_t seller;  // winner position
  distance_mm distance;
};

inline bool walks_before(const ranked_pair& a, const ranked_pair& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.buyer != b.buyer) return a.buyer < b.buyer;
  return a.seller < b.seller;
}

// Remaining energy of each side; trade() applies one step of the walk.
struct walk_state {
  std::vector<energy_mwh> buyer_left;
  std::vector<energy_mwh> seller_left;
  std::size_t buyers_unserved = 0;

  explicit walk_state(const clearing_result& cl)
      : buyer_left(cl.buyer_energy), seller_left(cl.seller_allowed),
        buyers_unserved(cl.buyer_energy.size()) {}

  bool usable(const ranked_pair& p) const {
    return buyer_left[p.buyer] > 0 && seller_left[p.seller] > 0;
  }
  energy_mwh trade(const ranked_pair& p) {
    const energy_mwh q = std::min(buyer_left[p.buyer], seller_left[p.seller]);
    buyer_left[p.buyer] -= q;
    seller_left[p.seller] -= q;
    if (buyer_left[p.buyer] == 0) --buyers_unserved;
    return q;
  }
};

// One buyer's sorted window of candidate sellers (best first).
struct buyer_window {
  std::vector<ranked_pair> pairs;
  std::size_t next = 0;
  std::size_t capacity = 16;  // doubles at each refill
  bool has_last = false;
  ranked_pair last{};        // the last pair handed out; refills continue after it
  bool exhausted = false;    // no seller left that this buyer has not passed
};

}  // namespace

result<std::vector<trade>> match_reference(const std::vector<order>& book,
                                           const clearing_result& clearing,
                                           const distance_table& distances,
                                           const matching_options& options) {
  std::vector<trade> trades;
  if (!clearing.traded) return trades;
  const pair_scorer scorer(book, clearing, distances, options);
  std::vector<ranked_pair> pairs;
  pairs.reserve(scorer.buyers() * scorer.sellers());
  for (std::size_t j = 0; j < scorer.buyers(); ++j) {
    for (std::size_t i = 0; i < scorer.sellers(); ++i) {
      if (clearing.seller_allowed[i] == 0) continue;  // never usable
      const distance_mm d = scorer.distance(j, i);
      if (d == distance_table::unknown) return scorer.missing(j, i);
      pairs.push_back({scorer.score(j, i, d), static_cast<std::uint32_t>(j),
                       static_cast<std::uint32_t>(i), d});
    }
  }
  std::sort(pairs.begin(), pairs.end(), walks_before);
  walk_state state(clearing);
  for (const ranked_pair& p : pairs) {
    if (state.buyers_unserved == 0) break;
    if (!state.usable(p)) continue;
    const energy_mwh q = state.trade(p);
    trades.push_back(scorer.make_trade(p.buyer, p.seller, q, p.distance, p.score));
  }
  return trades;
}

result<std::vector<trade>> match(const std::vector<order>& book, const clearing_result& clearing,
                                 const distance_table& distances, const matching_options& options) {
  std::vector<trade> trades;
  if (!clearing.traded) return trades;
  const pair_scorer scorer(book, clearing, distances, options);
  const std::size_t nb = scorer.buyers(), ns = scorer.sellers();
  walk_state state(clearing);
  std::vector<buyer_window> windows(nb);
  std::vector<ranked_pair> scratch;
  scratch.reserve(ns);

  // Refills buyer j's window with its best sellers that are still selling and
  // come after the last pair it handed out. Sellers that have sold out never
  // sell again, so leaving them out changes nothing in the walk.
  auto refill = [&](std::size_t j) -> status {
    buyer_window& w = windows[j];
    scratch.clear();
    for (std::size_t i = 0; i < ns; ++i) {
      if (state.seller_left[i] == 0) continue;
      const distance_mm d = scorer.distance(j, i);
      if (d == distance_table::unknown) return scorer.missing(j, i);
      const ranked_pair p{scorer.score(j, i, d), static_cast<std::uint32_t>(j),
                          static_cast<std::uint32_t>(i), d};
      if (w.has_last && !walks_before(w.last, p)) continue;
      scratch.push_back(p);
    }
    const std::size_t keep = std::min(w.capacity, scratch.size());
    std::partial_sort(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(keep),
                      scratch.end(), walks_before);
    w.pairs.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(keep));
    w.next = 0;
    w.exhausted = w.pairs.empty();
    w.capacity *= 2;
    return {};
  };
  // Moves buyer j to its next candidate; false when it has none.
  auto advance = [&](std::size_t j) -> result<bool> {
    buyer_window& w = windows[j];
    if (w.next >= w.pairs.size()) {
      if (auto st = refill(j); !st) return st.err();
      if (w.exhausted) return false;
    }
    w.last = w.pairs[w.next++];
    w.has_last = true;
    return true;
  };

  auto heap_order = [](const ranked_pair& a, const ranked_pair& b) { return walks_before(b, a); };
  std::priority_queue<ranked_pair, std::vector<ranked_pair>, decltype(heap_order)> heads(heap_order);
  for (std::size_t j = 0; j < nb; ++j) {
    auto more = advance(j);
    if (!more) return more.err();
    if (more.value()) heads.push(windows[j].last);
  }
  while (!heads.empty() && state.buyers_unserved > 0) {
    const ranked_pair p = heads.top();
    heads.pop();
    if (state.usable(p)) {
      const energy_mwh q = state.trade(p);
      trades.push_back(scorer.make_trade(p.buyer, p.seller, q, p.distance, p.score));
    }
    if (state.buyer_left[p.buyer] == 0) continue;  // served: leaves the walk
    auto more = advance(p.buyer);
    if (!more) return more.err();
    if (more.value()) heads.push(windows[p.buyer].last);
  }
  return trades;
}

}  // namespace voltaic::market
