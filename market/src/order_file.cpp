#include "voltaic/market/order_file.hpp"

#include <unordered_map>

#include "voltaic/market/csv.hpp"

namespace voltaic::market {

result<order_file> load_orders_csv(const std::string& path) {
  auto opened = csv_reader::open(path);
  if (!opened) return opened.err();
  csv_reader& in = opened.value();
  std::vector<std::string> row;
  if (!in.next(row)) return make_error(errc::malformed_file, path + ": the file is empty (expected a header)");
  const int c_id = column_index(row, "id"), c_side = column_index(row, "side"),
            c_price = column_index(row, "price"), c_energy = column_index(row, "energy_kwh"),
            c_pref = column_index(row, "distance_pref_m"), c_bus = column_index(row, "bus");
  for (auto [index, name] : {std::pair{c_id, "id"}, {c_side, "side"}, {c_price, "price"}, {c_energy, "energy_kwh"}})
    if (index < 0)
      return in.at_line(errc::missing_field,
                        std::string("the header has no column '") + name +
                            "' (expected id,side,price,energy_kwh[,distance_pref_m][,bus])");
  const std::size_t width = row.size();
  order_file out;
  std::vector<std::size_t> line_of;  // by book index
  std::uint64_t seq = 0;
  while (in.next(row)) {
    if (row.size() != width)
      return in.at_line(errc::malformed_file, "expected " + std::to_string(width) + " fields, found " +
                                                  std::to_string(row.size()));
    order o;
    o.id = trim(row[static_cast<std::size_t>(c_id)]);
    if (o.id.empty()) return in.at_line(errc::missing_field, "the id is empty");
    const std::string side_text = trim(row[static_cast<std::size_t>(c_side)]);
    if (side_text == "buy") o.side = side::buy;
    else if (side_text == "sell") o.side = side::sell;
    else return in.at_line(errc::invalid_field, "order '" + o.id + "': side must be buy or sell, not '" + side_text + "'");
    auto price = parse_scaled(row[static_cast<std::size_t>(c_price)], uc_per_credit);
    if (!price) return in.at_line(price.err().code, "order '" + o.id + "': price " + price.err().message);
    auto energy = parse_scaled(row[static_cast<std::size_t>(c_energy)], mwh_per_kwh);
    if (!energy) return in.at_line(energy.err().code, "order '" + o.id + "': energy_kwh " + energy.err().message);
    o.price = price.value();
    o.energy = energy.value();
    if (c_pref >= 0 && !trim(row[static_cast<std::size_t>(c_pref)]).empty()) {
      auto pref = parse_scaled(row[static_cast<std::size_t>(c_pref)], mm_per_m);
      if (!pref) return in.at_line(pref.err().code, "order '" + o.id + "': distance_pref_m " + pref.err().message);
      o.distance_pref = pref.value();
    }
    o.seq = seq++;
    if (auto st = validate_order(o); !st) return in.at_line(st.err().code, st.err().message);
    line_of.push_back(in.line());
    out.buses.push_back(c_bus >= 0 ? trim(row[static_cast<std::size_t>(c_bus)]) : std::string());
    out.book.push_back(std::move(o));
  }
  // Ids are checked once the file is read: a hash set of a million strings
  // built line by line took most of the load time.
  if (auto dup = first_duplicate_id(out.book))
    return make_error(errc::duplicate_id, path + ":" + std::to_string(line_of[dup->second]) + ": order '" +
                                              out.book[dup->second].id + "': duplicate id (first on line " +
                                              std::to_string(line_of[dup->first]) + ")");
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
