#pragma once
// Text tables of spec/carbon.md's strict form (participants files, price
// histories): a header line exactly as given, then rows of a fixed number of
// comma-separated fields, no quoting, LF or CRLF line ends, the final newline
// optional, no empty line. Errors are "ORIGIN:LINE: what"; a file that
// cannot be read is line 0. Thread-safety: pure functions (file reading aside).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "voltaic/market/error.hpp"

namespace voltaic::market {

// Takes a row's fields; returns its own problem as a plain sentence (the
// caller adds origin and line), or "" when the row is fine.
using strict_row = std::function<std::string(const std::vector<std::string_view>& fields)>;

status read_strict_table(std::string_view text, const std::string& origin, std::string_view header,
                         std::size_t field_count, const strict_row& row);

// A whole file's text; "PATH:0: what" when it cannot be read.
result<std::string> read_whole_file(const std::string& path);

}  // namespace voltaic::market
