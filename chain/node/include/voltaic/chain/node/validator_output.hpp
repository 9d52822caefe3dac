#pragma once
// What a validator asks of its host after an input: messages to send, timers
// to set and answers to deliver. The host carries them out in the order of
// the fields: timers, pushes, broadcasts, gossip, then answers.
// Thread-safety: a plain value.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/node/application.hpp"
#include "voltaic/chain/node/consensus.hpp"

namespace voltaic::chain::node {

// Names who waits for an answer; chosen by the host.
using ticket = std::uint64_t;

struct validator_output {
  // Consensus timers: call on_timeout(t) after t.delay_ms.
  std::vector<timeout_request> timeouts;
  // Certified blocks for one peer (by validator index), sent ahead of consensus traffic.
  std::vector<std::pair<std::uint32_t, bytes>> pushes;
  // Consensus messages for every connected peer, ahead of other traffic.
  std::vector<bytes> broadcasts;
  // Admitted envelopes to pass on to every connected peer, one batch each.
  std::vector<bytes> gossip_txs, gossip_messages;
  // Call flush_gossip() after gossip_delay_ms.
  bool schedule_gossip_flush = false;
  // Call admit_waiting() once the messages already received are handled.
  bool schedule_admission = false;
  // Wall clock: call advance_from(height) after delay_ms (0: at once, but
  // after the messages already received).
  struct advance_request {
    std::uint64_t height = 0;
    std::uint64_t delay_ms = 0;
  };
  std::optional<advance_request> advance;
  // Ask the peer whose message showed it ahead for the block at this height,
  // and hand the answer to on_fetched().
  std::optional<std::uint64_t> fetch;
  // Answers: a verdict per envelope ("ok" or why not), a client batch's
  // verdicts, heights reached, pooled counts.
  std::vector<std::pair<ticket, std::string>> verdicts;
  std::vector<std::pair<ticket, std::vector<std::string>>> batch_verdicts;
  std::vector<std::pair<ticket, std::uint64_t>> reached;
  std::vector<std::pair<ticket, std::uint64_t>> counts;
  // What committed blocks established, in commit order, for subscribers.
  std::vector<event> events;
  // What the node and its application have to say (refused blocks,
  // evidence, rounds past the third).
  std::vector<std::string> log;
  // Why this validator cannot go on (its store is full, its sign guard
  // cannot be persisted): the host stops it and says so.
  std::string fatal;

  static constexpr std::uint64_t gossip_delay_ms = 2;
};

}  // namespace voltaic::chain::node
