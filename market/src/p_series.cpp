#include "voltaic/market/p_series.hpp"

#include <array>
#include <numeric>

namespace voltaic::market {

namespace {

constexpr std::int64_t min_kwh = 15;
constexpr std::int64_t max_kwh = 80;

// The printed energies (kWh) of Tables 3.7/3.8 in list order; the fixtures
// take the first 25 per side.
constexpr std::array<std::int64_t, 28> printed_seller_kwh = {80, 45, 37, 30, 25, 30, 40, 30, 35, 28,
                                                             33, 47, 34, 80, 22, 50, 40, 43, 15, 20,
                                                             60, 37, 44, 18, 80, 30, 40, 35};
constexpr std::array<std::int64_t, 27> printed_buyer_kwh = {80, 45, 37, 30, 25, 30, 40, 30, 35, 28, 33, 47, 34, 80,
                                                            22, 50, 40, 43, 15, 20, 60, 37, 44, 18, 80, 35, 65};

// Printed prices in micro-credits per kWh, 25 per side.
struct printed_prices {
  std::array<price_ucpkwh, 25> sellers;
  std::array<price_ucpkwh, 25> buyers;
};

constexpr printed_prices coop_prices = {
    {198000, 172000, 172000, 195000, 196000, 203000, 213000, 201000, 167000, 175000, 173000, 178000, 201000,
     201000, 187000, 167000, 184000, 207000, 189000, 228000, 172000, 200000, 221000, 171000, 191000},
    {199000, 202000, 199000, 189000, 224000, 200000, 226000, 193000, 200000, 189000, 194000, 211000, 210000,
     194000, 204000, 198000, 211000, 195000, 218000, 187000, 205000, 187000, 195000, 192000, 218000}};

constexpr printed_prices noncoop_prices = {
    {287000, 206000, 155000, 168000, 147000, 170000, 240000, 197000, 221000, 249000, 182000, 246000, 204000,
     199000, 227000, 204000, 186000, 289000, 214000, 213000, 194000, 146000, 269000, 169000, 217500},
    {188000, 209000, 182000, 189000, 229000, 195000, 211000, 193000, 171000, 193000, 191000, 206000, 192000,
     223000, 161000, 210000, 192000, 222000, 204000, 235000, 194000, 196000, 212000, 223000, 178000}};

// Draws n energies and walks them to `total` one kWh at a time (1.2).
std::vector<std::int64_t> energies_to_total(std::size_t n, std::int64_t total, rng& random) {
  std::vector<std::int64_t> w(n);
  for (auto& e : w) e = random.between(min_kwh, max_kwh);
  std::int64_t sum = std::accumulate(w.begin(), w.end(), std::int64_t{0});
  while (sum != total) {
    auto& e = w[static_cast<std::size_t>(random.between(0, static_cast<std::int64_t>(n) - 1))];
    if (sum < total && e < max_kwh) {
      ++e;
      ++sum;
    } else if (sum > total && e > min_kwh) {
      --e;
      --sum;
    }
  }
  return w;
}

// One order at its place in the printed lists; `k` counts within its side.
order p_order(side s, std::size_t k, std::size_t seq, price_ucpkwh price, std::int64_t kwh) {
  order o;
  o.side = s;
  o.id = s == side::sell ? p_seller_ids()[k] : p_buyer_ids()[k];
  o.price = price;
  o.energy = kwh * mwh_per_kwh;
  o.seq = seq;
  o.location = static_cast<std::int32_t>(s == side::sell ? k : p_seller_ids().size() + k);
  return o;
}

}  // namespace

const std::vector<p_scenario>& p_scenarios() {
  static const std::vector<p_scenario> table = {
      {"P-10", 5, 5, 155, 163},    {"P-20", 11, 9, 382, 322},    {"P-30", 14, 16, 524, 658},
      {"P-40", 22, 18, 841, 713},  {"P-50", 25, 25, 1003, 1003}, {"P-55", 28, 27, 1108, 1103},
  };
  return table;
}

result<p_scenario> find_p_scenario(std::string_view name) {
  for (const auto& s : p_scenarios())
    if (s.name == name) return s;
  return make_error(errc::invalid_argument,
                    "unknown series '" + std::string(name) + "' (use P-10, P-20, P-30, P-40, P-50 or P-55)");
}

const std::vector<std::string>& p_seller_ids() {
  static const std::vector<std::string> ids = {"76", "20", "114", "56", "33",  "72",  "41", "9",   "97",  "112",
                                               "6",  "115", "65", "83", "12",  "77",  "61", "32",  "116", "93",
                                               "38", "73",  "103", "66", "107", "46", "106", "88"};
  return ids;
}

const std::vector<std::string>& p_buyer_ids() {
  static const std::vector<std::string> ids = {"10", "53", "87", "23", "81",  "48", "28",  "36",  "59",
                                               "110", "39", "4",  "80", "45",  "96", "24",  "51",  "113",
                                               "101", "11", "95", "63", "29",  "44", "102", "49",  "75"};
  return ids;
}

p_energies generate_p_energies(const p_scenario& scenario, std::uint64_t seed) {
  rng random(4 * seed);
  p_energies e;
  e.sellers = energies_to_total(scenario.sellers, scenario.seller_kwh, random);
  e.buyers = energies_to_total(scenario.buyers, scenario.buyer_kwh, random);
  return e;
}

result<std::vector<order>> generate_p_book(const p_scenario& scenario, strategy_kind behaviour,
                                           std::uint64_t seed) {
  if (behaviour != strategy_kind::cooperative && behaviour != strategy_kind::non_cooperative)
    return make_error(errc::invalid_argument, std::string("a P-series book is cooperative or non_cooperative, not ") +
                                                  to_string(behaviour));
  if (scenario.sellers > p_seller_ids().size() || scenario.buyers > p_buyer_ids().size() ||
      scenario.seller_kwh < min_kwh * static_cast<std::int64_t>(scenario.sellers) ||
      scenario.seller_kwh > max_kwh * static_cast<std::int64_t>(scenario.sellers) ||
      scenario.buyer_kwh < min_kwh * static_cast<std::int64_t>(scenario.buyers) ||
      scenario.buyer_kwh > max_kwh * static_cast<std::int64_t>(scenario.buyers))
    return make_error(errc::invalid_argument, "scenario " + scenario.name + " cannot be drawn from the P-series lists");
  const auto energies = generate_p_energies(scenario, seed);
  rng prices(4 * seed + (behaviour == strategy_kind::cooperative ? 1 : 2));
  std::vector<order> book;
  for (std::size_t k = 0; k < scenario.sellers; ++k)
    book.push_back(p_order(side::sell, k, book.size(),
                           draw_price(price_draw_of(behaviour, side::sell), p_reference_price, prices),
                           energies.sellers[k]));
  for (std::size_t k = 0; k < scenario.buyers; ++k)
    book.push_back(p_order(side::buy, k, book.size(),
                           draw_price(price_draw_of(behaviour, side::buy), p_reference_price, prices),
                           energies.buyers[k]));
  return book;
}

bool is_p_fixture(std::string_view name) { return name == p50_coop_fixture || name == p50_noncoop_fixture; }

result<std::vector<order>> p_fixture_book(std::string_view name) {
  if (!is_p_fixture(name))
    return make_error(errc::invalid_argument, "unknown fixture '" + std::string(name) + "' (use " +
                                                  std::string(p50_coop_fixture) + " or " +
                                                  std::string(p50_noncoop_fixture) + ")");
  const auto& prices = name == p50_coop_fixture ? coop_prices : noncoop_prices;
  std::vector<order> book;
  for (std::size_t k = 0; k < prices.sellers.size(); ++k)
    book.push_back(p_order(side::sell, k, book.size(), prices.sellers[k], printed_seller_kwh[k]));
  for (std::size_t k = 0; k < prices.buyers.size(); ++k)
    book.push_back(p_order(side::buy, k, book.size(), prices.buyers[k], printed_buyer_kwh[k]));
  return book;
}

}  // namespace voltaic::market
