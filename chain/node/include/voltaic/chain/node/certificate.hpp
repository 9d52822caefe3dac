#pragma once
// Commit certificates on blocks (spec/protocols.md section 5): the
// precommits that decided a block, stored with it, checked by anyone against
// the validator set. Precommits name the block by its header hash.
// Thread-safety: pure functions.

#include <string_view>
#include <vector>

#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/chain/node/validator_set.hpp"

namespace voltaic::chain {

// The certificate slot of a block decided by `c`.
commit_certificate certificate_of(const commit_record& c);

// Precommits of b's height and the certificate's round for b's hash, by
// distinct validators holding more than two thirds of the power, each signed
// under the consensus domain and `chain_id`. Reason: "bad-certificate".
status verify_certificate(const block& b, const std::vector<validator>& validators, std::string_view chain_id);

// What validators agree on: a block with the witnesses behind its entries
// (the electricity chain: the full ERCs behind its receipts) and data the
// application carries to check it (the signed orders behind the order-set
// roots it fixes).
//   proposal value = [block bytes, [witness...], [carried...]]
// Its id is the block's header hash.
bytes encode_block_proposal(const block& b, const std::vector<bytes>& witnesses,
                            const std::vector<bytes>& carried = {});
struct block_proposal {
  block blk;
  std::vector<bytes> witnesses;
  std::vector<bytes> carried;
};
result<block_proposal> decode_block_proposal(const bytes& value);
hash256 block_proposal_id(const bytes& value);  // zero hash when it does not decode

}  // namespace voltaic::chain
