#pragma once
// Wire form of consensus messages between miners (format 1):
//   proposal = [1, 1, height, round, valid_round + 1, value, value_id, proposer, sig]
//   vote     = [1, 2, kind, height, round, nil, value_id, voter, sig]
//   commit   = [1, 3, height, round, value, value_id, [[voter, sig]...]]
// Signatures are those of consensus.hpp; decoding checks shape and limits
// only (the engine verifies signatures). Values (block proposals) may be up
// to 16 MiB.
// Thread-safety: pure functions.

#include <variant>

#include "voltaic/chain/node/consensus.hpp"

namespace voltaic::chain {

using consensus_message = std::variant<consensus_proposal, consensus_vote, commit_record>;

bytes encode_consensus_message(const consensus_message& m);
result<consensus_message> decode_consensus_message(const std::uint8_t* data, std::size_t size);
inline result<consensus_message> decode_consensus_message(const bytes& b) {
  return decode_consensus_message(b.data(), b.size());
}

}  // namespace voltaic::chain
