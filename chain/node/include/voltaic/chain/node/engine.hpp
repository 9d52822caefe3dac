#pragma once
// What node::validator needs of a consensus engine: a pure state machine fed
// with messages, timeouts and the host's "advance", answering with an
// engine_output (what to broadcast, when to time out, what was decided, who
// equivocated, who lags). Tendermint (consensus.hpp) is the one there is; a
// proof-of-work engine would plug in here.
// Thread-safety: implementations have one owner.

#include <cstdint>
#include <string>

namespace voltaic::chain {
struct consensus_proposal;
struct consensus_vote;
struct commit_record;
struct timeout_request;
struct engine_output;
}  // namespace voltaic::chain

namespace voltaic::chain::node {

class engine {
 public:
  virtual ~engine() = default;
  // Starts at `height` (the chain's head + 1).
  virtual engine_output start(std::uint64_t height) = 0;
  virtual engine_output on_proposal(const consensus_proposal& p) = 0;
  virtual engine_output on_vote(const consensus_vote& v) = 0;
  // A certified decision for the current height, from a peer.
  virtual engine_output on_commit(const commit_record& c) = 0;
  virtual engine_output on_timeout(const timeout_request& t) = 0;
  // Moves from a decided height to the next, once the host committed it.
  virtual engine_output advance() = 0;
  // The host saw validator `index` go away (its connection broke) or come
  // back: rounds it would propose need not wait their full timeouts.
  virtual engine_output set_absent(std::uint32_t index, bool absent) = 0;
  virtual bool decided() const = 0;
  virtual std::uint64_t height() const = 0;
  virtual std::uint32_t round() const = 0;
  // One line about the current height for logs.
  virtual std::string describe() const = 0;
};

}  // namespace voltaic::chain::node
