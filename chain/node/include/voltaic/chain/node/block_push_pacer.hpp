#pragma once
// When a validator sends its certified blocks to a peer heard from at an
// older height. A peer one block behind (at the height this validator has
// just committed) is usually still committing that block itself: it gets
// the block only after lagging there for a whole period. Any peer gets at
// most one push per period. Pushed on every message of such a peer, whole
// blocks cost four validators in four processes a tenth of their CPU.
// Thread-safety: none; one per validator, driven by its owner.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace voltaic::chain {

class block_push_pacer {
 public:
  using clock = std::chrono::steady_clock;

  explicit block_push_pacer(std::chrono::milliseconds period = std::chrono::milliseconds(200)) : period_(period) {}

  // A message of `peer` from `peer_height` arrived while this validator's
  // head is `head`: true when blocks should be pushed to it now.
  bool should_push(std::uint32_t peer, std::uint64_t peer_height, std::uint64_t head, clock::time_point now);

 private:
  struct peer_lag {
    std::uint64_t height = 0;
    clock::time_point since{};
    std::optional<clock::time_point> pushed;
  };
  std::chrono::milliseconds period_;
  std::vector<peer_lag> lag_;  // by validator index
};

}  // namespace voltaic::chain
