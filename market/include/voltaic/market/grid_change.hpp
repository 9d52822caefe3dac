#pragma once
// The DSO's reconfigurations as text, the form they take on chain
// (grid_update's `change`): "open <line>", "close <line>",
// "open <bus> <bus>", "close <bus> <bus>"; "initial" changes nothing.
// Thread-safety: pure function over the grid it is given.

#include <string_view>

#include "voltaic/market/grid.hpp"

namespace voltaic::market {

// Applies `change` to `g`; an unknown verb, line or bus is an error naming it
// and leaves `g` unchanged.
status apply_grid_change(grid& g, std::string_view change);

}  // namespace voltaic::market
