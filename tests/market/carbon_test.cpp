// The carbon auction, quotas and participants files (spec/carbon.md sections
// 2-4): every case of tests/data/testvectors/carbon.json, properties over
// thousands of random books, and malformed files named by line.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "support/json.hpp"
#include "support/paths.hpp"
#include "voltaic/market/carbon_file.hpp"
#include "voltaic/market/carbon_quota.hpp"
#include "voltaic/market/rng.hpp"

using namespace voltaic;
using namespace voltaic::market;

namespace {

const test::json& vectors() {
  static const test::json v =
      test::json::parse(test::read_text(test::source_dir() + "/tests/data/testvectors/carbon.json"));
  return v;
}

// A random valid book: ids unique, CECs of either sign, PVPs selling.
std::vector<carbon_participant> random_book(rng& r) {
  std::vector<carbon_participant> book;
  const auto n = r.between(0, 40);
  for (std::int64_t k = 0; k < n; ++k) {
    carbon_participant p;
    p.id = "n" + std::to_string(r.between(0, 9)) + "-" + std::to_string(k);
    p.role = r.between(0, 2) == 0 ? carbon_role::pvp : carbon_role::cec;
    p.quota_kg = r.between(p.role == carbon_role::pvp ? 0 : -5'000'000, 5'000'000);
    if (r.between(0, 9) == 0) p.quota_kg = r.between(-1, 1) * max_carbon_kg;  // the limits
    if (p.role == carbon_role::pvp && p.quota_kg < 0) p.quota_kg = -p.quota_kg;
    p.price = r.between(0, 9) == 0 ? r.between(0, 3) * 1'000'000 : r.between(1'000'000, 20'000'000);
    if (r.between(0, 19) == 0) p.price = max_carbon_price;
    book.push_back(std::move(p));
  }
  return book;
}

}  // namespace

TEST_CASE("every carbon clear case of carbon.json is reproduced by the library, Table 4 among them") {
  for (const auto& c : vectors()["clear_cases"].arr) {
    INFO(c["name"].str);
    const auto book = parse_carbon_participants(c["csv"].str, c["name"].str);
    REQUIRE(book.ok());
    REQUIRE(book.value().size() == c["participants"].size());
    const auto r = clear_carbon(book.value()).value();
    const auto& ex = c["expected"];
    REQUIRE(r.trades.size() == ex["trades"].size());
    for (std::size_t k = 0; k < r.trades.size(); ++k) {
      const auto& t = ex["trades"][k];
      CHECK(r.trades[k].buyer == t["buyer"].str);
      CHECK(r.trades[k].seller == t["seller"].str);
      CHECK(r.trades[k].phase == static_cast<int>(t["phase"].num));
      CHECK(r.trades[k].quantity_kg == static_cast<carbon_kg>(t["quantity_kg"].num));
      CHECK(carbon_decimal(r.trades[k].price) == t["price"].str);
      CHECK(carbon_decimal(r.trades[k].turnover) == t["turnover"].str);
    }
    REQUIRE(r.short_of.size() == ex["short"].size());
    for (std::size_t k = 0; k < r.short_of.size(); ++k) {
      CHECK(r.short_of[k].id == ex["short"][k]["id"].str);
      CHECK(r.short_of[k].quantity_kg == static_cast<carbon_kg>(ex["short"][k]["quantity_kg"].num));
    }
    REQUIRE(r.unsold.size() == ex["unsold"].size());
    for (std::size_t k = 0; k < r.unsold.size(); ++k) {
      CHECK(r.unsold[k].id == ex["unsold"][k]["id"].str);
      CHECK(r.unsold[k].quantity_kg == static_cast<carbon_kg>(ex["unsold"][k]["quantity_kg"].num));
    }
  }
}

TEST_CASE("quotas are delta times the year's generation, rounded half to even once, and the check value is what counts") {
  for (const auto& c : vectors()["quota_cases"].arr) {
    INFO(c["name"].str);
    std::vector<std::int64_t> months;
    for (const auto& m : c["monthly_mwh"].arr) months.push_back(static_cast<std::int64_t>(m.num));
    const auto check = pv_quota_kg(static_cast<std::int64_t>(c["delta_g_per_kwh"].num), months);
    REQUIRE(check.ok());
    CHECK(check.value() == static_cast<carbon_kg>(c["expected_check_kg"].num));
    CHECK(check.value() == static_cast<carbon_kg>(c["used_kg"].num));
    CHECK((check.value() != static_cast<carbon_kg>(c["estimate_kg"].num)) == c["corrected"].b);
  }
  const std::vector<std::int64_t> year(12, 1'000'000'000);  // 1,000 kWh a month
  CHECK(pv_quota_kg(500, year).value() == 6'000);
  CHECK(pv_quota_kg(500, std::vector<std::int64_t>(11, 1)).err().message ==
        "a quota needs twelve monthly generation totals, not 11");
  auto negative = year;
  negative[3] = -1;
  CHECK(pv_quota_kg(500, negative).err().message == "month 4 has negative generation");
  CHECK_FALSE(pv_quota_kg(-1, year).ok());
  CHECK(pv_quota_kg(10'000, std::vector<std::int64_t>(12, INT64_MAX)).err().message == "the quota exceeds 10^10 kg");
}

TEST_CASE("carbon auctions over thousands of random books: rational prices, conserved quantities, CECs first, any row order") {
  rng r(2026);
  for (int round = 0; round < 3'000; ++round) {
    const auto book = random_book(r);
    const auto result = clear_carbon(book);
    REQUIRE(result.ok());
    const auto& res = result.value();
    std::map<std::string, const carbon_participant*> by_id;
    for (const auto& p : book) by_id[p.id] = &p;
    std::map<std::string, carbon_kg> traded;
    bool phase2_seen = false;
    for (const auto& t : res.trades) {
      const auto& b = *by_id.at(t.buyer);
      const auto& s = *by_id.at(t.seller);
      CHECK(t.price <= b.price);  // buyers never pay above their bid
      CHECK(t.price >= s.price);  // sellers never receive below their ask
      CHECK(t.quantity_kg > 0);
      CHECK(b.quota_kg < 0);
      CHECK(s.quota_kg > 0);
      CHECK(b.role == carbon_role::cec);
      CHECK(s.role == (t.phase == 1 ? carbon_role::cec : carbon_role::pvp));
      phase2_seen |= t.phase == 2;
      CHECK_FALSE((phase2_seen && t.phase == 1));  // internal clearing first
      traded[t.buyer] += t.quantity_kg;
      traded[t.seller] += t.quantity_kg;
    }
    std::map<std::string, carbon_kg> left;
    for (const auto& x : res.short_of) left[x.id] += x.quantity_kg;
    for (const auto& x : res.unsold) left[x.id] += x.quantity_kg;
    for (const auto& p : book) {
      const carbon_kg q = p.quota_kg < 0 ? -p.quota_kg : p.quota_kg;
      CHECK(traded[p.id] + left[p.id] == q);  // traded + short (or unsold) = |q|
    }
    // A CEC seller with quota left: no buyer that bought PV quota bid up to its ask.
    for (const auto& u : res.unsold) {
      const auto& s = *by_id.at(u.id);
      if (s.role != carbon_role::cec) continue;
      for (const auto& t : res.trades)
        if (t.phase == 2) CHECK(by_id.at(t.buyer)->price < s.price);
    }
    // The same participants in another order give the same result.
    auto shuffled = book;
    for (std::size_t k = shuffled.size(); k > 1; --k)
      std::swap(shuffled[k - 1], shuffled[static_cast<std::size_t>(r.between(0, static_cast<std::int64_t>(k) - 1))]);
    const auto again = clear_carbon(shuffled).value();
    REQUIRE(again.trades.size() == res.trades.size());
    for (std::size_t k = 0; k < res.trades.size(); ++k) {
      CHECK(again.trades[k].buyer == res.trades[k].buyer);
      CHECK(again.trades[k].seller == res.trades[k].seller);
      CHECK(again.trades[k].quantity_kg == res.trades[k].quantity_kg);
      CHECK(again.trades[k].price == res.trades[k].price);
      CHECK(again.trades[k].turnover == res.trades[k].turnover);
    }
    CHECK(again.short_of.size() == res.short_of.size());
    CHECK(again.unsold.size() == res.unsold.size());
  }
}

TEST_CASE("turnovers are quantity times price over 1000, rounded half to even, and fit at the limits") {
  // 10^10 kg at 100,000 credits/t: 10^18 micro-credits exactly.
  const std::vector<carbon_participant> book = {{"b", carbon_role::cec, -max_carbon_kg, max_carbon_price},
                                                {"s", carbon_role::pvp, max_carbon_kg, max_carbon_price}};
  const auto r = clear_carbon(book).value();
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].turnover == 1'000'000'000'000'000'000);
}

TEST_CASE("malformed participants files are refused with FILE:LINE: what, before anything clears") {
  struct bad_case {
    const char* text;
    const char* says;
  };
  const bad_case cases[] = {
      {"", "f.csv:1: the header must be exactly id,role,quota_kg,price"},
      {"id,role,quota,price\n", "f.csv:1: the header must be exactly id,role,quota_kg,price"},
      {"id,role,quota_kg,price\na,cec,-5,1.0\n\nb,cec,5,1\n", "f.csv:3: an empty line"},
      {"id,role,quota_kg,price\na,cec,-5\n", "f.csv:2: expected 4 fields, found 3"},
      {"id,role,quota_kg,price\na,cec,-5,1,2\n", "f.csv:2: expected 4 fields, found 5"},
      {"id,role,quota_kg,price\na,miner,-5,1\n", "f.csv:2: role must be cec or pvp, not 'miner'"},
      {"id,role,quota_kg,price\na,cec, -5,1\n", "f.csv:2: quota_kg must be a whole number of kg"},
      {"id,role,quota_kg,price\na,cec,-10000000001,1\n", "f.csv:2: quota_kg must be a whole number of kg within +-10^10"},
      {"id,role,quota_kg,price\na,cec,-5,1.1234567\n", "f.csv:2: price must be 0 to 100000 credits per tonne with at most 6 decimals"},
      {"id,role,quota_kg,price\na,cec,-5,-1\n", "f.csv:2: price must be"},
      {"id,role,quota_kg,price\na,cec,-5,100000.000001\n", "f.csv:2: price must be"},
      {"id,role,quota_kg,price\na,cec,-5,1e3\n", "f.csv:2: price must be"},
      {"id,role,quota_kg,price\na,pvp,-5,1\n", "f.csv:2: participant 'a': a PV prosumer's quota cannot be negative"},
      {"id,role,quota_kg,price\na b,cec,-5,1\n", "f.csv:2: participant 'a b': an id is 1-64 of A-Z a-z 0-9 _ . : -"},
      {"id,role,quota_kg,price\n,cec,-5,1\n", "f.csv:2: participant '': an id is"},
      {"id,role,quota_kg,price\na,cec,-5,1\nb,pvp,5,1\na,pvp,4,1\n", "f.csv:4: participant 'a' appears twice"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto r = parse_carbon_participants(c.text, "f.csv");
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message.rfind(c.says, 0) == 0);
  }
  // CRLF, a missing final newline and a header alone are fine.
  CHECK(parse_carbon_participants("id,role,quota_kg,price\r\na,cec,-5,1\r\nb,pvp,5,0.5", "f.csv").value().size() == 2);
  CHECK(parse_carbon_participants("id,role,quota_kg,price\n", "f.csv").value().empty());
  CHECK(load_carbon_participants("/nonexistent/p.csv").err().message == "/nonexistent/p.csv:0: cannot read the file");
}
