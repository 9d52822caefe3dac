#pragma once
// The rows of a CSV file with a header (no quoting), as column -> text: the
// output tables of `voltaic run --out`.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace voltaic::test {

using csv_row = std::map<std::string, std::string>;

inline std::vector<csv_row> read_csv_rows(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<csv_row> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string cell;
    while (std::getline(ss, cell, ',')) out.push_back(cell);
    if (!s.empty() && s.back() == ',') out.emplace_back();
    return out;
  };
  if (!std::getline(in, line)) return rows;
  const std::vector<std::string> header = split(line);
  while (std::getline(in, line)) {
    const auto cells = split(line);
    REQUIRE(cells.size() == header.size());
    csv_row r;
    for (std::size_t i = 0; i < header.size(); ++i) r[header[i]] = cells[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace voltaic::test
