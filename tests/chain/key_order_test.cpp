// key_less must order keys exactly as std::less does: the ledger's ordered
// maps (CTPs by id, order roots, the mempool's senders) decide what a block
// holds and in which order, so a different order would fork replicas.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <unordered_set>
#include <vector>

#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/energy/ledger_state.hpp"

using namespace voltaic::chain;

namespace {

// Keys that often share leading bytes, so the tie-break past the first word is exercised too.
hash256 random_key(std::mt19937_64& rng) {
  hash256 k{};
  for (auto& b : k) b = static_cast<std::uint8_t>(rng() % 3 == 0 ? 0 : rng());
  if (rng() % 2) std::fill(k.begin(), k.begin() + 8, 0x5a);
  return k;
}

}  // namespace

TEST_CASE("key_less orders keys, pairs and tuples exactly as std::less") {
  std::mt19937_64 rng(7);
  std::vector<hash256> keys;
  for (int i = 0; i < 400; ++i) keys.push_back(random_key(rng));
  keys.push_back(keys.front());  // an equal pair
  const key_less fast;
  for (const auto& a : keys)
    for (const auto& b : keys) {
      REQUIRE(fast(a, b) == std::less<hash256>{}(a, b));
      const settlement_key x{rng() % 2, 1, a, static_cast<std::uint8_t>(rng() % 2)};
      const settlement_key y{rng() % 2, 1, b, static_cast<std::uint8_t>(rng() % 2)};
      REQUIRE(fast(x, y) == (x < y));
      const std::pair<std::uint64_t, hash256> p{rng() % 2, a}, q{rng() % 2, b};
      REQUIRE(fast(p, q) == (p < q));
    }
}

TEST_CASE("key_hasher gives equal keys equal hashes and spreads distinct ones") {
  std::mt19937_64 rng(11);
  const key_hasher h;
  std::unordered_set<std::size_t> seen;
  for (int i = 0; i < 1000; ++i) {
    hash256 k{};
    for (auto& b : k) b = static_cast<std::uint8_t>(rng());
    const hash256 copy = k;
    CHECK(h(k) == h(copy));
    const settlement_key s{3, 4, k, 1};
    CHECK(h(s) == h(settlement_key{3, 4, copy, 1}));
    seen.insert(h(k));
  }
  CHECK(seen.size() > 990);
  CHECK(h(settlement_key{3, 4, hash256{}, 0}) != h(settlement_key{3, 4, hash256{}, 1}));
}

TEST_CASE("a hashed journaled map rolls back and reports its changes like an ordered one") {
  journaled_map<public_key, account, hashed_items> accounts;
  public_key a{}, b{};
  a[0] = 1;
  b[0] = 2;
  accounts.load(a, {10, 0, 0});
  accounts.put(a, {7, 0, 1});
  accounts.put(b, {3, 0, 1});
  accounts.erase(a);
  int changes = 0;
  accounts.for_each_change([&](const public_key& k, const account* v) {
    ++changes;
    CHECK((k == a ? v == nullptr : v->balance_uc == 3));
  });
  CHECK(changes == 2);
  accounts.rollback();
  REQUIRE(accounts.find(a));
  CHECK(accounts.find(a)->balance_uc == 10);
  CHECK_FALSE(accounts.find(b));
  CHECK_FALSE(accounts.changed());
}
