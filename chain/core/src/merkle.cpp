#include "voltaic/chain/core/merkle.hpp"

#include <sodium.h>

namespace voltaic::chain {

namespace {

hash256 tagged(std::uint8_t tag, const std::uint8_t* a, std::size_t a_size, const std::uint8_t* b,
               std::size_t b_size) {
  crypto_ready();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, &tag, 1);
  if (a_size) crypto_generichash_update(&state, a, a_size);
  if (b_size) crypto_generichash_update(&state, b, b_size);
  hash256 out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

}  // namespace

hash256 merkle_leaf(const std::uint8_t* data, std::size_t size) { return tagged(0x00, data, size, nullptr, 0); }

hash256 merkle_node(const hash256& left, const hash256& right) {
  return tagged(0x01, left.data(), left.size(), right.data(), right.size());
}

hash256 merkle_root(const std::vector<hash256>& leaves) {
  if (leaves.empty()) return tagged(0x02, nullptr, 0, nullptr, 0);
  std::vector<hash256> level = leaves;
  while (level.size() > 1) {
    std::vector<hash256> up;
    up.reserve((level.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) up.push_back(merkle_node(level[i], level[i + 1]));
    if (level.size() % 2) up.push_back(level.back());  // odd one moves up unchanged
    level.swap(up);
  }
  return level[0];
}

merkle_proof make_merkle_proof(const std::vector<hash256>& leaves, std::uint64_t index) {
  merkle_proof proof{index, leaves.size(), {}};
  std::vector<hash256> level = leaves;
  std::uint64_t pos = index;
  while (level.size() > 1) {
    const std::uint64_t sibling = pos ^ 1;
    if (sibling < level.size()) proof.path.push_back({level[sibling], sibling < pos});
    std::vector<hash256> up;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) up.push_back(merkle_node(level[i], level[i + 1]));
    if (level.size() % 2) up.push_back(level.back());
    level.swap(up);
    pos /= 2;
  }
  return proof;
}

bool verify_merkle_path(const hash256& leaf, std::uint64_t index, std::uint64_t leaf_count,
                        const std::vector<hash256>& siblings, const hash256& root) {
  if (leaf_count == 0 || index >= leaf_count) return false;
  hash256 acc = leaf;
  std::uint64_t pos = index, count = leaf_count;
  std::size_t step = 0;
  while (count > 1) {
    const std::uint64_t sibling = pos ^ 1;
    if (sibling < count) {
      if (step >= siblings.size()) return false;
      acc = sibling < pos ? merkle_node(siblings[step], acc) : merkle_node(acc, siblings[step]);
      ++step;
    }
    pos /= 2;
    count = (count + 1) / 2;
  }
  return step == siblings.size() && sodium_memcmp(acc.data(), root.data(), root.size()) == 0;
}

bool verify_merkle_proof(const hash256& leaf, const merkle_proof& proof, const hash256& root) {
  if (proof.leaf_count == 0 || proof.index >= proof.leaf_count) return false;
  // The side of each step is implied by the index; a proof claiming the other
  // side is forged.
  std::vector<hash256> siblings;
  std::uint64_t pos = proof.index, count = proof.leaf_count;
  std::size_t step = 0;
  while (count > 1) {
    const std::uint64_t sibling = pos ^ 1;
    if (sibling < count) {
      if (step >= proof.path.size() || proof.path[step].sibling_on_left != (sibling < pos)) return false;
      siblings.push_back(proof.path[step].sibling);
      ++step;
    }
    pos /= 2;
    count = (count + 1) / 2;
  }
  return verify_merkle_path(leaf, proof.index, proof.leaf_count, siblings, root) && step == proof.path.size();
}

}  // namespace voltaic::chain
