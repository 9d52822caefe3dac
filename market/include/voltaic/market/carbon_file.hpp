#pragma once
// Carbon participants files (spec/carbon.md section 4): header exactly
// `id,role,quota_kg,price`, then one participant per line with exactly four
// fields, no quoting or spaces, LF or CRLF; prices in credits per tonne with
// at most six decimals. Anything else is refused as "FILE:LINE: what" (the
// header is line 1; a file that cannot be read is line 0), before any
// clearing. Thread-safety: pure functions over files.

#include <string>
#include <string_view>
#include <vector>

#include "voltaic/market/carbon_auction.hpp"

namespace voltaic::market {

result<std::vector<carbon_participant>> load_carbon_participants(const std::string& path);
// The same over text; `origin` names it in errors.
result<std::vector<carbon_participant>> parse_carbon_participants(std::string_view text, const std::string& origin);

// A price in credits per tonne with exactly six decimals ("6.090000"); the
// same for money in credits.
std::string carbon_decimal(std::int64_t micro);

}  // namespace voltaic::market
