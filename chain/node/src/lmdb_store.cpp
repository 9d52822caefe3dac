#include "voltaic/chain/node/lmdb_store.hpp"

#include <lmdb.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/node/block.hpp"

namespace voltaic::chain {

namespace {

market::error lmdb_error(const std::string& what, int rc) {
  return market::make_error(market::errc::io_error, "store-io: " + what + ": " + mdb_strerror(rc));
}

MDB_val view(const bytes& b) { return MDB_val{b.size(), const_cast<std::uint8_t*>(b.data())}; }
template <std::size_t N>
MDB_val view(const std::array<std::uint8_t, N>& a) {
  return MDB_val{N, const_cast<std::uint8_t*>(a.data())};
}
bytes copy_of(const MDB_val& v) {
  const auto* p = static_cast<const std::uint8_t*>(v.mv_data);
  return bytes(p, p + v.mv_size);
}
std::array<std::uint8_t, 8> be64(std::uint64_t v) {
  std::array<std::uint8_t, 8> out{};
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  return out;
}
std::uint64_t from_be64(const void* p) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
  return v;
}

const std::string head_key = "head";

class lmdb_store final : public chain_store {
 public:
  ~lmdb_store() override {
    if (env_) mdb_env_close(env_);
  }

  status open(const std::string& dir, const lmdb_options& options) {
    read_only_ = options.read_only;
    dir_ = dir;
    if (!read_only_ && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return market::make_error(market::errc::io_error,
                                "store-io: cannot create directory " + dir + ": " + std::strerror(errno));
    int rc = mdb_env_create(&env_);
    if (rc) return lmdb_error("create environment", rc);
    mdb_env_set_maxdbs(env_, 8);
    mdb_env_set_mapsize(env_, options.initial_map_size);
    const unsigned flags = MDB_NOTLS | (read_only_ ? MDB_RDONLY : 0u);
    rc = mdb_env_open(env_, dir.c_str(), flags, 0600);
    if (rc) return lmdb_error("open " + dir, rc);
    int dead = 0;
    mdb_reader_check(env_, &dead);  // slots of processes that died holding a reader
    MDB_txn* txn = nullptr;
    rc = mdb_txn_begin(env_, nullptr, read_only_ ? MDB_RDONLY : 0u, &txn);
    if (rc) return lmdb_error("begin", rc);
    const unsigned create = read_only_ ? 0u : static_cast<unsigned>(MDB_CREATE);
    const char* names[] = {"blocks", "heights", "txindex", "state", "ctps", "meta"};
    MDB_dbi* dbis[] = {&blocks_, &heights_, &txindex_, &state_, &ctps_, &meta_};
    for (int i = 0; i < 6; ++i) {
      // The transaction index keeps 8-byte id prefixes with every location
      // sharing one (DUPSORT), 8-byte fixed values: small per transaction.
      const unsigned dup = dbis[i] == &txindex_ ? static_cast<unsigned>(MDB_DUPSORT | MDB_DUPFIXED) : 0u;
      rc = mdb_dbi_open(txn, names[i], create | dup, dbis[i]);
      if (rc) {
        mdb_txn_abort(txn);
        if (rc == MDB_NOTFOUND)
          return market::make_error(market::errc::io_error, "store-missing: " + dir + " holds no voltaic chain");
        return lmdb_error(std::string("open database ") + names[i], rc);
      }
    }
    rc = mdb_txn_commit(txn);
    if (rc) return lmdb_error("commit open", rc);
    return {};
  }

  result<std::optional<std::uint64_t>> head_height() override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto v = get(meta_, MDB_val{head_key.size(), const_cast<char*>(head_key.data())});
    if (!v) return v.err();
    if (!v.value()) return std::optional<std::uint64_t>{};
    if (v.value()->size() != 8) return market::make_error(market::errc::io_error, "store-corrupt: head record");
    return std::optional<std::uint64_t>(from_be64(v.value()->data()));
  }

  result<std::optional<bytes>> block_bytes(std::uint64_t height) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto k = be64(height);
    return get(blocks_, view(k));
  }

  result<std::optional<std::uint64_t>> height_of(const hash256& block_hash) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto v = get(heights_, view(block_hash));
    if (!v) return v.err();
    if (!v.value()) return std::optional<std::uint64_t>{};
    if (v.value()->size() != 8) return market::make_error(market::errc::io_error, "store-corrupt: height record");
    return std::optional<std::uint64_t>(from_be64(v.value()->data()));
  }

  result<std::optional<tx_location>> find_tx(const hash256& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // Every location under the id's 8-byte prefix, confirmed against the
    // entry itself (a prefix may be shared).
    std::vector<tx_location> candidates;
    {
      MDB_txn* txn = nullptr;
      int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
      if (rc) return lmdb_error("begin read", rc);
      MDB_cursor* cur = nullptr;
      rc = mdb_cursor_open(txn, txindex_, &cur);
      if (rc) {
        mdb_txn_abort(txn);
        return lmdb_error("cursor", rc);
      }
      MDB_val k{8, const_cast<std::uint8_t*>(id.data())}, v;
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
        if (v.mv_size != 8) {
          rc = MDB_CORRUPTED;
          break;
        }
        const auto* b = static_cast<const std::uint8_t*>(v.mv_data);
        candidates.push_back({from_be64(b) >> 16, static_cast<std::uint32_t>(b[6] << 8 | b[7])});
      }
      mdb_cursor_close(cur);
      mdb_txn_abort(txn);
      if (rc != MDB_NOTFOUND) return lmdb_error("read tx index", rc);
    }
    for (const auto& loc : candidates) {
      const auto k = be64(loc.height);
      auto raw = get(blocks_, view(k));
      if (!raw) return raw.err();
      if (!raw.value()) continue;
      auto b = decode_block(*raw.value());
      if (b && loc.index < b.value().item_count() && entry_id(b.value().item(loc.index)) == id)
        return std::optional<tx_location>(loc);
    }
    return std::optional<tx_location>{};
  }

  status for_each_record(const record_visitor& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto [dbi, table] : {std::pair{state_, state_table::state}, std::pair{ctps_, state_table::ctps}}) {
      MDB_txn* txn = nullptr;
      int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
      if (rc) return lmdb_error("begin read", rc);
      MDB_cursor* cur = nullptr;
      rc = mdb_cursor_open(txn, dbi, &cur);
      if (rc) {
        mdb_txn_abort(txn);
        return lmdb_error("cursor", rc);
      }
      MDB_val k, v;
      status result;
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && result.ok();
           rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        result = visit(table, copy_of(k), copy_of(v));
      mdb_cursor_close(cur);
      mdb_txn_abort(txn);
      if (!result) return result;
      if (rc != MDB_NOTFOUND) return lmdb_error("read records", rc);
    }
    return {};
  }

  result<store_space> space() override {
    std::lock_guard<std::mutex> lock(mutex_);
    store_space out;
    struct stat st {};
    if (::stat((dir_ + "/data.mdb").c_str(), &st) == 0) out.file_bytes = static_cast<std::uint64_t>(st.st_size);
    MDB_envinfo info;
    MDB_stat stat;
    mdb_env_info(env_, &info);
    mdb_env_stat(env_, &stat);
    // Free pages are listed in LMDB's free database (dbi 0): each value is a
    // page-number array whose first element is its length.
    std::uint64_t free_pages = 0;
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc) return lmdb_error("begin read", rc);
    MDB_cursor* cur = nullptr;
    rc = mdb_cursor_open(txn, 0, &cur);
    if (rc == 0) {
      MDB_val k, v;
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if (v.mv_size >= sizeof(std::size_t)) free_pages += *static_cast<const std::size_t*>(v.mv_data);
      mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    const std::uint64_t used = static_cast<std::uint64_t>(info.me_last_pgno) + 1;
    out.live_bytes = (used > free_pages ? used - free_pages : 0) * stat.ms_psize;
    return out;
  }

  status commit(const block& b, const bytes& encoded, const state_changes& changes) override {
    if (read_only_) return market::make_error(market::errc::io_error, "store-io: the store is open read-only");
    std::lock_guard<std::mutex> lock(mutex_);
    for (int attempt = 0; attempt < 40; ++attempt) {
      const int rc = write_block(b, encoded, changes);
      if (rc == 0) return {};
      if (rc == MDB_MAP_FULL) {
        MDB_envinfo info;
        mdb_env_info(env_, &info);
        const int grown = mdb_env_set_mapsize(env_, info.me_mapsize * 2);
        if (grown) return lmdb_error("grow map", grown);
        continue;
      }
      if (rc == MDB_MAP_RESIZED) {  // another process grew it
        mdb_env_set_mapsize(env_, 0);
        continue;
      }
      if (rc == ENOSPC || (rc == EIO && space_left() < (std::uint64_t{1} << 20)))
        return market::make_error(market::errc::io_error,
                                  "store-full: no space left on device: " + dir_ + " (" +
                                      std::to_string(space_left()) + " bytes free); block " +
                                      std::to_string(b.header.height) +
                                      " was not written and nothing before it is lost: free space and start again");
      return lmdb_error("commit block " + std::to_string(b.header.height), rc);
    }
    return market::make_error(market::errc::io_error, "store-io: the map could not grow enough");
  }

 private:
  // Bytes an unprivileged writer may still use on the store's file system.
  std::uint64_t space_left() const {
    struct statvfs fs {};
    if (::statvfs(dir_.c_str(), &fs) != 0) return UINT64_MAX;
    return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  // One write transaction; returns an LMDB code (0 on success), never leaves
  // the transaction open.
  int write_block(const block& b, const bytes& encoded, const state_changes& changes) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc) return rc;
    auto put = [&](MDB_dbi dbi, MDB_val k, MDB_val v) {
      if (rc == 0) rc = mdb_put(txn, dbi, &k, &v, 0);
    };
    const auto height = be64(b.header.height);
    put(blocks_, view(height), view(encoded));
    put(heights_, view(b.hash), view(height));
    if (b.header.height >= (std::uint64_t{1} << 48)) return MDB_BAD_VALSIZE;
    if (b.item_count() > (std::size_t{1} << 16)) return MDB_BAD_VALSIZE;
    for (std::size_t i = 0; i < b.item_count() && rc == 0; ++i) {
      const hash256 id = entry_id(b.item(i));
      const auto loc = be64(b.header.height << 16 | i);  // 48-bit height, 16-bit index
      put(txindex_, MDB_val{8, const_cast<std::uint8_t*>(id.data())}, view(loc));
    }
    for (const auto& c : changes) {
      if (rc) break;
      const MDB_dbi dbi = c.table == state_table::ctps ? ctps_ : state_;
      if (c.value) {
        put(dbi, view(c.key), view(*c.value));
      } else {
        MDB_val k = view(c.key);
        rc = mdb_del(txn, dbi, &k, nullptr);
        if (rc == MDB_NOTFOUND) rc = 0;
      }
    }
    put(meta_, MDB_val{head_key.size(), const_cast<char*>(head_key.data())}, view(height));
    if (rc) {
      mdb_txn_abort(txn);
      return rc;
    }
    return mdb_txn_commit(txn);  // frees the transaction either way
  }

  result<std::optional<bytes>> get(MDB_dbi dbi, MDB_val key) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc) return lmdb_error("begin read", rc);
    MDB_val v;
    rc = mdb_get(txn, dbi, &key, &v);
    std::optional<bytes> out;
    if (rc == 0) out = copy_of(v);
    mdb_txn_abort(txn);
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("read", rc);
    return out;
  }

  std::mutex mutex_;
  MDB_env* env_ = nullptr;
  bool read_only_ = false;
  std::string dir_;
  MDB_dbi blocks_{}, heights_{}, txindex_{}, state_{}, ctps_{}, meta_{};
};

}  // namespace

result<std::unique_ptr<chain_store>> open_lmdb_store(const std::string& dir, const lmdb_options& options) {
  auto store = std::make_unique<lmdb_store>();
  if (auto s = store->open(dir, options); !s) return s.err();
  return std::unique_ptr<chain_store>(std::move(store));
}

}  // namespace voltaic::chain
