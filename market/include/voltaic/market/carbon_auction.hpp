#pragma once
// The carbon-quota auction (spec/carbon.md section 3): carbon-and-electricity
// consumers (CEC) with excess emissions buy, first from CECs with quota to
// spare (phase 1), then from PV prosumers' quotas (phase 2). Each side is
// walked in a fixed order (buyers by limit price descending, sellers
// ascending, ties by id bytewise); a pair trades while the buyer's limit
// reaches the seller's, at the midpoint price. Integer units throughout:
// carbon in kg, prices in micro-credits per tonne, money in micro-credits,
// rounded half to even, so every implementation gives the same result.
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "voltaic/market/error.hpp"

namespace voltaic::market {

using carbon_kg = std::int64_t;
using price_ucpt = std::int64_t;  // micro-credits per tonne

inline constexpr carbon_kg max_carbon_kg = 10'000'000'000;         // |balance| <= 10^10 kg
inline constexpr price_ucpt max_carbon_price = 100'000'000'000;    // 100,000 credits per tonne

enum class carbon_role : std::uint8_t { cec = 0, pvp = 1 };

const char* to_string(carbon_role r);

// One participant's balance for the period and its one limit price: a
// buyer's maximum (quota_kg < 0: it must buy -quota_kg), a seller's minimum.
struct carbon_participant {
  std::string id;
  carbon_role role = carbon_role::cec;
  carbon_kg quota_kg = 0;
  price_ucpt price = 0;
};

struct carbon_trade {
  std::string buyer;
  std::string seller;
  int phase = 1;  // 1: CEC to CEC, 2: PVP to CEC
  carbon_kg quantity_kg = 0;
  price_ucpt price = 0;       // midpoint of the two limits
  std::int64_t turnover = 0;  // micro-credits: quantity * price / 1000
};

struct carbon_left_over {
  std::string id;
  carbon_kg quantity_kg = 0;
};

struct carbon_result {
  std::vector<carbon_trade> trades;          // in the order they were made
  std::vector<carbon_left_over> short_of;    // buyers with demand left, by id
  std::vector<carbon_left_over> unsold;      // sellers with quota left, by id
};

// Checks ids (1-64 of A-Z a-z 0-9 _ . : -, unique), the limits of carbon.md
// section 1, and that no PVP needs to buy. The first problem names the
// participant.
status validate_carbon_book(const std::vector<carbon_participant>& book);
// validate_carbon_book's checks of one participant (all but unique ids).
status validate_carbon_participant(const carbon_participant& p);

// Clears a valid book (validate_carbon_book first; an invalid one is refused).
result<carbon_result> clear_carbon(const std::vector<carbon_participant>& book);

}  // namespace voltaic::market
