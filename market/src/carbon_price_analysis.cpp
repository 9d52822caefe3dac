#include "voltaic/market/carbon_price_analysis.hpp"

#include <gsl/gsl_rng.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>

#include "voltaic/market/kernel_marginal.hpp"
#include "voltaic/market/strict_table.hpp"

namespace voltaic::market {

namespace {

// A plain decimal: -?[0-9]+(\.[0-9]+)?
bool parse_decimal(std::string_view s, double& out) {
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  const auto dot = digits.find('.');
  const auto whole = digits.substr(0, dot);
  const auto frac = dot == std::string_view::npos ? std::string_view{} : digits.substr(dot + 1);
  auto all_digits = [](std::string_view t) {
    return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(frac))) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

result<price_pairs> load_price_pairs(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return text.err();
  price_pairs p;
  const auto read = read_strict_table(text.value(), path, "electricity,carbon", 2,
                                      [&p](const std::vector<std::string_view>& f) -> std::string {
                                        double x = 0, y = 0;
                                        if (!parse_decimal(f[0], x) || !parse_decimal(f[1], y))
                                          return "prices must be plain decimals such as 0.42 or 31.5";
                                        p.electricity.push_back(x);
                                        p.carbon.push_back(y);
                                        return {};
                                      });
  if (!read) return read.err();
  return p;
}

result<price_analysis> analyze_carbon_prices(const price_pairs& prices, const price_analysis_options& options) {
  if (options.samples < 2) return make_error(errc::invalid_argument, "at least 2 samples are needed");
  auto obs = pseudo_observations_of(prices.electricity, prices.carbon);
  if (!obs) return obs.err();
  auto fx = kernel_marginal::of(prices.electricity);
  if (!fx) return fx.err();
  auto fy = kernel_marginal::of(prices.carbon);
  if (!fy) return fy.err();
  price_analysis a;
  a.n = prices.electricity.size();
  a.spearman = obs.value().spearman;
  a.fits = fit_copulas(obs.value());
  const copula chosen = chosen_fit(a.fits).fitted;
  a.chosen = chosen.family;

  auto sorted_x = prices.electricity;
  std::sort(sorted_x.begin(), sorted_x.end());
  const double x0 = options.given_electricity.value_or(interpolated_quantile(sorted_x, 0.5));
  const double n = static_cast<double>(a.n);
  const double u0 = std::clamp(fx.value().cdf(x0), 1 / (n + 1), n / (n + 1));

  std::unique_ptr<gsl_rng, void (*)(gsl_rng*)> rng(gsl_rng_alloc(gsl_rng_mt19937), gsl_rng_free);
  gsl_rng_set(rng.get(), static_cast<unsigned long>(options.seed));
  std::vector<double> v(options.samples);
  for (auto& x : v) x = copula_h_inverse(chosen, gsl_rng_uniform_pos(rng.get()), u0);
  // y_k = F_Y^-1(v_k) rises with v_k, so the percentiles of the y_k are the
  // inverse CDF at the order statistics of the v_k, interpolated the same
  // way: four inversions instead of one per sample.
  std::sort(v.begin(), v.end());
  auto percentile = [&](double p) {
    const double pos = p * static_cast<double>(v.size() - 1);
    const auto j = static_cast<std::size_t>(pos);
    const double lo = fy.value().quantile(v[j]);
    if (j + 1 >= v.size()) return lo;
    const double frac = pos - static_cast<double>(j);
    return frac == 0 ? lo : lo + frac * (fy.value().quantile(v[j + 1]) - lo);
  };
  a.bid_low = percentile(0.25);
  a.bid_high = percentile(0.75);
  return a;
}

}  // namespace voltaic::market
