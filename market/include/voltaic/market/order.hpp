#pragma once
// An order of one auction and the validation of an order book
// (spec/market.md section 1).
//
// Orders carry integer units only; converting from decimal text or from
// doubles goes through units.hpp, which refuses NaN and infinities.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "voltaic/market/error.hpp"
#include "voltaic/market/units.hpp"
#include "voltaic/market/welfare.hpp"

namespace voltaic::market {

enum class side : std::uint8_t { buy = 0, sell = 1 };

const char* to_string(side s);

// No grid location: the caller supplies distances some other way.
inline constexpr std::int32_t no_location = -1;

struct order {
  std::string id;
  market::side side = side::buy;
  price_ucpkwh price = 0;       // reserve price: seller's minimum, buyer's maximum
  energy_mwh energy = 0;        // > 0
  distance_mm distance_pref = distance_anywhere;
  std::int32_t location = no_location;  // row/column in a distance_table
  std::uint64_t seq = 0;        // submission order; the tie-break of last resort
  welfare_params welfare;       // thesis defaults unless the agent has its own
};

// Builds an order from the decimal units people use (price per kWh, kWh,
// metres); refuses NaN, infinities and out-of-range values, naming the order.
result<order> make_order(std::string id, side s, double price_per_kwh, double energy_kwh,
                         double distance_pref_m, std::uint64_t seq);

// Checks every order and the book as a whole: unique ids, ranges, finite
// welfare parameters. seq should be unique per side; if it is not, the
// curves break remaining ties by position in the book, so the result is
// still deterministic.
// The first problem found is returned, naming the order.
// The first order whose id an earlier order already has, as (earlier, later)
// book indices; none when every id is distinct. Linear time.
std::optional<std::pair<std::size_t, std::size_t>> first_duplicate_id(const std::vector<order>& book);

status validate_book(const std::vector<order>& book);
// validate_book's checks of one order alone (every rule but distinct ids).
status validate_order(const order& o);

}  // namespace voltaic::market
