#include "voltaic/chain/energy/coe_verdicts.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using voltaic::chain::coe_verdicts;
using voltaic::chain::hash256;

TEST_CASE("a CoE asked for by several checks at once is verified once and each gets its verdict") {
  coe_verdicts verdicts(16);
  hash256 good{}, forged{};
  good[0] = 1;
  forged[0] = 2;
  std::atomic<int> runs{0};
  std::atomic<int> held{0}, refused{0};
  std::vector<std::thread> checks;
  for (int t = 0; t < 8; ++t)
    checks.emplace_back([&, t] {
      const bool is_good = t % 2 == 0;
      const bool verdict = verdicts.holds(is_good ? good : forged, [&] {
        ++runs;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the others ask meanwhile
        return is_good;
      });
      (verdict ? held : refused)++;
    });
  for (auto& c : checks) c.join();
  CHECK(runs == 2);
  CHECK(held == 4);
  CHECK(refused == 4);
  CHECK_FALSE(verdicts.holds(forged, [] { return true; }));  // remembered, not asked again
}

TEST_CASE("CoE verdicts past their bound are forgotten and decided again") {
  coe_verdicts verdicts(2);
  int runs = 0;
  const auto count = [&] { return ++runs > 0; };
  for (std::uint8_t i = 0; i < 3; ++i) {
    hash256 id{};
    id[0] = i;
    verdicts.holds(id, count);
  }
  hash256 first{};
  verdicts.holds(first, count);
  CHECK(runs == 4);
}
