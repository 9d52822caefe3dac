#include "voltaic/market/order_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>
#include <unordered_map>

#include "voltaic/market/csv.hpp"

namespace voltaic::market {

namespace {

// The columns of an orders file, by index (-1: absent).
struct order_columns {
  int id, side, price, energy, pref, bus;
  std::size_t width;
};

// The orders of a run of whole lines, or the first problem among them.
struct parsed_lines {
  std::vector<order> book;
  std::vector<std::string> buses;
  std::vector<std::size_t> line_of;  // by index in `book`
  std::optional<std::pair<std::size_t, error>> problem;  // line, error
};

// A line that is blank or a '#' comment holds no row (csv.hpp).
bool holds_row(std::string_view line) {
  const std::size_t first = line.find_first_not_of(" \t\r");
  return first != std::string_view::npos && line[first] != '#';
}

// Parses the rows of `text` (whole lines), whose first line is `first_line`.
// Stops at the first problem.
parsed_lines parse_order_lines(std::string_view text, std::size_t first_line, const order_columns& col,
                               std::size_t room_for) {
  parsed_lines out;
  out.book.reserve(room_for);
  out.buses.reserve(out.book.capacity());
  out.line_of.reserve(out.book.capacity());
  std::vector<std::string> row;
  std::size_t line = first_line;
  auto fail = [&](errc code, std::string what) { out.problem.emplace(line, make_error(code, std::move(what))); };
  for (std::size_t start = 0; start < text.size(); ++line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view this_line = text.substr(start, end - start);
    start = end + 1;
    if (!holds_row(this_line)) continue;
    if (!split_csv_line(this_line, row)) row.clear();
    if (row.size() != col.width) {
      fail(errc::malformed_file,
           "expected " + std::to_string(col.width) + " fields, found " + std::to_string(row.size()));
      return out;
    }
    order o;
    o.id = trim(row[static_cast<std::size_t>(col.id)]);
    if (o.id.empty()) return fail(errc::missing_field, "the id is empty"), out;
    const std::string side_text = trim(row[static_cast<std::size_t>(col.side)]);
    if (side_text == "buy") o.side = side::buy;
    else if (side_text == "sell") o.side = side::sell;
    else return fail(errc::invalid_field, "order '" + o.id + "': side must be buy or sell, not '" + side_text + "'"), out;
    auto price = parse_scaled(row[static_cast<std::size_t>(col.price)], uc_per_credit);
    if (!price) return fail(price.err().code, "order '" + o.id + "': price " + price.err().message), out;
    auto energy = parse_scaled(row[static_cast<std::size_t>(col.energy)], mwh_per_kwh);
    if (!energy) return fail(energy.err().code, "order '" + o.id + "': energy_kwh " + energy.err().message), out;
    o.price = price.value();
    o.energy = energy.value();
    if (col.pref >= 0 && !trim(row[static_cast<std::size_t>(col.pref)]).empty()) {
      auto pref = parse_scaled(row[static_cast<std::size_t>(col.pref)], mm_per_m);
      if (!pref) return fail(pref.err().code, "order '" + o.id + "': distance_pref_m " + pref.err().message), out;
      o.distance_pref = pref.value();
    }
    if (auto st = validate_order(o); !st) return fail(st.err().code, st.err().message), out;
    out.line_of.push_back(line);
    out.buses.push_back(col.bus >= 0 ? trim(row[static_cast<std::size_t>(col.bus)]) : std::string());
    out.book.push_back(std::move(o));
  }
  return out;
}

// Files above this size are parsed in two halves on two threads: a million
// orders took a fifth of `voltaic clear`'s time to read on one.
constexpr std::size_t split_above_bytes = std::size_t{4} << 20;

result<std::string> read_whole_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error(errc::io_error, path + ": is a directory, not a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::io_error, path + ": cannot open the file for reading");
  std::string text;
  if (const auto size = std::filesystem::file_size(path, ec); !ec) text.reserve(static_cast<std::size_t>(size));
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(errc::io_error, path + ": cannot read the file");
  return text;
}

}  // namespace

result<order_file> load_orders_csv(const std::string& path) {
  auto read = read_whole_file(path);
  if (!read) return read.err();
  const std::string_view text = read.value();

  // The header: the first line that holds a row.
  std::size_t start = 0, line = 1;
  std::string_view header_line;
  for (; start < text.size(); ++line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    header_line = text.substr(start, end - start);
    start = end + 1;
    if (holds_row(header_line)) break;
    header_line = {};
  }
  if (header_line.empty()) return make_error(errc::malformed_file, path + ": the file is empty (expected a header)");
  std::vector<std::string> header;
  if (!split_csv_line(header_line, header)) header.clear();
  const order_columns col{column_index(header, "id"),         column_index(header, "side"),
                          column_index(header, "price"),      column_index(header, "energy_kwh"),
                          column_index(header, "distance_pref_m"), column_index(header, "bus"),
                          header.size()};
  for (auto [index, name] : {std::pair{col.id, "id"}, {col.side, "side"}, {col.price, "price"}, {col.energy, "energy_kwh"}})
    if (index < 0)
      return make_error(errc::missing_field, path + ":" + std::to_string(line) + ": the header has no column '" +
                                                 name + "' (expected id,side,price,energy_kwh[,distance_pref_m][,bus])");
  ++line;
  const std::string_view body = start < text.size() ? text.substr(start) : std::string_view();

  // Lines never span a line break (csv.hpp), so the body splits at any one.
  std::string_view first_half = body, second_half;
  if (body.size() > split_above_bytes) {
    const std::size_t cut = body.find('\n', body.size() / 2);
    if (cut != std::string_view::npos) first_half = body.substr(0, cut + 1), second_half = body.substr(cut + 1);
  }
  // The first half's vectors get room for both, so the second's rows move in
  // without a reallocation.
  const auto lines_in = [](std::string_view part) {
    return static_cast<std::size_t>(std::count(part.begin(), part.end(), '\n')) + 1;
  };
  const std::size_t first_lines = lines_in(first_half), second_lines = second_half.empty() ? 0 : lines_in(second_half);
  parsed_lines second;
  std::thread second_reader;
  if (!second_half.empty())
    second_reader = std::thread([&] { second = parse_order_lines(second_half, line + first_lines - 1, col, second_lines); });
  parsed_lines first = parse_order_lines(first_half, line, col, first_lines + second_lines);
  if (second_reader.joinable()) second_reader.join();
  for (const parsed_lines* part : {&first, &second})
    if (part->problem)
      return make_error(part->problem->second.code,
                        path + ":" + std::to_string(part->problem->first) + ": " + part->problem->second.message);

  if (!second.book.empty()) {
    first.book.insert(first.book.end(), std::make_move_iterator(second.book.begin()),
                      std::make_move_iterator(second.book.end()));
    first.buses.insert(first.buses.end(), std::make_move_iterator(second.buses.begin()),
                       std::make_move_iterator(second.buses.end()));
    first.line_of.insert(first.line_of.end(), second.line_of.begin(), second.line_of.end());
  }
  order_file out{std::move(first.book), std::move(first.buses)};
  for (std::size_t k = 0; k < out.book.size(); ++k) out.book[k].seq = k;
  // Ids are checked once the file is read: a hash set of a million strings
  // built line by line took most of the load time.
  if (auto dup = first_duplicate_id(out.book))
    return make_error(errc::duplicate_id, path + ":" + std::to_string(first.line_of[dup->second]) + ": order '" +
                                              out.book[dup->second].id + "': duplicate id (first on line " +
                                              std::to_string(first.line_of[dup->first]) + ")");
  return out;
}

result<distance_table> load_pair_distances(const std::string& path, std::vector<order>& book) {
  std::unordered_map<std::string, std::size_t> buyer_row, seller_col;
  for (order& o : book) {
    auto& index = o.side == side::buy ? buyer_row : seller_col;
    o.location = static_cast<std::int32_t>(index.size());
    index.emplace(o.id, index.size());
  }
  auto table = distance_table::sparse(buyer_row.size(), seller_col.size());
  auto pairs = named_columns::open(path, {"buyer", "seller", "distance_m"});
  if (!pairs) return pairs.err();
  std::vector<std::string> v;
  for (;;) {
    auto more = pairs.value().next(v);
    if (!more) return more.err();
    if (!more.value()) return table;
    auto b = buyer_row.find(v[0]);
    if (b == buyer_row.end()) return pairs.value().at_line(errc::invalid_field, "'" + v[0] + "' is not a buyer of the order book");
    auto s = seller_col.find(v[1]);
    if (s == seller_col.end()) return pairs.value().at_line(errc::invalid_field, "'" + v[1] + "' is not a seller of the order book");
    auto d = parse_scaled(v[2], mm_per_m);
    if (!d) return pairs.value().at_line(d.err().code, "distance_m " + d.err().message);
    if (d.value() < 0 || d.value() > max_distance)
      return pairs.value().at_line(errc::out_of_range, "distance_m is out of range");
    table.set(b->second, s->second, d.value());
  }
}

result<distance_table> locate_on_grid(const grid& g, std::vector<order>& book,
                                      const std::vector<std::string>& buses) {
  std::unordered_map<std::uint32_t, std::int32_t> slot_of_bus;
  std::vector<std::uint32_t> used;
  for (std::size_t k = 0; k < book.size(); ++k) {
    const std::string& name = k < buses.size() ? buses[k] : std::string();
    if (name.empty()) return make_error(errc::missing_field, "order '" + book[k].id + "' has no bus");
    auto bus = g.bus_index(name);
    if (!bus) return make_error(errc::unknown_bus, "order '" + book[k].id + "': " + bus.err().message);
    auto [it, fresh] = slot_of_bus.emplace(bus.value(), static_cast<std::int32_t>(used.size()));
    if (fresh) used.push_back(bus.value());
    book[k].location = it->second;
  }
  return g.distance_matrix(used);
}

}  // namespace voltaic::market
