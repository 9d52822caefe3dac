#pragma once
// The lab engine of `voltaic experiment` (private to runtime/): one run is a
// whole agent lab (prosumers, meters, DSO, a validator, the chain, a
// simulated clock) in a `voltaic run` process of its own, on a scenario
// with the run's P-series, behaviour, mechanism, policy and seed. Its rows,
// one per cycle, are the metrics of the books the chain fixed, cleared again
// by the market library; a cycle whose clearing or trades differ from the
// chain's is an error, not a row.

#include <string>

#include "experiment_grid.hpp"
#include "experiment_rows.hpp"

namespace voltaic::runtime {

// The scenario file of a lab run.
std::string lab_scenario_text(const experiment_run& run, const experiment_grid& grid);

// Runs `program run scenario --out work_dir` and reads its rows (joined by
// ';'). The run's chain is removed afterwards; its CSVs stay in work_dir.
market::result<std::string> lab_engine_rows(const experiment_run& run, const experiment_grid& grid,
                                            const experiment_world& world, const std::string& program,
                                            const std::string& work_dir);

}  // namespace voltaic::runtime
