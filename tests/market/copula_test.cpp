// The carbon price analysis (spec/carbon.md section 5): pseudo-observations
// and Spearman's rho of carbon.json, each family's density against its own
// h-function, samples from every family recognised by AIC with their
// parameter, the kernel marginals, the seeded bid range, and bad files.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include "support/json.hpp"
#include "support/paths.hpp"
#include "voltaic/market/carbon_price_analysis.hpp"
#include "voltaic/market/kernel_marginal.hpp"
#include "voltaic/market/rng.hpp"

using namespace voltaic;
using namespace voltaic::market;

namespace {

const test::json& vectors() {
  static const test::json v =
      test::json::parse(test::read_text(test::source_dir() + "/tests/data/testvectors/carbon.json"));
  return v;
}

// n pairs (u, v) of a copula: u uniform, v = h^-1(w | u) with w uniform.
std::pair<std::vector<double>, std::vector<double>> sample(const copula& c, std::size_t n, rng& r) {
  std::vector<double> u(n), v(n);
  for (std::size_t k = 0; k < n; ++k) {
    u[k] = r.uniform(1e-9, 1);
    v[k] = copula_h_inverse(c, r.uniform(1e-9, 1), u[k]);
  }
  return {u, v};
}

std::string write(const std::string& name, const std::string& text) {
  std::ofstream(name, std::ios::binary) << text;
  return name;
}

const copula examples[] = {{copula_family::gaussian, 0.6, 0}, {copula_family::gaussian, -0.4, 0},
                           {copula_family::student_t, 0.5, 4}, {copula_family::clayton, 3, 0},
                           {copula_family::gumbel, 2.5, 0},    {copula_family::frank, 8, 0},
                           {copula_family::frank, -5, 0}};

}  // namespace

TEST_CASE("pseudo-observations take mid-ranks over n + 1, and Spearman's rho gives the Gaussian start value") {
  for (const auto& c : vectors()["analyze_checks"].arr) {
    const std::string path = write("copula_test_prices.csv", c["csv"].str);
    const auto prices = load_price_pairs(path).value();
    const auto obs = pseudo_observations_of(prices.electricity, prices.carbon).value();
    const auto& ex = c["expected"];
    REQUIRE(obs.u.size() == static_cast<std::size_t>(ex["n"].num));
    for (std::size_t i = 0; i < obs.u.size(); ++i) {
      CHECK(std::fabs(obs.u[i] - ex["u"][i].num) < 1e-12);
      CHECK(std::fabs(obs.v[i] - ex["v"][i].num) < 1e-12);
    }
    CHECK(std::fabs(obs.spearman - ex["spearman"].num) < 1e-12);
    CHECK(std::fabs(gaussian_start(obs.spearman) - ex["gaussian_start_rho"].num) < 1e-12);
    CHECK(std::fabs(gaussian_start(obs.spearman) - 2 * std::sin(M_PI * obs.spearman / 6)) == 0);
  }
}

TEST_CASE("each family's density is the derivative of its h-function, and h-inverse inverts h") {
  for (const auto& c : examples) {
    INFO(to_string(c.family) << " " << c.param);
    for (double u : {0.05, 0.3, 0.5, 0.77, 0.95})
      for (double v : {0.1, 0.4, 0.6, 0.9}) {
        // c(u, v) = d h(v | u) / dv, by a central difference.
        const double eps = 1e-5;
        const double numeric = (copula_h(c, v + eps, u) - copula_h(c, v - eps, u)) / (2 * eps);
        CHECK(std::exp(copula_log_density(c, u, v)) == doctest::Approx(numeric).epsilon(1e-4));
      }
    for (double u : {0.02, 0.5, 0.98})
      for (double w : {0.01, 0.25, 0.5, 0.75, 0.99}) {
        const double v = copula_h_inverse(c, w, u);
        CHECK(v > 0);
        CHECK(v < 1);
        CHECK(copula_h(c, v, u) == doctest::Approx(w).epsilon(1e-7));
      }
  }
}

TEST_CASE("samples of every family at n = 500 are recognised by the lowest AIC in most draws, their parameter close") {
  rng r(42);
  const int draws = 8;
  for (const auto& c : {examples[0], examples[2], examples[3], examples[4], examples[5]}) {
    int recognised = 0;
    double worst = 0;
    for (int d = 0; d < draws; ++d) {
      const auto [u, v] = sample(c, 500, r);
      const auto fits = fit_copulas(pseudo_observations_of(u, v).value());
      const auto& best = chosen_fit(fits);
      recognised += best.fitted.family == c.family;
      for (const auto& f : fits)
        if (f.fitted.family == c.family) {
          // rho within 0.08; theta within 20 %.
          const double off = c.family == copula_family::gaussian || c.family == copula_family::student_t
                                 ? std::fabs(f.fitted.param - c.param) / 0.08
                                 : std::fabs(f.fitted.param - c.param) / (0.2 * std::fabs(c.param));
          worst = std::max(worst, off);
        }
    }
    INFO(to_string(c.family) << ": recognised in " << recognised << " of " << draws << ", worst parameter at "
                             << worst << " of the tolerance");
    CHECK(recognised * 2 > draws);
    CHECK(worst < 1);
  }
}

TEST_CASE("fits list every family in order, Clayton and Gumbel only with positive dependence, AIC = 2k - 2 loglik") {
  rng r(9);
  const auto [u, v] = sample(examples[1], 300, r);  // negative dependence
  const auto fits = fit_copulas(pseudo_observations_of(u, v).value());
  REQUIRE(fits.size() == 3);
  CHECK(fits[0].fitted.family == copula_family::gaussian);
  CHECK(fits[1].fitted.family == copula_family::student_t);
  CHECK(fits[2].fitted.family == copula_family::frank);
  CHECK(fits[1].fitted.nu >= 2);
  CHECK(fits[1].fitted.nu <= 30);
  CHECK(fits[0].aic == doctest::Approx(2 - 2 * fits[0].loglik));
  CHECK(fits[1].aic == doctest::Approx(4 - 2 * fits[1].loglik));
  CHECK(fits[2].fitted.param < 0);
  CHECK(pseudo_observations_of({1, 2, 3}, {1, 2, 3}).err().message == "the analysis needs at least 10 price pairs, not 3");
  CHECK_FALSE(pseudo_observations_of(std::vector<double>(12, 1.0), std::vector<double>(12, 2.0)).ok());
}

TEST_CASE("kernel marginals: Silverman's bandwidth, a CDF from 0 to 1, and quantiles that invert it") {
  const std::vector<double> data = {30.1, 31.0, 29.5, 33.2, 35.0, 28.7, 33.2, 32.0, 30.5, 34.1, 31.8, 32.9};
  const auto m = kernel_marginal::of(data).value();
  // sd 2.0516..., IQR from interpolated quartiles 30.4 .. 33.2 = 2.8 -> 2.8/1.34 = 2.0896: sd is the smaller.
  double mean = 0, squares = 0;
  for (double d : data) mean += d / 12;
  for (double d : data) squares += (d - mean) * (d - mean);
  const double sd = std::sqrt(squares / 11);
  CHECK(m.bandwidth() == doctest::Approx(0.9 * std::min(sd, 2.8 / 1.34) * std::pow(12.0, -0.2)).epsilon(1e-12));
  CHECK(m.cdf(0) < 1e-12);
  CHECK(m.cdf(100) > 1 - 1e-12);
  for (double p : {0.01, 0.25, 0.5, 0.9, 0.999}) CHECK(m.cdf(m.quantile(p)) == doctest::Approx(p).epsilon(1e-7));
  CHECK_FALSE(kernel_marginal::of({3, 3, 3}).ok());
}

TEST_CASE("the recommended bid range is seeded, ordered, and follows the electricity price under positive dependence") {
  rng r(5);
  const auto [u, v] = sample(examples[0], 400, r);
  price_pairs prices;
  for (std::size_t k = 0; k < u.size(); ++k) {
    prices.electricity.push_back(0.15 + 0.1 * u[k]);
    prices.carbon.push_back(20 + 20 * v[k]);
  }
  price_analysis_options o;
  o.samples = 2'000;
  const auto a = analyze_carbon_prices(prices, o).value();
  const auto again = analyze_carbon_prices(prices, o).value();
  CHECK(a.bid_low == again.bid_low);
  CHECK(a.bid_high == again.bid_high);
  CHECK(a.bid_low < a.bid_high);
  CHECK(a.chosen == chosen_fit(a.fits).fitted.family);
  o.seed = 2;
  CHECK(analyze_carbon_prices(prices, o).value().bid_low != a.bid_low);
  o.given_electricity = 0.24;
  const auto high = analyze_carbon_prices(prices, o).value();
  o.given_electricity = 0.16;
  const auto low = analyze_carbon_prices(prices, o).value();
  CHECK(high.bid_low > low.bid_high);
}

TEST_CASE("a malformed prices file is refused with FILE:LINE: what") {
  struct bad_case {
    const char* text;
    const char* says;
  };
  const bad_case cases[] = {
      {"price,carbon\n0.4,30\n", "p.csv:1: the header must be exactly electricity,carbon"},
      {"electricity,carbon\n0.4,30\n\n0.5,31\n", "p.csv:3: an empty line"},
      {"electricity,carbon\n0.4\n", "p.csv:2: expected 2 fields"},
      {"electricity,carbon\n0.4,3e1\n", "p.csv:2: prices must be plain decimals"},
      {"electricity,carbon\n0.4,nan\n", "p.csv:2: prices must be plain decimals"},
      {"electricity,carbon\n0.4,30,1\n", "p.csv:2: expected 2 fields"},
  };
  for (const auto& c : cases) {
    write("p.csv", c.text);
    const auto r = load_price_pairs("p.csv");
    INFO(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message.rfind(c.says, 0) == 0);
  }
  CHECK(load_price_pairs("/nonexistent.csv").err().message == "/nonexistent.csv:0: cannot read the file");
}
