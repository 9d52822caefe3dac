#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "support/paths.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/verify.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

using namespace voltaic::chain;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("voltaic-store-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("LMDB: blocks commit durably, the map grows, and a reopened store has the same state") {
  const fs::path dir = fresh_dir("grow");
  workload_options wo;
  wo.txs_per_block = 40;
  workload wl(wo);
  hash256 head{}, root{};
  state_changes records;
  {
    lmdb_options small;
    small.initial_map_size = 64 * 1024;  // forces MDB_MAP_FULL and growth
    auto store = open_lmdb_store(dir.string(), small);
    REQUIRE(store.ok());
    auto l = ledger::open(std::move(store).value(), &wl.genesis());
    REQUIRE(l.ok());
    for (int i = 0; i < 25; ++i) {
      const auto& st = l.value()->state();
      auto built = l.value()->propose(wl.next_block(st), wl.genesis().time_ms + st.height + 1, wl.proposer(st.height + 1).pub);
      REQUIRE(built.ok());
      CHECK(built.value().rejected.empty());
    }
    head = l.value()->state().head_hash;
    root = l.value()->state().state_root;
    records = l.value()->state().all_records();
    CHECK(l.value()->state().height == 25);
  }
  auto again = open_lmdb_store(dir.string());
  REQUIRE(again.ok());
  auto l = ledger::open(std::move(again).value(), nullptr);
  REQUIRE(l.ok());
  CHECK(l.value()->state().height == 25);
  CHECK(l.value()->state().head_hash == head);
  CHECK(l.value()->state().state_root == root);
  CHECK(l.value()->state().all_records() == records);
  auto v = verify_chain(l.value()->store());
  CHECK(v.ok);
  CHECK(v.height == 25);
  CHECK(v.head_hash == head);

  // Every transaction is findable by id.
  auto raw = l.value()->store().block_bytes(7);
  REQUIRE(raw.ok());
  auto b = decode_block(*raw.value());
  REQUIRE(b.ok());
  auto loc = l.value()->store().find_tx(entry_id(b.value().entries.back()));
  REQUIRE(loc.ok());
  REQUIRE(loc.value().has_value());
  CHECK(loc.value()->height == 7);
  CHECK(loc.value()->index == b.value().entries.size() - 1);
  fs::remove_all(dir);
}

TEST_CASE("LMDB: a read-only store refuses writes and a missing chain is a clear error") {
  const fs::path dir = fresh_dir("ro");
  lmdb_options ro;
  ro.read_only = true;
  auto missing = open_lmdb_store(dir.string(), ro);
  CHECK_FALSE(missing.ok());
  {
    workload wl({});
    auto l = ledger::open(std::move(open_lmdb_store(dir.string())).value(), &wl.genesis());
    REQUIRE(l.ok());
  }
  auto store = open_lmdb_store(dir.string(), ro);
  REQUIRE(store.ok());
  auto l = ledger::open(std::move(store).value(), nullptr);
  REQUIRE(l.ok());
  auto built = l.value()->propose({}, 5, l.value()->state().genesis.validators[0].key);
  REQUIRE_FALSE(built.ok());
  CHECK(built.err().message.rfind("store-io", 0) == 0);
  // The failed commit left the state at the head.
  CHECK(l.value()->state().height == 0);
  fs::remove_all(dir);
}

TEST_CASE("replicas from the same workload reach identical heads in memory and on disk") {
  workload_options wo;
  wo.txs_per_block = 30;
  wo.validators = 4;
  workload a(wo), b(wo);
  auto m = ledger::open(make_memory_store(), &a.genesis());
  const fs::path dir = fresh_dir("same");
  auto d = ledger::open(std::move(open_lmdb_store(dir.string())).value(), &b.genesis());
  REQUIRE(m.ok());
  REQUIRE(d.ok());
  for (int i = 0; i < 12; ++i) {
    const std::uint64_t h = m.value()->state().height + 1;
    REQUIRE(m.value()->propose(a.next_block(m.value()->state()), 10 * h, a.proposer(h).pub).ok());
    REQUIRE(d.value()->propose(b.next_block(d.value()->state()), 10 * h, b.proposer(h).pub).ok());
    CHECK(m.value()->state().head_hash == d.value()->state().head_hash);
  }
  fs::remove_all(dir);
}
