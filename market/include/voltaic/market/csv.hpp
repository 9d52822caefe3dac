#pragma once
// Reading CSV files line by line with file and line numbers for errors.
// Fields are split on commas; double quotes may enclose a field (with ""
// for a quote). Blank lines and lines starting with '#' are skipped.
// Thread-safety: one reader per thread.

#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "voltaic/market/error.hpp"

namespace voltaic::market {

class csv_reader {
 public:
  static result<csv_reader> open(const std::string& path);

  // Next non-empty, non-comment row; false at end of file. Sets error() when
  // a row is malformed (an unterminated quote).
  bool next(std::vector<std::string>& fields);
  std::size_t line() const { return line_; }
  const std::string& path() const { return path_; }

  // "path:line: what" — the one sentence a command prints.
  error at_line(errc code, const std::string& what) const;

 private:
  csv_reader(std::string path, std::ifstream in) : path_(std::move(path)), in_(std::move(in)) {}
  std::string path_;
  std::ifstream in_;
  std::size_t line_ = 0;
};

// A CSV file whose header must name the given columns. next() yields those
// fields of each row, trimmed, in the order they were asked for.
class named_columns {
 public:
  static result<named_columns> open(const std::string& path, const std::vector<std::string_view>& names);

  // true: `values` holds the next row; false: end of file; error: a short row.
  result<bool> next(std::vector<std::string>& values);
  error at_line(errc code, const std::string& what) const { return reader_.at_line(code, what); }

 private:
  named_columns(csv_reader reader, std::vector<std::size_t> columns)
      : reader_(std::move(reader)), columns_(std::move(columns)) {}
  csv_reader reader_;
  std::vector<std::size_t> columns_;
  std::vector<std::string> row_;
};

std::string trim(std::string_view text);

// Splits one CSV line; false on an unterminated quote.
bool split_csv_line(std::string_view line, std::vector<std::string>& fields);

// Index of a column by name (trimmed, case-insensitive); -1 when absent.
int column_index(const std::vector<std::string>& header, std::string_view name);

}  // namespace voltaic::market
