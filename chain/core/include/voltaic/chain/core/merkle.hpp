#pragma once
// Merkle trees over BLAKE2b-256 with domain-separated hashing:
//   leaf = H(0x00 || data), node = H(0x01 || left || right).
// An odd node at the end of a level moves up unchanged (no duplication, so
// two different leaf lists never share a root). The root of no leaves is
// H(0x02). Used for transaction roots, order-set roots and meter key sets.
// Thread-safety: pure functions.

#include <cstdint>
#include <vector>

#include "voltaic/chain/core/hash.hpp"

namespace voltaic::chain {

hash256 merkle_leaf(const std::uint8_t* data, std::size_t size);
inline hash256 merkle_leaf(const bytes& data) { return merkle_leaf(data.data(), data.size()); }
hash256 merkle_node(const hash256& left, const hash256& right);

// Root over leaf hashes (already passed through merkle_leaf).
hash256 merkle_root(const std::vector<hash256>& leaves);

struct merkle_step {
  hash256 sibling;
  bool sibling_on_left;
};

struct merkle_proof {
  std::uint64_t index = 0;       // position of the leaf
  std::uint64_t leaf_count = 0;  // leaves in the tree
  std::vector<merkle_step> path;
};

// Inclusion proof for leaves[index]; precondition index < leaves.size().
merkle_proof make_merkle_proof(const std::vector<hash256>& leaves, std::uint64_t index);

// True when `leaf` (a merkle_leaf hash) at proof.index is in the tree with
// `root`. The path must have exactly the shape the index and count imply.
bool verify_merkle_proof(const hash256& leaf, const merkle_proof& proof, const hash256& root);

// The same check for a compact proof: siblings bottom-up, sides implied by
// `index` and `leaf_count` (what ERCs carry).
bool verify_merkle_path(const hash256& leaf, std::uint64_t index, std::uint64_t leaf_count,
                        const std::vector<hash256>& siblings, const hash256& root);

}  // namespace voltaic::chain
