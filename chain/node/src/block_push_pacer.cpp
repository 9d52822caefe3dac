#include "voltaic/chain/node/block_push_pacer.hpp"

namespace voltaic::chain {

bool block_push_pacer::should_push(std::uint32_t peer, std::uint64_t peer_height, std::uint64_t head,
                                   clock::time_point now) {
  if (lag_.size() <= peer) lag_.resize(peer + 1);
  peer_lag& l = lag_[peer];
  if (l.height != peer_height) {
    l.height = peer_height;
    l.since = now;
  }
  const bool one_behind = peer_height == head;
  if (one_behind && now - l.since < period_) return false;
  if (l.pushed && now - *l.pushed < period_) return false;
  l.pushed = now;
  return true;
}

}  // namespace voltaic::chain
