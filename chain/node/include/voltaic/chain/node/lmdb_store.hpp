#pragma once
// The on-disk chain store: one LMDB environment per chain directory, with
// named databases blocks (height -> block), heights (block hash -> height),
// txindex (8-byte entry-id prefix -> 48-bit height and 16-bit index, several
// per prefix, confirmed against the block on lookup), state, ctps and meta.
// A block and its state changes commit in one write transaction with LMDB's
// default durable sync, so a crash leaves either the whole block or none of
// it and opening needs no repair. The map grows (doubling) on MDB_MAP_FULL;
// stale reader slots of dead processes are cleared at open; readers use
// MDB_NOTLS. One environment per directory per process (LMDB's rule); calls
// are serialised by the store.
// Thread-safety: any thread; one writer at a time by construction.

#include <cstdint>
#include <memory>
#include <string>

#include "voltaic/chain/node/store.hpp"

namespace voltaic::chain {

struct lmdb_options {
  std::size_t initial_map_size = std::size_t{64} << 20;
  bool read_only = false;  // for verify and inspect
};

// Opens (creating the directory and databases unless read-only) the store in `dir`.
result<std::unique_ptr<chain_store>> open_lmdb_store(const std::string& dir, const lmdb_options& options = {});



}  // namespace voltaic::chain
