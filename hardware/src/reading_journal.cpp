#include "voltaic/hardware/reading_journal.hpp"

#include <lmdb.h>

#include <array>
#include <cerrno>
#include <filesystem>

namespace voltaic::hardware {

namespace {

constexpr std::size_t initial_map_size = std::size_t{64} << 20;

std::array<std::uint8_t, 8> key_of(std::uint64_t seq) {
  std::array<std::uint8_t, 8> k{};
  for (int i = 7; i >= 0; --i, seq >>= 8) k[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seq & 0xFF);
  return k;
}

std::uint64_t seq_of(const MDB_val& key) {
  std::uint64_t seq = 0;
  const auto* p = static_cast<const std::uint8_t*>(key.mv_data);
  for (std::size_t i = 0; i < key.mv_size; ++i) seq = (seq << 8) | p[i];
  return seq;
}

error lmdb_error(const std::string& dir, const std::string& what, int rc) {
  if (rc == ENOSPC) return make_error(errc::io_error, "no space left on device: " + dir);
  return make_error(errc::io_error, dir + ": " + what + ": " + mdb_strerror(rc));
}

}  // namespace

reading_journal::reading_journal(std::string dir, MDB_env* env, unsigned dbi)
    : dir_(std::move(dir)), env_(env), dbi_(dbi) {}

reading_journal::~reading_journal() { mdb_env_close(env_); }

result<std::unique_ptr<reading_journal>> reading_journal::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(errc::io_error, dir + ": cannot create the journal directory: " + ec.message());
  MDB_env* env = nullptr;
  if (int rc = mdb_env_create(&env); rc != 0) return lmdb_error(dir, "cannot create the journal", rc);
  mdb_env_set_mapsize(env, initial_map_size);
  if (int rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0600); rc != 0) {
    mdb_env_close(env);
    return lmdb_error(dir, "cannot open the journal", rc);
  }
  int dead = 0;
  mdb_reader_check(env, &dead);  // slots of a meterd that was killed while reading
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  if (int rc = mdb_txn_begin(env, nullptr, 0, &txn); rc != 0) {
    mdb_env_close(env);
    return lmdb_error(dir, "cannot read the journal", rc);
  }
  if (int rc = mdb_dbi_open(txn, nullptr, 0, &dbi); rc != 0) {
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return lmdb_error(dir, "cannot read the journal", rc);
  }
  std::unique_ptr<reading_journal> j(new reading_journal(dir, env, dbi));
  MDB_cursor* cursor = nullptr;
  MDB_val key{}, value{};
  if (mdb_cursor_open(txn, dbi, &cursor) == 0) {
    if (mdb_cursor_get(cursor, &key, &value, MDB_LAST) == 0) j->last_seq_ = seq_of(key);
    mdb_cursor_close(cursor);
  }
  if (int rc = mdb_txn_commit(txn); rc != 0) return lmdb_error(dir, "cannot read the journal", rc);
  return j;
}

status reading_journal::append(std::uint64_t seq, const chain::bytes& wire) {
  if (seq != last_seq_ + 1)
    return make_error(errc::invalid_field, dir_ + ": reading " + std::to_string(seq) + " does not follow " +
                                               std::to_string(last_seq_));
  for (int attempt = 0;; ++attempt) {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) return lmdb_error(dir_, "cannot write", rc);
    auto k = key_of(seq);
    MDB_val key{k.size(), k.data()};
    MDB_val value{wire.size(), const_cast<std::uint8_t*>(wire.data())};
    int rc = mdb_put(txn, dbi_, &key, &value, MDB_APPEND);
    if (rc == 0) rc = mdb_txn_commit(txn);
    else mdb_txn_abort(txn);
    if (rc == 0) {
      last_seq_ = seq;
      return {};
    }
    if (rc == MDB_MAP_FULL && attempt < 8) {
      MDB_envinfo info{};
      mdb_env_info(env_, &info);
      if (mdb_env_set_mapsize(env_, info.me_mapsize * 2) == 0) continue;
    }
    return lmdb_error(dir_, "cannot journal reading " + std::to_string(seq), rc);
  }
}

result<std::vector<chain::bytes>> reading_journal::read_from(std::uint64_t from, std::size_t max) const {
  std::vector<chain::bytes> out;
  MDB_txn* txn = nullptr;
  if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn); rc != 0) return lmdb_error(dir_, "cannot read", rc);
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn, dbi_, &cursor); rc != 0) {
    mdb_txn_abort(txn);
    return lmdb_error(dir_, "cannot read", rc);
  }
  auto k = key_of(from);
  MDB_val key{k.size(), k.data()}, value{};
  for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE); rc == 0 && out.size() < max;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    const auto* p = static_cast<const std::uint8_t*>(value.mv_data);
    out.emplace_back(p, p + value.mv_size);
  }
  mdb_cursor_close(cursor);
  mdb_txn_abort(txn);
  return out;
}

}  // namespace voltaic::hardware
