#pragma once
// Opens a replica's LMDB store read-only as a ledger (its state and blocks),
// for tests that check what a run left on disk.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

namespace voltaic::test {

inline std::unique_ptr<chain::ledger> open_replica(const std::string& dir) {
  chain::lmdb_options ro;
  ro.read_only = true;
  auto store = chain::open_lmdb_store(dir, ro);
  REQUIRE(store.ok());
  auto l = chain::ledger::open(std::move(store).value(), nullptr);
  REQUIRE(l.ok());
  return std::move(l).value();
}

}  // namespace voltaic::test
