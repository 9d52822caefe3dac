#pragma once
// The five bivariate copula families of the carbon price analysis
// (spec/carbon.md section 5.3): log densities (Nelsen, An Introduction to
// Copulas) and the conditional distribution h(v | u) = dC(u, v)/du with its
// inverse (Aas et al. 2009; bisection for Gumbel). Advisory statistics, not
// consensus: doubles throughout, GSL for the special functions.
// Thread-safety: pure functions.

#include <cstdint>
#include <string_view>
#include <vector>

#include "voltaic/market/error.hpp"

namespace voltaic::market {

enum class copula_family : std::uint8_t { gaussian = 0, student_t = 1, clayton = 2, gumbel = 3, frank = 4 };

inline constexpr copula_family copula_families[] = {copula_family::gaussian, copula_family::student_t,
                                                    copula_family::clayton, copula_family::gumbel,
                                                    copula_family::frank};

const char* to_string(copula_family f);

// A family with its parameters: rho (and nu for student_t), or theta.
struct copula {
  copula_family family = copula_family::gaussian;
  double param = 0;  // rho or theta
  double nu = 0;     // student_t's degrees of freedom
};

// ln c(u, v) for u, v in (0, 1).
double copula_log_density(const copula& c, double u, double v);

// h(v | u) = P(V <= v | U = u), and v with h(v | u) = w.
double copula_h(const copula& c, double v, double u);
double copula_h_inverse(const copula& c, double w, double u);

}  // namespace voltaic::market
