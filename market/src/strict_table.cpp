#include "voltaic/market/strict_table.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace voltaic::market {

status read_strict_table(std::string_view text, const std::string& origin, std::string_view header,
                         std::size_t field_count, const strict_row& row) {
  std::size_t line_no = 0, at = 0;
  std::vector<std::string_view> fields;
  const auto bad = [&](const std::string& what) {
    return make_error(errc::malformed_file, origin + ":" + std::to_string(line_no) + ": " + what);
  };
  while (at < text.size()) {
    ++line_no;
    const auto end = text.find('\n', at);
    std::string_view line = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    at = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1) {
      if (line != header) return bad("the header must be exactly " + std::string(header));
      continue;
    }
    if (line.empty()) return bad("an empty line");
    fields.clear();
    for (std::size_t from = 0;;) {
      const auto comma = line.find(',', from);
      fields.push_back(line.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
    if (fields.size() != field_count)
      return bad("expected " + std::to_string(field_count) + " fields, found " + std::to_string(fields.size()));
    if (auto problem = row(fields); !problem.empty()) return bad(problem);
  }
  if (line_no == 0) {
    line_no = 1;
    return bad("the header must be exactly " + std::string(header));
  }
  return {};
}

result<std::string> read_whole_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return make_error(errc::io_error, path + ":0: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::io_error, path + ":0: cannot read the file");
  std::ostringstream all;
  all << in.rdbuf();
  if (in.bad()) return make_error(errc::io_error, path + ":0: cannot read the file");
  return all.str();
}

}  // namespace voltaic::market
