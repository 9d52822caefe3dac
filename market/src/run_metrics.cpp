#include "voltaic/market/run_metrics.hpp"

#include <algorithm>
#include <limits>

#include "voltaic/market/welfare.hpp"

namespace voltaic::market {

namespace {

double credits(std::int64_t micro) { return static_cast<double>(micro) / uc_per_credit; }
double kwh(energy_mwh e) { return static_cast<double>(e) / mwh_per_kwh; }

}  // namespace

party_result party_result_of(const order& o, std::uint32_t index, energy_mwh traded, price_ucpkwh p0) {
  const double price = credits(p0);
  const double q = kwh(traded);
  party_result r{index, o.side, traded, 0, 0};
  if (o.side == side::sell) {
    r.welfare = seller_welfare(o.welfare, price, q);
    r.surplus = (price - credits(o.price)) * q;
  } else {
    r.welfare = buyer_welfare(o.welfare, price, q);
    r.surplus = (credits(o.price) - price) * q;
  }
  return r;
}

std::vector<party_result> party_results(const std::vector<order>& book, const cycle_result& cycle) {
  std::vector<energy_mwh> traded(book.size(), 0);
  for (const auto& t : cycle.trades) {
    traded[t.buyer] += t.energy;
    traded[t.seller] += t.energy;
  }
  std::vector<party_result> parties;
  for (std::uint32_t i = 0; i < book.size(); ++i)
    if (traded[i] > 0) parties.push_back(party_result_of(book[i], i, traded[i], cycle.clearing.price));
  return parties;
}

run_metrics metrics_of(const std::vector<order>& book, const cycle_result& cycle) {
  const auto& c = cycle.clearing;
  run_metrics m;
  m.case_number = c.case_number;
  m.p0 = c.price;
  for (const auto& o : book) (o.side == side::sell ? m.sellers : m.buyers) += 1;

  // Sums in book order, so the doubles are the same on every run.
  for (const auto& p : party_results(book, cycle)) {
    if (p.side == side::sell) {
      ++m.trading_sellers;
      m.welfare_sellers += p.welfare;
      m.surplus_sellers += p.surplus;
    } else {
      ++m.trading_buyers;
      m.welfare_buyers += p.welfare;
      m.surplus_buyers += p.surplus;
    }
  }
  m.social_welfare = m.welfare_sellers + m.welfare_buyers;
  if (!book.empty())
    m.participation = static_cast<double>(m.trading_sellers + m.trading_buyers) / static_cast<double>(book.size());

  for (auto s : c.sellers) m.imbalance += book[s].energy;
  for (auto b : c.buyers) m.imbalance -= book[b].energy;
  m.reduction_per_seller_kwh = c.surplus_share_kwh;

  std::vector<energy_mwh> bought(book.size(), 0);
  double cost_sum = 0;
  double distance_sum_m = 0;
  m.min_cost = std::numeric_limits<double>::max();
  for (const auto& t : cycle.trades) {
    if (t.energy <= 0) continue;
    ++m.trades;
    m.traded += t.energy;
    bought[t.buyer] += t.energy;
    const double cost = credits(t.payment + buyer_charge_share(t.charge));
    cost_sum += cost;
    m.max_cost = std::max(m.max_cost, cost);
    m.min_cost = std::min(m.min_cost, cost);
    distance_sum_m += static_cast<double>(t.distance) / mm_per_m;
  }
  if (m.trades > 0) {
    m.mean_cost = cost_sum / static_cast<double>(m.trades);
    m.mean_distance_m = distance_sum_m / static_cast<double>(m.trades);
  } else {
    m.min_cost = 0;
  }
  for (auto b : c.buyers)
    if (bought[b] < book[b].energy) {
      ++m.buyers_short;
      m.short_energy += book[b].energy - bought[b];
    }
  return m;
}

}  // namespace voltaic::market
