#include "voltaic/market/copula_fit.hpp"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_statistics_double.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <thread>

#include "copula_detail.hpp"

namespace voltaic::market {

namespace {

constexpr std::size_t grid_points = 200;
constexpr double rho_edge = 0.999;
constexpr int min_nu = 2, max_nu = 30;

std::vector<double> linspace(double lo, double hi, std::size_t n) {
  std::vector<double> out(n);
  for (std::size_t k = 0; k < n; ++k) out[k] = lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(n - 1);
  return out;
}

// Ranks 1..n with ties averaged.
std::vector<double> mid_ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> rank(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double mid = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = mid;
    i = j + 1;
  }
  return rank;
}

struct maximum {
  double x = 0;
  double value = -HUGE_VAL;
};

double finite_or_floor(double v) { return std::isfinite(v) ? v : -HUGE_VAL; }

// The best of `grid` (sorted), refined by Brent between its neighbours.
maximum maximize(const std::function<double(double)>& loglik, const std::vector<double>& grid) {
  std::vector<double> values(grid.size());
  std::size_t best = 0;
  for (std::size_t k = 0; k < grid.size(); ++k) {
    values[k] = finite_or_floor(loglik(grid[k]));
    if (values[k] > values[best]) best = k;
  }
  maximum m{grid[best], values[best]};
  if (best == 0 || best + 1 == grid.size() || !(values[best] > values[best - 1]) ||
      !(values[best] > values[best + 1]))
    return m;
  struct closure {
    const std::function<double(double)>* f;
  } c{&loglik};
  gsl_function fn;
  fn.function = [](double x, void* p) {
    const double v = (*static_cast<closure*>(p)->f)(x);
    return std::isfinite(v) ? -v : HUGE_VAL;
  };
  fn.params = &c;
  gsl_min_fminimizer* s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (gsl_min_fminimizer_set_with_values(s, &fn, grid[best], -values[best], grid[best - 1], -values[best - 1],
                                         grid[best + 1], -values[best + 1]) == GSL_SUCCESS) {
    for (int k = 0; k < 200; ++k) {
      if (gsl_min_fminimizer_iterate(s) != GSL_SUCCESS) break;
      if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s), 1e-9, 0) ==
          GSL_SUCCESS)
        break;
    }
    const double x = gsl_min_fminimizer_x_minimum(s);
    const double v = finite_or_floor(loglik(x));
    if (v > m.value) m = {x, v};
  }
  gsl_min_fminimizer_free(s);
  return m;
}

copula_fit fit_of(copula c, double loglik) {
  const double k = c.family == copula_family::student_t ? 2 : 1;
  return {c, loglik, 2 * k - 2 * loglik};
}

copula_fit fit_gaussian(const pseudo_observations& obs) {
  std::vector<double> a(obs.u.size()), b(obs.u.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = gsl_cdf_ugaussian_Pinv(obs.u[i]);
    b[i] = gsl_cdf_ugaussian_Pinv(obs.v[i]);
  }
  auto grid = linspace(-rho_edge, rho_edge, grid_points);
  grid.push_back(std::clamp(gaussian_start(obs.spearman), -rho_edge, rho_edge));
  std::sort(grid.begin(), grid.end());
  const auto m = maximize(
      [&](double rho) { return detail::gaussian_log_likelihood(rho, a.data(), b.data(), a.size()); }, grid);
  return fit_of({copula_family::gaussian, m.x, 0}, m.value);
}

maximum fit_student_nu(const pseudo_observations& obs, double nu) {
  const std::size_t n = obs.u.size();
  std::vector<double> sq(n), ab(n);
  double fixed = static_cast<double>(n) * detail::student_constant(nu);
  for (std::size_t i = 0; i < n; ++i) {
    const double a = gsl_cdf_tdist_Pinv(obs.u[i], nu), b = gsl_cdf_tdist_Pinv(obs.v[i], nu);
    sq[i] = a * a + b * b;
    ab[i] = a * b;
    fixed += detail::student_point_part(nu, a, b);
  }
  return maximize([&](double rho) { return fixed + detail::student_rho_part(rho, nu, sq.data(), ab.data(), n); },
                  linspace(-rho_edge, rho_edge, grid_points));
}

copula_fit fit_student(const pseudo_observations& obs) {
  std::vector<maximum> per_nu(max_nu - min_nu + 1);
  auto work = [&](std::size_t first, std::size_t step) {
    for (std::size_t k = first; k < per_nu.size(); k += step)
      per_nu[k] = fit_student_nu(obs, static_cast<double>(min_nu) + static_cast<double>(k));
  };
  // Each nu is a fit of its own: large samples share them out over the cores.
  const std::size_t threads =
      obs.u.size() >= 1'000 ? std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8) : 1;
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
  work(0, threads);
  for (auto& t : pool) t.join();
  std::size_t best = 0;  // ties: the smaller nu
  for (std::size_t k = 1; k < per_nu.size(); ++k)
    if (per_nu[k].value > per_nu[best].value) best = k;
  return fit_of({copula_family::student_t, per_nu[best].x, static_cast<double>(min_nu) + static_cast<double>(best)},
                per_nu[best].value);
}

copula_fit fit_archimedean(const pseudo_observations& obs, copula_family family) {
  const std::size_t n = obs.u.size();
  std::vector<double> lu(n), lv(n), lx(n), ly(n);
  for (std::size_t i = 0; i < n; ++i) {
    lu[i] = std::log(obs.u[i]);
    lv[i] = std::log(obs.v[i]);
    lx[i] = std::log(-lu[i]);
    ly[i] = std::log(-lv[i]);
  }
  std::vector<double> grid;
  if (family == copula_family::clayton) {
    for (std::size_t k = 1; k <= grid_points; ++k) grid.push_back(50.0 * static_cast<double>(k) / grid_points);
  } else if (family == copula_family::gumbel) {
    grid = linspace(1, 50, grid_points);
  } else {
    grid = linspace(-50, 50, grid_points);  // an even count never lands on 0
  }
  const auto m = maximize(
      [&](double theta) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (family == copula_family::clayton) sum += detail::clayton_log_density(theta, lu[i], lv[i]);
          else if (family == copula_family::gumbel) sum += detail::gumbel_log_density(theta, lu[i], lv[i], lx[i], ly[i]);
          else sum += detail::frank_log_density(theta, obs.u[i], obs.v[i]);
        }
        return sum;
      },
      grid);
  return fit_of({family, m.x, 0}, m.value);
}

}  // namespace

result<pseudo_observations> pseudo_observations_of(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) return make_error(errc::invalid_argument, "the two price series differ in length");
  if (x.size() < 10)
    return make_error(errc::invalid_argument, "the analysis needs at least 10 price pairs, not " +
                                                  std::to_string(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
      return make_error(errc::invalid_number, "pair " + std::to_string(i + 1) + " is not finite");
  const auto rx = mid_ranks(x), ry = mid_ranks(y);
  pseudo_observations p;
  const double scale = static_cast<double>(x.size()) + 1;
  for (std::size_t i = 0; i < x.size(); ++i) {
    p.u.push_back(rx[i] / scale);
    p.v.push_back(ry[i] / scale);
  }
  if (gsl_stats_sd(rx.data(), 1, rx.size()) == 0 || gsl_stats_sd(ry.data(), 1, ry.size()) == 0)
    return make_error(errc::invalid_argument, "a price series is constant: no dependence to fit");
  p.spearman = gsl_stats_correlation(rx.data(), 1, ry.data(), 1, rx.size());
  return p;
}

double gaussian_start(double spearman) { return 2 * std::sin(M_PI * spearman / 6); }

std::vector<copula_fit> fit_copulas(const pseudo_observations& obs) {
  gsl_set_error_handler_off();  // GSL reports by return values here, never abort()
  std::vector<copula_fit> fits;
  fits.push_back(fit_gaussian(obs));
  fits.push_back(fit_student(obs));
  if (obs.spearman > 0) {
    fits.push_back(fit_archimedean(obs, copula_family::clayton));
    fits.push_back(fit_archimedean(obs, copula_family::gumbel));
  }
  fits.push_back(fit_archimedean(obs, copula_family::frank));
  return fits;
}

const copula_fit& chosen_fit(const std::vector<copula_fit>& fits) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < fits.size(); ++k)
    if (fits[k].aic < fits[best].aic - 1e-9) best = k;
  return fits[best];
}

}  // namespace voltaic::market
