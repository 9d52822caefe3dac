#pragma once
// Renderings of a cycle for people and programs: a short text summary and
// CSV tables (the `voltaic clear` JSON object is runtime's, clear_json.hpp). Deterministic: identical
// input gives byte-identical output. Energies in kWh, prices and money in
// credits, distances in metres, all printed exactly from the integer units.
// Thread-safety: pure functions.

#include <string>
#include <vector>

#include "voltaic/market/cycle.hpp"

namespace voltaic::market {

std::string to_text(const std::vector<order>& book, const cycle_result& cycle);

struct csv_table {
  std::string name;  // file name, e.g. "trades.csv"
  std::string text;  // header and rows
};
std::vector<csv_table> to_csv_tables(const std::vector<order>& book, const cycle_result& cycle);

// Shortest text that reads back as the same double ("4479.790766003357").
std::string format_double(double value);

}  // namespace voltaic::market
