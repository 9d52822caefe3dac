#pragma once
// claims.md: each thesis claim C1-C16 of spec/experiments.md section 4 with
// the thesis's value, voltaic's, whether it holds and the share of seeds
// where it does (private to runtime/). Fixture claims are exact; a
// direction claim holds when the mean over seeds has the thesis's sign.
// A claim whose runs the grid lacks says so.

#include <string>
#include <vector>

#include "experiment_rows.hpp"
#include "experiment_summary.hpp"

namespace voltaic::runtime {

struct claim_verdict {
  std::string id;       // "C4"
  std::string claim;    // what the thesis says
  std::string thesis;   // the thesis's value
  std::string voltaic;  // what these runs give
  std::string holds;    // "yes", "no" or "not in this grid"
  std::string share;    // share of seeds where it holds, or "exact"
};

std::vector<claim_verdict> judge_claims(const std::vector<run_row>& rows, const std::vector<grid_point>& points);

std::string claims_markdown(const std::vector<run_row>& rows, const std::vector<grid_point>& points);

}  // namespace voltaic::runtime
