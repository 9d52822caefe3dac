// `voltaic spb compare` as a real process: the same deals negotiated over
// backbone routers and settled once by SPB and once by the escrow baseline,
// on chains of their own — one block entry per trade against three, every
// deal paid, money conserved in both; producers that never deliver leave
// their buyers' holds to expire and come back.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace {

const std::string bin = VOLTAIC_BIN;

}  // namespace

TEST_CASE("voltaic spb compare: one transaction per trade against three, exactly the four measures per mode") {
  const auto r = voltaic::test::run_command(bin + " spb compare --trades 12 --routers 3 --json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 2);
  for (const char* mode : {"spb", "escrow"}) {
    INFO(mode);
    REQUIRE(j.contains(mode));
    const auto& m = j[mode];
    CHECK(m.size() == 4);
    for (const char* key : {"tx_per_trade", "chain_bytes_per_100_trades", "mean_delay_ms", "trades_per_s"}) {
      REQUIRE(m.contains(key));
      CHECK(m[key].get<double>() > 0);
    }
  }
  CHECK(j["spb"]["tx_per_trade"].get<double>() == 1.0);
  CHECK(j["escrow"]["tx_per_trade"].get<double>() == 3.0);
}

TEST_CASE("voltaic spb compare: producers that never deliver are never paid, their buyers' money comes back") {
  const auto r = voltaic::test::run_command(bin + " spb compare --trades 6 --unreliable 2 --lifetime-blocks 20");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("spb     tx_per_trade") != std::string::npos);
  // Both modes: four deals paid, two refunded at expiry, money conserved.
  std::size_t lines = 0;
  for (std::size_t at = r.out.find("(4 paid, 2 refunded, 0 failed; money conserved)"); at != std::string::npos;
       at = r.out.find("(4 paid, 2 refunded, 0 failed; money conserved)", at + 1))
    ++lines;
  CHECK(lines == 2);
  CHECK(r.out.find("escrow / spb: transactions") != std::string::npos);

  const auto bad = voltaic::test::run_command(bin + " spb compare --trades 2 --unreliable 3");
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--unreliable 3 is more than --trades 2") != std::string::npos);
}

TEST_CASE("voltaic spb compare: a router killed in the middle of the negotiations, every deal still completes") {
  const auto r = voltaic::test::run_command(bin + " spb compare --trades 12 --routers 3 --kill-router-after 6");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // Both modes: the router died with negotiations under way (about ten words a deal, 120 in all).
  const std::string said = "(12 paid, 0 refunded, 0 failed; money conserved; router 0 killed after ";
  std::size_t lines = 0;
  for (std::size_t at = r.out.find(said); at != std::string::npos; at = r.out.find(said, at + 1)) {
    ++lines;
    const auto n = std::stoul(r.out.substr(at + said.size()));
    CHECK(n >= 6);
    CHECK(n < 100);
  }
  CHECK(lines == 2);
}
