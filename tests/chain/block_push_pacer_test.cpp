// When certified blocks go to a lagging peer: one behind only after a
// period there, and at most one push per peer and period.
#include <doctest/doctest.h>

#include "voltaic/chain/node/block_push_pacer.hpp"

using voltaic::chain::block_push_pacer;
using ms = std::chrono::milliseconds;

TEST_CASE("a peer one block behind gets blocks only after lagging there a period, any peer at most once a period") {
  block_push_pacer p(ms(200));
  const auto t0 = block_push_pacer::clock::time_point{} + std::chrono::hours(1);
  const std::uint64_t head = 10;

  // Peer 1 at our head height: still committing the block we have; wait.
  CHECK_FALSE(p.should_push(1, head, head, t0));
  CHECK_FALSE(p.should_push(1, head, head, t0 + ms(150)));
  CHECK(p.should_push(1, head, head, t0 + ms(200)));          // lagged a whole period
  CHECK_FALSE(p.should_push(1, head, head, t0 + ms(250)));    // pushed just now
  CHECK(p.should_push(1, head, head, t0 + ms(400)));

  // Peer 2 several heights behind: at once, then once a period.
  CHECK(p.should_push(2, head - 5, head, t0));
  CHECK_FALSE(p.should_push(2, head - 5, head, t0 + ms(10)));
  CHECK_FALSE(p.should_push(2, head - 3, head, t0 + ms(100)));  // moved, but pushed 100 ms ago
  CHECK(p.should_push(2, head - 3, head, t0 + ms(200)));

  // Peer 1 moves on to the next height, where it is one behind again: the wait starts afresh.
  CHECK_FALSE(p.should_push(1, head + 1, head + 1, t0 + ms(700)));
  CHECK(p.should_push(1, head + 1, head + 1, t0 + ms(900)));

  // A peer index beyond any seen so far is tracked too.
  CHECK(p.should_push(9, 1, head, t0));
}
