#pragma once
// A price's marginal distribution as a Gaussian-kernel density
// (spec/carbon.md 5.5, paper eq. 4): Silverman's bandwidth
// h = 0.9 min(sd, IQR / 1.34) n^(-1/5) (sd with n - 1, quartiles linearly
// interpolated; sd alone when the min is 0), its CDF, and the CDF inverted by
// bisection to 1e-9 relative. Thread-safety: const use from many threads.

#include <vector>

#include "voltaic/market/error.hpp"

namespace voltaic::market {

class kernel_marginal {
 public:
  // Refuses fewer than two values or a constant series (sd = 0).
  static result<kernel_marginal> of(std::vector<double> data);

  double bandwidth() const { return h_; }
  double cdf(double y) const;
  double quantile(double p) const;  // p in (0, 1)

 private:
  kernel_marginal(std::vector<double> data, double h) : data_(std::move(data)), h_(h) {}
  std::vector<double> data_;  // sorted
  double h_ = 0;
};

// The p-quantile of sorted data, linearly interpolated between order
// statistics (GSL's definition).
double interpolated_quantile(const std::vector<double>& sorted, double p);

}  // namespace voltaic::market
