#include "voltaic/market/kernel_marginal.hpp"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include <algorithm>
#include <cmath>

namespace voltaic::market {

double interpolated_quantile(const std::vector<double>& sorted, double p) {
  return gsl_stats_quantile_from_sorted_data(sorted.data(), 1, sorted.size(), p);
}

result<kernel_marginal> kernel_marginal::of(std::vector<double> data) {
  if (data.size() < 2) return make_error(errc::invalid_argument, "a marginal needs at least two values");
  std::sort(data.begin(), data.end());
  const double sd = gsl_stats_sd(data.data(), 1, data.size());
  if (!(sd > 0)) return make_error(errc::invalid_argument, "a constant price series has no density");
  const double iqr = interpolated_quantile(data, 0.75) - interpolated_quantile(data, 0.25);
  double spread = std::min(sd, iqr / 1.34);
  if (!(spread > 0)) spread = sd;
  const double h = 0.9 * spread * std::pow(static_cast<double>(data.size()), -0.2);
  return kernel_marginal(std::move(data), h);
}

double kernel_marginal::cdf(double y) const {
  double sum = 0;
  for (double d : data_) sum += gsl_cdf_ugaussian_P((y - d) / h_);
  return sum / static_cast<double>(data_.size());
}

double kernel_marginal::quantile(double p) const {
  // Ten bandwidths beyond the data the CDF is within 1e-23 of 0 or 1.
  double lo = data_.front() - 10 * h_, hi = data_.back() + 10 * h_;
  for (int k = 0; k < 400; ++k) {
    const double mid = (lo + hi) / 2;
    if (hi - lo <= 1e-9 * std::max(std::fabs(mid), 1e-300)) break;
    (cdf(mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace voltaic::market
