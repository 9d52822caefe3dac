#pragma once
// The copula log densities on transformed inputs (private to market/): the
// public copula_log_density transforms each point, the fit transforms a
// sample once and evaluates these many times.

#include <cmath>
#include <cstddef>

namespace voltaic::market::detail {

// Sum over n points of the Gaussian log density, a = Phi^-1(u), b = Phi^-1(v).
inline double gaussian_log_likelihood(double rho, const double* a, const double* b, std::size_t n) {
  const double r2 = 1 - rho * rho;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += rho * rho * (a[i] * a[i] + b[i] * b[i]) - 2 * rho * a[i] * b[i];
  return -0.5 * static_cast<double>(n) * std::log(r2) - sum / (2 * r2);
}

// The parts of the Student-t log density: a constant of nu, a part of rho
// (a = t_nu^-1(u), b = t_nu^-1(v)) and a part of the point alone.
inline double student_constant(double nu) {
  return std::lgamma((nu + 2) / 2) + std::lgamma(nu / 2) - 2 * std::lgamma((nu + 1) / 2);
}
// Sum over n points of the part of rho; sq = a^2 + b^2, ab = a b. The logs
// of 1 + Q/nu (each >= 1) are taken of products of up to 16 factors: one
// log instead of 16, the likelihood the same to ~1e-15 relative.
inline double student_rho_part(double rho, double nu, const double* sq, const double* ab, std::size_t n) {
  const double r2 = 1 - rho * rho;
  const double scale = 1 / (nu * r2);
  double logs = 0;
  for (std::size_t i = 0; i < n;) {
    double product = 1;
    const std::size_t end = i + 16 < n ? i + 16 : n;
    const std::size_t from = i;
    for (; i < end; ++i) product *= 1 + (sq[i] - 2 * rho * ab[i]) * scale;
    if (std::isfinite(product)) {
      logs += std::log(product);
    } else {
      for (std::size_t k = from; k < end; ++k) logs += std::log1p((sq[k] - 2 * rho * ab[k]) * scale);
    }
  }
  return -0.5 * static_cast<double>(n) * std::log(r2) - (nu + 2) / 2 * logs;
}
inline double student_point_part(double nu, double a, double b) {
  return (nu + 1) / 2 * (std::log1p(a * a / nu) + std::log1p(b * b / nu));
}

// lu = ln u, lv = ln v.
inline double clayton_log_density(double theta, double lu, double lv) {
  const double s = std::exp(-theta * lu) + std::exp(-theta * lv) - 1;
  return std::log1p(theta) - (1 + theta) * (lu + lv) - (1 / theta + 2) * std::log(s);
}

// lx = ln(-ln u), ly = ln(-ln v) as well.
inline double gumbel_log_density(double theta, double lu, double lv, double lx, double ly) {
  const double la = std::log(std::exp(theta * lx) + std::exp(theta * ly));  // ln A, A = x^theta + y^theta
  const double w = std::exp(la / theta);                                     // A^(1/theta)
  return -w - lu - lv + (theta - 1) * (lx + ly) + (1 / theta - 2) * la + std::log(w + theta - 1);
}

inline double frank_log_density(double theta, double u, double v) {
  const double e = -std::expm1(-theta);  // 1 - e^-theta
  const double d = e - (-std::expm1(-theta * u)) * (-std::expm1(-theta * v));
  return std::log(theta * e) - theta * (u + v) - 2 * std::log(std::fabs(d));
}

}  // namespace voltaic::market::detail
