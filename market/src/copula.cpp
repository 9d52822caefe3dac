#include "voltaic/market/copula.hpp"

#include <gsl/gsl_cdf.h>

#include <cmath>

#include "copula_detail.hpp"

namespace voltaic::market {

namespace {

// Gumbel: C(u, v) and h(v | u) = C(u, v) / u * x^(theta-1) * A^(1/theta - 1).
double gumbel_h(double theta, double v, double u) {
  const double x = -std::log(u), y = -std::log(v);
  const double a = std::pow(x, theta) + std::pow(y, theta);
  const double c = std::exp(-std::pow(a, 1 / theta));
  return c / u * std::pow(x, theta - 1) * std::pow(a, 1 / theta - 1);
}

}  // namespace

const char* to_string(copula_family f) {
  switch (f) {
    case copula_family::gaussian: return "gaussian";
    case copula_family::student_t: return "student_t";
    case copula_family::clayton: return "clayton";
    case copula_family::gumbel: return "gumbel";
    case copula_family::frank: return "frank";
  }
  return "unknown";
}

double copula_log_density(const copula& c, double u, double v) {
  switch (c.family) {
    case copula_family::gaussian: {
      const double a = gsl_cdf_ugaussian_Pinv(u), b = gsl_cdf_ugaussian_Pinv(v);
      return detail::gaussian_log_likelihood(c.param, &a, &b, 1);
    }
    case copula_family::student_t: {
      const double a = gsl_cdf_tdist_Pinv(u, c.nu), b = gsl_cdf_tdist_Pinv(v, c.nu);
      const double sq = a * a + b * b, ab = a * b;
      return detail::student_constant(c.nu) + detail::student_rho_part(c.param, c.nu, &sq, &ab, 1) +
             detail::student_point_part(c.nu, a, b);
    }
    case copula_family::clayton: return detail::clayton_log_density(c.param, std::log(u), std::log(v));
    case copula_family::gumbel: {
      const double lu = std::log(u), lv = std::log(v);
      return detail::gumbel_log_density(c.param, lu, lv, std::log(-lu), std::log(-lv));
    }
    case copula_family::frank: return detail::frank_log_density(c.param, u, v);
  }
  return NAN;
}

double copula_h(const copula& c, double v, double u) {
  const double t = c.param;
  switch (c.family) {
    case copula_family::gaussian:
      return gsl_cdf_ugaussian_P((gsl_cdf_ugaussian_Pinv(v) - t * gsl_cdf_ugaussian_Pinv(u)) / std::sqrt(1 - t * t));
    case copula_family::student_t: {
      const double a = gsl_cdf_tdist_Pinv(u, c.nu), b = gsl_cdf_tdist_Pinv(v, c.nu);
      return gsl_cdf_tdist_P((b - t * a) / std::sqrt((c.nu + a * a) * (1 - t * t) / (c.nu + 1)), c.nu + 1);
    }
    case copula_family::clayton:
      return std::pow(u, -t - 1) * std::pow(std::pow(u, -t) + std::pow(v, -t) - 1, -1 - 1 / t);
    case copula_family::gumbel: return gumbel_h(t, v, u);
    case copula_family::frank: {
      const double eu = std::expm1(-t * u), ev = std::expm1(-t * v);
      return (eu + 1) * ev / (std::expm1(-t) + eu * ev);
    }
  }
  return NAN;
}

double copula_h_inverse(const copula& c, double w, double u) {
  const double t = c.param;
  switch (c.family) {
    case copula_family::gaussian:
      return gsl_cdf_ugaussian_P(gsl_cdf_ugaussian_Pinv(w) * std::sqrt(1 - t * t) + t * gsl_cdf_ugaussian_Pinv(u));
    case copula_family::student_t: {
      const double a = gsl_cdf_tdist_Pinv(u, c.nu);
      const double scale = std::sqrt((c.nu + a * a) * (1 - t * t) / (c.nu + 1));
      return gsl_cdf_tdist_P(gsl_cdf_tdist_Pinv(w, c.nu + 1) * scale + t * a, c.nu);
    }
    case copula_family::clayton:
      return std::pow(std::pow(w * std::pow(u, t + 1), -t / (1 + t)) + 1 - std::pow(u, -t), -1 / t);
    case copula_family::gumbel: {
      // h(. | u) rises from 0 to 1 in v: bisection.
      double lo = 0, hi = 1;
      for (int k = 0; k < 200 && hi - lo > 1e-15; ++k) {
        const double mid = (lo + hi) / 2;
        (gumbel_h(t, mid, u) < w ? lo : hi) = mid;
      }
      return (lo + hi) / 2;
    }
    case copula_family::frank:
      return -std::log1p(-(-std::expm1(-t)) / ((1 / w - 1) * std::exp(-t * u) + 1)) / t;
  }
  return NAN;
}

}  // namespace voltaic::market
