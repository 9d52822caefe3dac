#pragma once
// The DSO's grid: buses and lines with lengths and in-service flags, and the
// shortest-path distances between buses over in-service lines
// (spec/market.md section 6). Radial grids use the thesis's deque search
// (exact on trees); meshed grids use Dijkstra. Every change of a line's state
// gives a new version hash.
// Thread-safety: const member functions may run concurrently; changes need
// exclusive access.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "voltaic/market/distance_table.hpp"
#include "voltaic/market/error.hpp"

namespace voltaic::market {

struct grid_line {
  std::string name;
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  distance_mm length = 0;
  bool in_service = true;
};

class grid {
 public:
  // Returns the index of the bus, adding it when new.
  std::uint32_t add_bus(std::string_view name);
  status add_line(std::string name, std::string_view from_bus, std::string_view to_bus,
                  distance_mm length, bool in_service);

  result<std::uint32_t> bus_index(std::string_view name) const;
  const std::string& bus_name(std::uint32_t index) const { return buses_[index]; }
  std::size_t bus_count() const { return buses_.size(); }
  const std::vector<grid_line>& lines() const { return lines_; }

  // Opens or closes a line (a DSO reconfiguration), by line name or by the
  // two buses it joins.
  status set_in_service(std::string_view line_name, bool in_service);
  status set_in_service(std::string_view from_bus, std::string_view to_bus, bool in_service);

  // True when the in-service lines form a forest (no loop).
  bool is_radial() const;

  // Distances from one bus to every bus; distance_table::unknown where no
  // in-service path exists. Picks the radial search or Dijkstra.
  std::vector<distance_mm> distances_from(std::uint32_t bus) const;
  std::vector<distance_mm> distances_from_radial(std::uint32_t bus) const;
  std::vector<distance_mm> distances_from_dijkstra(std::uint32_t bus) const;

  // Square table between the given buses (row k and column k are buses[k]).
  // An island is an error naming the two buses.
  result<distance_table> distance_matrix(const std::vector<std::uint32_t>& buses) const;
  result<distance_mm> distance(std::string_view from_bus, std::string_view to_bus) const;

  // Canonical text of the grid (buses and lines in a fixed order); its
  // SHA-256 is the grid version recorded on chain (chain/energy/market_grid.hpp).
  std::string canonical_text() const;

 private:
  struct edge {
    std::uint32_t to;
    distance_mm length;
  };
  // In-service adjacency, rebuilt lazily after a change.
  const std::vector<std::vector<edge>>& adjacency() const;

  std::vector<std::string> buses_;
  std::unordered_map<std::string, std::uint32_t> bus_by_name_;
  std::vector<grid_line> lines_;
  mutable std::vector<std::vector<edge>> adjacency_;
  mutable bool adjacency_valid_ = false;
};

}  // namespace voltaic::market
