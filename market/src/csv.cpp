#include "voltaic/market/csv.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace voltaic::market {

result<csv_reader> csv_reader::open(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error(errc::io_error, path + ": is a directory, not a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::io_error, path + ": cannot open the file for reading");
  return csv_reader(path, std::move(in));
}

bool split_csv_line(std::string_view line, std::vector<std::string>& fields) {
  if (line.find('"') == std::string_view::npos) {
    // No quotes (nearly every line): cut at commas, reusing the strings.
    std::size_t count = 0;
    for (std::size_t start = 0;; ++count) {
      const std::size_t comma = line.find(',', start);
      const std::string_view piece = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
      if (count == fields.size()) fields.emplace_back();
      std::string& field = fields[count];
      field.assign(piece);
      if (piece.find('\r') != std::string_view::npos)
        field.erase(std::remove(field.begin(), field.end(), '\r'), field.end());
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    fields.resize(count + 1);
    return true;
  }
  fields.clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

bool csv_reader::next(std::vector<std::string>& fields) {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    std::size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos || text[first] == '#') continue;
    if (!split_csv_line(text, fields)) {
      fields.clear();
      return true;  // the caller reports an empty row as malformed
    }
    return true;
  }
  return false;
}

error csv_reader::at_line(errc code, const std::string& what) const {
  return make_error(code, path_ + ":" + std::to_string(line_) + ": " + what);
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

result<named_columns> named_columns::open(const std::string& path, const std::vector<std::string_view>& names) {
  auto reader = csv_reader::open(path);
  if (!reader) return reader.err();
  std::vector<std::string> header;
  if (!reader.value().next(header))
    return make_error(errc::malformed_file, path + ": the file is empty (expected a header)");
  std::vector<std::size_t> columns;
  for (auto name : names) {
    const int index = column_index(header, name);
    if (index < 0)
      return reader.value().at_line(errc::missing_field,
                                    "the header has no column '" + std::string(name) + "'");
    columns.push_back(static_cast<std::size_t>(index));
  }
  return named_columns(std::move(reader).value(), std::move(columns));
}

result<bool> named_columns::next(std::vector<std::string>& values) {
  if (!reader_.next(row_)) return false;
  values.clear();
  for (std::size_t index : columns_) {
    if (index >= row_.size())
      return reader_.at_line(errc::malformed_file, "expected at least " + std::to_string(index + 1) +
                                                       " fields, found " + std::to_string(row_.size()));
    values.push_back(trim(row_[index]));
  }
  return true;
}

int column_index(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t k = 0; k < header.size(); ++k) {
    std::string_view h = header[k];
    while (!h.empty() && std::isspace(static_cast<unsigned char>(h.front()))) h.remove_prefix(1);
    while (!h.empty() && std::isspace(static_cast<unsigned char>(h.back()))) h.remove_suffix(1);
    if (h.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < h.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return static_cast<int>(k);
  }
  return -1;
}

}  // namespace voltaic::market
