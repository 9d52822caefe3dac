#include "voltaic/chain/energy/market_grid.hpp"

#include "voltaic/chain/energy/market_cycle.hpp"
#include "voltaic/market/grid_change.hpp"

namespace voltaic::chain {

hash256 grid_version(const market::grid& g) { return sha256(g.canonical_text()); }

result<market_grid> market_grid::make(market::grid g, std::vector<std::uint32_t> load_buses) {
  market_grid m;
  m.grid_ = std::move(g);
  m.load_buses_ = std::move(load_buses);
  if (auto s = m.refresh(); !s) return s.err();
  return m;
}

status market_grid::refresh() {
  auto table = grid_.distance_matrix(load_buses_);
  if (!table) return table.err();
  distances_ = std::move(table).value();
  distances_hash_ = chain::distances_hash(distances_);
  version_ = grid_version(grid_);
  return {};
}

status market_grid::apply(std::string_view change) {
  market::grid before = grid_;
  if (auto s = market::apply_grid_change(grid_, change); !s) return s;
  if (auto s = refresh(); !s) {
    grid_ = std::move(before);
    (void)refresh();
    return s;
  }
  return {};
}

}  // namespace voltaic::chain
