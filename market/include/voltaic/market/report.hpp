#pragma once
// Renderings of a cycle for people and programs: a short text summary and
// CSV tables (the `voltaic clear` JSON object is runtime's, clear_json.hpp). Deterministic: identical
// input gives byte-identical output. Energies in kWh, prices and money in
// credits, distances in metres, all printed exactly from the integer units.
// Thread-safety: pure functions.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "voltaic/market/cycle.hpp"

namespace voltaic::market {

std::string to_text(const std::vector<order>& book, const cycle_result& cycle);

// to_text in its three parts (head, one line per trade, the rejected
// orders), for a caller that renders trades as matching produces them
// (matching_options::on_trades).
std::string text_summary_head(const std::vector<order>& book, const cycle_result& cycle);
void append_text_trade_lines(std::string& out, const std::vector<order>& book, const trade* first,
                             std::size_t count);
std::string text_summary_rejected(const std::vector<order>& book, const cycle_result& cycle);

struct csv_table {
  std::string name;  // file name, e.g. "trades.csv"
  std::string text;  // header and rows
};
std::vector<csv_table> to_csv_tables(const std::vector<order>& book, const cycle_result& cycle);

// The same tables one at a time, written to a stream as they are built (a
// table of a million rows never sits whole in memory).
enum class report_table : std::uint8_t { clearing, trades, outcomes, quotes };
inline constexpr report_table all_report_tables[] = {report_table::clearing, report_table::trades,
                                                     report_table::outcomes, report_table::quotes};
void write_csv_table(std::ostream& out, const std::vector<order>& book, const cycle_result& cycle,
                     report_table which);
const char* to_csv_table_name(report_table which);  // "trades.csv"

// The trades table's header and rows, likewise for trades as they come.
inline constexpr const char* trade_table_header = "buyer,seller,energy_kwh,distance_m,score,charge,payment\n";
void append_trade_table_rows(std::string& out, const std::vector<order>& book, const trade* first,
                             std::size_t count);

// Shortest text that reads back as the same double ("4479.790766003357").
std::string format_double(double value);

}  // namespace voltaic::market
