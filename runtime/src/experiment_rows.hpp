#pragma once
// The rows of an experiment's runs.csv (private to runtime/): one per run and
// cycle, metrics M1-M13 of spec/experiments.md section 3; how the market
// engine produces one, and how summary, figures and claims read them back.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "experiment_grid.hpp"
#include "voltaic/market/cycle.hpp"
#include "voltaic/market/grid.hpp"
#include "voltaic/market/run_metrics.hpp"

namespace voltaic::runtime {

// The grid point's columns, then the metrics.
inline constexpr std::string_view runs_key_header = "series,behaviour,mechanism,policy,seed,cycle";
inline constexpr std::string_view runs_metric_names[] = {
    "case",         "p0",
    "n_sellers",    "n_buyers",
    "trading_sellers", "trading_buyers",
    "participation", "traded_kwh",
    "trades",       "imbalance_kwh",
    "reduction_per_seller_kwh", "buyers_short",
    "short_kwh",    "welfare_sellers",
    "welfare_buyers", "social_welfare",
    "surplus_sellers", "surplus_buyers",
    "mean_cost",    "max_cost",
    "min_cost",     "mean_distance_m"};
std::string runs_header();

// Distances and cycle options every run of a grid shares: the 55 P-series
// positions on the feeder's first load buses (cycling when it has fewer).
struct experiment_world {
  market::distance_table distances = market::distance_table::uniform(0);
  market::cycle_options options;
  std::shared_ptr<const market::grid> grid;  // the feeder's; null for feeder = "none"
};

market::result<experiment_world> make_world(const experiment_grid& grid, const std::string& data_root);

// The book a run clears: a fixture or a generated P-series book.
market::result<std::vector<market::order>> book_of(const experiment_run& run);

// One row without its newline.
std::string runs_row(const experiment_run& run, std::uint32_t cycle, const market::run_metrics& m);

// The market engine: one cycle of the clearing library.
market::result<std::string> market_engine_row(const experiment_run& run, const experiment_world& world);

// A row read back: its key columns and its metrics in runs_metric_names order.
struct run_row {
  std::string series, behaviour, mechanism, policy;
  std::uint64_t seed = 0;
  std::uint32_t cycle = 0;
  std::vector<double> values;

  double operator[](std::string_view metric) const;
};

// Rows of a runs.csv text (header first); errors name the line.
market::result<std::vector<run_row>> parse_runs(const std::string& text, const std::string& origin);

}  // namespace voltaic::runtime
