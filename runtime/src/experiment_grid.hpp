#pragma once
// An experiment's grid (private to runtime/): which books, behaviours,
// mechanisms, surplus policies and seeds `voltaic experiment` runs, read
// from an [experiment] file or built in (`--thesis`, spec/experiments.md
// section 4), and the runs it expands to, in a fixed order.

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/market/clearing.hpp"
#include "voltaic/market/strategy.hpp"

namespace voltaic::runtime {

enum class experiment_engine : std::uint8_t { market, lab };

struct experiment_grid {
  std::vector<std::string> series;  // P-10 ... P-55 or a fixture name
  std::vector<market::strategy_kind> behaviours;
  std::vector<market::mechanism> mechanisms;
  std::vector<market::surplus_policy> policies;
  std::uint64_t first_seed = 1;
  std::uint64_t last_seed = 1;
  std::string feeder = "ieee-eu-lv";  // or "none": every distance 0
  experiment_engine engine = experiment_engine::market;
  std::uint32_t cycles = 1;  // per run; the market engine runs one
};

market::result<experiment_grid> load_experiment_grid(const std::string& path);

// X1, X2 and both fixtures under DPDA and DAM, seeds 1-100 (2,404 runs).
experiment_grid thesis_grid();

// The grid in one line: a journal written for one grid is never resumed
// under another.
std::string grid_text(const experiment_grid& grid);

// One run: a fixture runs once per mechanism and policy, with its own
// behaviour and seed 0.
struct experiment_run {
  std::string series;
  market::strategy_kind behaviour = market::strategy_kind::cooperative;
  market::mechanism mechanism = market::mechanism::dpda;
  market::surplus_policy policy = market::surplus_policy::equal_share;
  std::uint64_t seed = 0;
};

// Series, then behaviour, mechanism, policy and seed, each in grid order.
std::vector<experiment_run> runs_of(const experiment_grid& grid);

}  // namespace voltaic::runtime
