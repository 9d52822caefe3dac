#pragma once
// The `voltaic clear --json` object: the clearing, winners, trades, outcomes
// and quotes of one cycle. Deterministic: identical input gives byte-identical
// output; quantities print exactly from their integer units (private to runtime/).
// Thread-safety: a pure function.

#include <string>
#include <vector>

#include "voltaic/market/cycle.hpp"

namespace voltaic::runtime {

std::string clear_json(const std::vector<market::order>& book, const market::cycle_result& cycle);

}  // namespace voltaic::runtime
