#pragma once
// Where a chain lives: blocks by height, block hashes, a transaction index,
// and an application's state records (node/state_changes.hpp; the
// electricity chain's are in ledger_state.hpp).
// A block and its state changes are committed together or not at all.
// Implementations: lmdb_store.hpp (on disk) and make_memory_store() (tests).
// Thread-safety: implementations serialise their own calls; one writer.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/state_changes.hpp"

namespace voltaic::chain {

struct tx_location {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
};

class block_store {
 public:
  virtual ~block_store() = default;
  virtual result<std::optional<std::uint64_t>> head_height() = 0;
  virtual result<std::optional<bytes>> block_bytes(std::uint64_t height) = 0;
  virtual result<std::optional<std::uint64_t>> height_of(const hash256& block_hash) = 0;
  virtual result<std::optional<tx_location>> find_tx(const hash256& entry_id) = 0;
};

using record_visitor = std::function<status(state_table, const bytes& key, const bytes& value)>;

class state_store {
 public:
  virtual ~state_store() = default;
  virtual status for_each_record(const record_visitor& visit) = 0;
};

struct store_space {
  std::uint64_t file_bytes = 0;  // what the store occupies
  std::uint64_t live_bytes = 0;  // without space kept free for reuse
};

class chain_store : public block_store, public state_store {
 public:
  virtual result<store_space> space() = 0;
  // Stores `encoded` (encode_block(b)) at b's height with its indexes and
  // applies `changes`, atomically and durably.
  virtual status commit(const block& b, const bytes& encoded, const state_changes& changes) = 0;
};

std::unique_ptr<chain_store> make_memory_store();

}  // namespace voltaic::chain
