#pragma once
// Fitting copulas to pairs of prices (spec/carbon.md 5.2-5.4): mid-rank
// pseudo-observations, Spearman's rho, maximum likelihood per family on a
// 200-point grid refined by Brent's method (GSL) to 1e-9, AIC, and the
// family chosen by the lowest AIC (ties to the earlier family).
// Thread-safety: pure functions (the Student-t fit uses threads of its own).

#include <vector>

#include "voltaic/market/copula.hpp"

namespace voltaic::market {

struct pseudo_observations {
  std::vector<double> u, v;  // R(x_i) / (n + 1), ties averaged
  double spearman = 0;       // Pearson correlation of the ranks
};

// Needs n >= 10 pairs of finite numbers, neither side constant.
result<pseudo_observations> pseudo_observations_of(const std::vector<double>& x, const std::vector<double>& y);

// The Gaussian copula's rho for a Spearman's rho: 2 sin(pi rho_s / 6).
double gaussian_start(double spearman);

struct copula_fit {
  copula fitted;
  double loglik = 0;
  double aic = 0;  // 2k - 2 loglik; k = 2 for student_t, else 1
};

// Every family in copula_families order; Clayton and Gumbel only when
// Spearman's rho is positive.
std::vector<copula_fit> fit_copulas(const pseudo_observations& obs);

// The lowest AIC; within 1e-9 the earlier family. Precondition: fits not empty.
const copula_fit& chosen_fit(const std::vector<copula_fit>& fits);

}  // namespace voltaic::market
