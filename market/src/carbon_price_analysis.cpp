#include "voltaic/market/carbon_price_analysis.hpp"

#include <gsl/gsl_rng.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "voltaic/market/kernel_marginal.hpp"

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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return make_error(errc::io_error, path + ":0: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::io_error, path + ":0: cannot read the file");
  std::ostringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  price_pairs p;
  std::size_t at = 0, line_no = 0;
  while (at < text.size()) {
    ++line_no;
    const auto end = text.find('\n', at);
    std::string_view line(text.data() + at, (end == std::string::npos ? text.size() : end) - at);
    at = end == std::string::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto bad = [&](const std::string& what) {
      return make_error(errc::malformed_file, path + ":" + std::to_string(line_no) + ": " + what);
    };
    if (line_no == 1) {
      if (line != "electricity,carbon") return bad("the header must be exactly electricity,carbon");
      continue;
    }
    if (line.empty()) return bad("an empty line");
    const auto comma = line.find(',');
    double x = 0, y = 0;
    if (comma == std::string_view::npos || line.find(',', comma + 1) != std::string_view::npos)
      return bad("expected 2 fields");
    if (!parse_decimal(line.substr(0, comma), x) || !parse_decimal(line.substr(comma + 1), y))
      return bad("prices must be plain decimals such as 0.42 or 31.5");
    p.electricity.push_back(x);
    p.carbon.push_back(y);
  }
  if (line_no == 0) return make_error(errc::malformed_file, path + ":1: the header must be exactly electricity,carbon");
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
