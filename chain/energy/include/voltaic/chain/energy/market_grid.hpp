#pragma once
// A market's grid as the chain sees it: the DSO's feeder with every committed
// change applied, the load buses prosumers sit on (an order's `bus` indexes
// them), and the distance table between those buses with the hashes a grid
// update records. Validators and the DSO each hold one and apply the same
// changes, so their tables agree byte for byte.
// Thread-safety: const use from many threads; apply() needs exclusive access.

#include <cstdint>
#include <string_view>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/market/grid.hpp"

namespace voltaic::chain {

// The grid version recorded on chain: SHA-256 of the grid's canonical text.
hash256 grid_version(const market::grid& g);

class market_grid {
 public:
  static result<market_grid> make(market::grid g, std::vector<std::uint32_t> load_buses);

  // Applies a grid_update's change text; on error nothing changes.
  status apply(std::string_view change);

  const market::grid& grid() const { return grid_; }
  const std::vector<std::uint32_t>& load_buses() const { return load_buses_; }
  const market::distance_table& distances() const { return distances_; }
  const hash256& distances_hash() const { return distances_hash_; }
  const hash256& version() const { return version_; }

 private:
  status refresh();

  market::grid grid_;
  std::vector<std::uint32_t> load_buses_;
  market::distance_table distances_;
  hash256 distances_hash_{};
  hash256 version_{};
};

}  // namespace voltaic::chain
