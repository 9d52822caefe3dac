#pragma once
// Pieces shared by the two matchers (matching.cpp, matching_reference.cpp):
// the pair scorer, a pair's place in the walk, and the remaining energy of
// each side. Internal to voltaic::market.
#include <algorithm>
#include <cstdint>
#include <string>

#include "voltaic/market/matching.hpp"
#include "voltaic/market/score.hpp"

namespace voltaic::market::detail {

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
                          seller_welfare(s.welfare, p0, to_kwh(cl.seller_allowed[i])), to_credits(s.price)});
    }
    buyers_.reserve(cl.buyers.size());
    for (std::size_t j = 0; j < cl.buyers.size(); ++j) {
      const order& b = book[cl.buyers[j]];
      buyers_.push_back({b.price, b.location, to_metres(b.distance_pref),
                         buyer_welfare(b.welfare, p0, to_kwh(cl.buyer_energy[j])), to_credits(b.price)});
    }
  }

  std::size_t buyers() const { return buyers_.size(); }
  const distance_table& distances() const { return distances_; }
  std::int32_t buyer_location(std::size_t j) const { return buyers_[j].location; }
  std::int32_t seller_location(std::size_t i) const { return sellers_[i].location; }
  double seller_pref_m(std::size_t i) const { return sellers_[i].pref_m; }
  double buyer_pref_m(std::size_t j) const { return buyers_[j].pref_m; }
  double buyer_welfare_at_p0(std::size_t j) const { return buyers_[j].welfare; }
  double seller_welfare_at_p0(std::size_t i) const { return sellers_[i].welfare; }
  price_ucpkwh buyer_price(std::size_t j) const { return buyers_[j].price; }
  price_ucpkwh seller_price(std::size_t i) const { return sellers_[i].price; }
  std::size_t sellers() const { return sellers_.size(); }

  distance_mm distance(std::size_t j, std::size_t i) const {
    if (distances_.is_uniform()) return distances_.uniform_distance();
    const std::int32_t row = buyers_[j].location, col = sellers_[i].location;
    if (row < 0 || col < 0 || static_cast<std::size_t>(row) >= distances_.rows() ||
        static_cast<std::size_t>(col) >= distances_.cols())
      return distance_table::unknown;
    return distances_.at(static_cast<std::size_t>(row), static_cast<std::size_t>(col));
  }

  double score(std::size_t j, std::size_t i, distance_mm d) const { return pair_score(inputs(j, i, d)); }
  double score_price(std::size_t j, std::size_t i, distance_mm d) const {
    return market::score_price(inputs(j, i, d));
  }

  // The inputs of the pair's score; in a cell of buyers and sellers that
  // share these inputs, only mean_welfare differs from pair to pair.
  score_inputs inputs(std::size_t j, std::size_t i, distance_mm d) const {
    const party& b = buyers_[j];
    const party& s = sellers_[i];
    return {b.price_credits, b.price >= s.price, static_cast<double>(d) / 1e3, charge_per_m_,
            mean_welfare(s.welfare, b.welfare), b.pref_m, s.pref_m};
  }
  static double mean_welfare(double seller_welfare, double buyer_welfare) {
    return (seller_welfare + buyer_welfare) / 2.0;
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
    double price_credits;
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

  // Whether each side still has energy, one byte per party: the walk asks
  // this of nearly every pair it reads, and a million orders' flags stay in
  // cache where their energies do not.
  std::vector<std::uint8_t> buyer_open;
  std::vector<std::uint8_t> seller_open;

  explicit walk_state(const clearing_result& cl)
      : buyer_left(cl.buyer_energy), seller_left(cl.seller_allowed),
        buyers_unserved(cl.buyer_energy.size()), buyer_open(buyer_left.size()), seller_open(seller_left.size()) {
    for (std::size_t j = 0; j < buyer_left.size(); ++j) buyer_open[j] = buyer_left[j] > 0;
    for (std::size_t i = 0; i < seller_left.size(); ++i) seller_open[i] = seller_left[i] > 0;
  }

  bool usable(const ranked_pair& p) const { return buyer_open[p.buyer] && seller_open[p.seller]; }
  energy_mwh trade(const ranked_pair& p) {
    const energy_mwh q = std::min(buyer_left[p.buyer], seller_left[p.seller]);
    buyer_left[p.buyer] -= q;
    seller_left[p.seller] -= q;
    if (buyer_left[p.buyer] == 0) --buyers_unserved, buyer_open[p.buyer] = 0;
    if (seller_left[p.seller] == 0) seller_open[p.seller] = 0;
    return q;
  }
};

}  // namespace voltaic::market::detail
