#pragma once
// Means and standard deviations of an experiment's runs per grid point
// (series, behaviour, mechanism, policy, cycle), over its seeds: summary.csv,
// and what the figures and claims read (private to runtime/).

#include <string>
#include <vector>

#include "experiment_rows.hpp"

namespace voltaic::runtime {

struct grid_point {
  std::string series, behaviour, mechanism, policy;
  std::uint32_t cycle = 0;
  std::size_t runs = 0;
  std::vector<double> mean;  // per metric, runs_metric_names order
  std::vector<double> sd;    // sample standard deviation; 0 for one run

  double mean_of(std::string_view metric) const;
  double sd_of(std::string_view metric) const;
};

// Whether a row's metric enters the means: p0 only where the book crossed.
bool counts(const run_row& row, std::size_t metric);

// Grid points in the order their first row appears; sums in row order.
std::vector<grid_point> summarize(const std::vector<run_row>& rows);

// summary.csv: the point's columns and `runs`, then `<metric>_mean,<metric>_sd`
// (p0's over the runs whose book crossed).
std::string summary_csv(const std::vector<grid_point>& points);

// The point of a series, behaviour and mechanism (equal_share, cycle 1 unless
// named), or nullptr.
const grid_point* find_point(const std::vector<grid_point>& points, std::string_view series,
                             std::string_view behaviour, std::string_view mechanism,
                             std::string_view policy = "equal_share");

}  // namespace voltaic::runtime
