#include "voltaic/market/grid.hpp"

#include <algorithm>
#include <deque>
#include <numeric>
#include <queue>


namespace voltaic::market {

std::uint32_t grid::add_bus(std::string_view name) {
  const std::string key(name);
  auto it = bus_by_name_.find(key);
  if (it != bus_by_name_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(buses_.size());
  buses_.push_back(key);
  bus_by_name_.emplace(key, index);
  adjacency_valid_ = false;
  return index;
}

status grid::add_line(std::string name, std::string_view from_bus, std::string_view to_bus,
                      distance_mm length, bool in_service) {
  if (length < 0 || length > max_distance)
    return make_error(errc::out_of_range, "line '" + name + "' has a length out of range");
  if (from_bus == to_bus)
    return make_error(errc::invalid_field, "line '" + name + "' joins bus '" + std::string(from_bus) + "' to itself");
  grid_line line{std::move(name), add_bus(from_bus), add_bus(to_bus), length, in_service};
  lines_.push_back(std::move(line));
  adjacency_valid_ = false;
  return {};
}

result<std::uint32_t> grid::bus_index(std::string_view name) const {
  auto it = bus_by_name_.find(std::string(name));
  if (it == bus_by_name_.end())
    return make_error(errc::unknown_bus, "bus '" + std::string(name) + "' is not in the grid");
  return it->second;
}

status grid::set_in_service(std::string_view line_name, bool in_service) {
  for (grid_line& l : lines_)
    if (l.name == line_name) {
      l.in_service = in_service;
      adjacency_valid_ = false;
      return {};
    }
  return make_error(errc::invalid_argument, "no line named '" + std::string(line_name) + "'");
}

status grid::set_in_service(std::string_view from_bus, std::string_view to_bus, bool in_service) {
  auto a = bus_index(from_bus);
  if (!a) return a.err();
  auto b = bus_index(to_bus);
  if (!b) return b.err();
  for (grid_line& l : lines_)
    if ((l.from == a.value() && l.to == b.value()) || (l.from == b.value() && l.to == a.value())) {
      l.in_service = in_service;
      adjacency_valid_ = false;
      return {};
    }
  return make_error(errc::invalid_argument, "no line between buses '" + std::string(from_bus) +
                                                "' and '" + std::string(to_bus) + "'");
}

const std::vector<std::vector<grid::edge>>& grid::adjacency() const {
  if (!adjacency_valid_) {
    adjacency_.assign(buses_.size(), {});
    for (const grid_line& l : lines_) {
      if (!l.in_service) continue;
      adjacency_[l.from].push_back({l.to, l.length});
      adjacency_[l.to].push_back({l.from, l.length});
    }
    adjacency_valid_ = true;
  }
  return adjacency_;
}

bool grid::is_radial() const {
  std::vector<std::uint32_t> parent(buses_.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto root = [&](std::uint32_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const grid_line& l : lines_) {
    if (!l.in_service) continue;
    const auto a = root(l.from), b = root(l.to);
    if (a == b) return false;  // this line closes a loop
    parent[a] = b;
  }
  return true;
}

std::vector<distance_mm> grid::distances_from(std::uint32_t bus) const {
  return is_radial() ? distances_from_radial(bus) : distances_from_dijkstra(bus);
}

// Thesis Algorithm 6: on a tree every bus is reached by exactly one path, so
// the first visit fixes its distance.
std::vector<distance_mm> grid::distances_from_radial(std::uint32_t bus) const {
  const auto& adj = adjacency();
  std::vector<distance_mm> dist(buses_.size(), distance_table::unknown);
  std::deque<std::uint32_t> pending{bus};
  dist[bus] = 0;
  while (!pending.empty()) {
    const std::uint32_t v = pending.front();
    pending.pop_front();
    for (const edge& e : adj[v]) {
      if (dist[e.to] != distance_table::unknown) continue;
      dist[e.to] = dist[v] + e.length;
      pending.push_back(e.to);
    }
  }
  return dist;
}

std::vector<distance_mm> grid::distances_from_dijkstra(std::uint32_t bus) const {
  const auto& adj = adjacency();
  std::vector<distance_mm> dist(buses_.size(), distance_table::unknown);
  using item = std::pair<distance_mm, std::uint32_t>;
  std::priority_queue<item, std::vector<item>, std::greater<>> frontier;
  dist[bus] = 0;
  frontier.push({0, bus});
  while (!frontier.empty()) {
    const auto [d, v] = frontier.top();
    frontier.pop();
    if (d != dist[v]) continue;  // a stale entry
    for (const edge& e : adj[v]) {
      const distance_mm candidate = d + e.length;
      if (dist[e.to] == distance_table::unknown || candidate < dist[e.to]) {
        dist[e.to] = candidate;
        frontier.push({candidate, e.to});
      }
    }
  }
  return dist;
}

result<distance_table> grid::distance_matrix(const std::vector<std::uint32_t>& buses) const {
  distance_table table(buses.size(), buses.size());
  for (std::size_t r = 0; r < buses.size(); ++r) {
    if (buses[r] >= buses_.size())
      return make_error(errc::unknown_bus, "bus index " + std::to_string(buses[r]) + " is not in the grid");
    const auto from = distances_from(buses[r]);
    for (std::size_t c = 0; c < buses.size(); ++c) {
      if (buses[c] >= buses_.size())
        return make_error(errc::unknown_bus, "bus index " + std::to_string(buses[c]) + " is not in the grid");
      if (from[buses[c]] == distance_table::unknown)
        return make_error(errc::disconnected, "buses '" + buses_[buses[r]] + "' and '" + buses_[buses[c]] +
                                                  "' are not connected by in-service lines");
      table.set(r, c, from[buses[c]]);
    }
  }
  return table;
}

result<distance_mm> grid::distance(std::string_view from_bus, std::string_view to_bus) const {
  auto a = bus_index(from_bus);
  if (!a) return a.err();
  auto b = bus_index(to_bus);
  if (!b) return b.err();
  auto table = distance_matrix({a.value(), b.value()});
  if (!table) return table.err();
  return table.value().at(0, 1);
}

std::string grid::canonical_text() const {
  std::vector<std::string> names = buses_;
  std::sort(names.begin(), names.end());
  std::string text = "voltaic-grid 1\n";
  for (const auto& n : names) text += "bus " + n + "\n";
  std::vector<std::string> rows;
  for (const grid_line& l : lines_) {
    const auto& a = buses_[l.from];
    const auto& b = buses_[l.to];
    rows.push_back("line " + l.name + " " + std::min(a, b) + " " + std::max(a, b) + " " +
                   std::to_string(l.length) + " " + (l.in_service ? "1" : "0") + "\n");
  }
  std::sort(rows.begin(), rows.end());
  for (const auto& r : rows) text += r;
  return text;
}


}  // namespace voltaic::market
