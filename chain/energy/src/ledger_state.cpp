#include "voltaic/chain/energy/ledger_state.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

#include "clearing_codec.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/node/parallel.hpp"

namespace voltaic::chain {

// A record of one integer: [v].
template <class T>
struct one_value {
  T v{};
};
template <class Io, class T>
void fields(Io& io, one_value<T>& x) {
  io.array(1);
  io(x.v);
}
template <class Io>
void fields(Io& io, account& a) {
  io.array(4);
  io(a.balance_uc);
  io(a.held_uc);
  io(a.nonce);
  io(a.ctp_nonce);
}
template <class Io>
void fields(Io& io, ctp_record& c) {
  io.array(10);
  io(c.buyer);
  io(c.producer);
  io(c.amount_uc);
  io(c.charge_uc);
  io(c.energy_mwh);
  io(c.expiry_height);
  io(c.meter_key);
  io(c.market);
  io(c.cycle);
  io(c.envelope);
}
template <class Io>
void fields(Io& io, energy_account& a) {
  io.array(2);
  io(a.energy_mwh);
  io(a.price_ucpkwh);
}
template <class Io>
void fields(Io& io, order_root_record& o) {
  io.array(2);
  io(o.root);
  io(o.order_count);
}
template <class Io>
void fields(Io& io, grid_record& g) {
  io.array(3);
  io(g.grid_version);
  io(g.distances_hash);
  io(g.height);
}
template <class Io>
void fields(Io& io, due_record& d) {
  io.array(3);
  io(d.agreed_mwh);
  io(d.tariff_uc);
  io(d.meter);
}
template <class Io>
void fields(Io& io, escrow_record& x) {
  io.array(6);
  io(x.buyer);
  io(x.producer);
  io(x.amount_uc);
  io(x.energy_mwh);
  io(x.expiry_height);
  io(x.paid);
}
template <class Io>
void fields(Io& io, dso_record& d) {
  io.array(2);
  io(d.charge_uc_per_m);
  io(d.penalty_ucpkwh);
}

namespace {

using detail::field_reader;

// ---- keys: prefix byte + fixed-width big-endian fields ----
void put_u64(bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
template <std::size_t N>
void put_fixed(bytes& out, const std::array<std::uint8_t, N>& a) {
  out.insert(out.end(), a.begin(), a.end());
}
template <std::size_t N>
std::array<std::uint8_t, N> get_fixed(const std::uint8_t* p) {
  std::array<std::uint8_t, N> a{};
  std::memcpy(a.data(), p, N);
  return a;
}

bytes key_of(char prefix, const public_key& k) {
  bytes out{static_cast<std::uint8_t>(prefix)};
  put_fixed(out, k);
  return out;
}
bytes key_of(char prefix, std::uint64_t id) {
  bytes out{static_cast<std::uint8_t>(prefix)};
  put_u64(out, id);
  return out;
}
bytes key_of(char prefix, const cycle_key& c) {
  bytes out{static_cast<std::uint8_t>(prefix)};
  put_u64(out, c.first);
  put_u64(out, c.second);
  return out;
}
bytes key_of(char prefix, const settlement_key& s) {
  bytes out{static_cast<std::uint8_t>(prefix)};
  put_u64(out, std::get<0>(s));
  put_u64(out, std::get<1>(s));
  put_fixed(out, std::get<2>(s));
  out.push_back(std::get<3>(s));
  return out;
}
bytes key_of(char prefix, std::uint8_t) { return bytes{static_cast<std::uint8_t>(prefix)}; }
bytes key_of(char prefix, const evidence_key& e) {
  bytes out{static_cast<std::uint8_t>(prefix)};
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(std::get<0>(e) >> shift));
  put_u64(out, std::get<1>(e));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(std::get<2>(e) >> shift));
  out.push_back(std::get<3>(e));
  return out;
}

// ---- values: each record's field list (core/fields.hpp) ----
template <class V>
bytes value_of(const V& v) {
  return encode_fields(v);
}
bytes value_of(std::int64_t amount) { return encode_fields(one_value<std::int64_t>{amount}); }
bytes value_of(std::uint64_t n) { return encode_fields(one_value<std::uint64_t>{n}); }

template <class K, class V, template <class, class> class Items>
void collect_changes(const journaled_map<K, V, Items>& m, char prefix, state_table table, state_changes& out) {
  m.for_each_change([&](const K& k, const V* v) {
    out.push_back({table, key_of(prefix, k), v ? std::optional<bytes>(value_of(*v)) : std::nullopt});
  });
}

template <class K, class V, template <class, class> class Items>
void collect_all(const journaled_map<K, V, Items>& m, char prefix, state_table table, state_changes& out) {
  for (const auto& [k, v] : m.items()) out.push_back({table, key_of(prefix, k), value_of(v)});
}

void sort_by_key(state_changes& changes) {
  std::sort(changes.begin(), changes.end(), [](const state_change& a, const state_change& b) { return a.key < b.key; });
}

market::error bad_record(const std::string& what) { return chain_error("bad-state-record", what); }

}  // namespace

bool ledger_state::is_validator(const public_key& k) const {
  for (const auto& v : genesis.validators)
    if (v.key == k) return true;
  return false;
}

std::int64_t ledger_state::balance_of(const public_key& k) const {
  const account* a = accounts.find(k);
  return a ? a->balance_uc : 0;
}

std::uint64_t ledger_state::peek_next_ctp_id() const {
  const std::uint64_t* id = next_ctp_id.find(0);
  return id ? *id : 1;
}

state_changes ledger_state::changes() const {
  // Each map's changes are collected and sorted on their own, on all cores:
  // every key starts with its map's prefix, so the groups joined in prefix
  // order are the whole set sorted by key.
  constexpr std::size_t maps = 13;
  std::array<state_changes, maps> groups;
  parallel_for(maps, [&](std::size_t i) {
    auto& g = groups[i];
    switch (i) {
      case 0: collect_changes(accounts, 'a', state_table::state, g); break;
      case 1: collect_changes(ctps, 'c', state_table::ctps, g); break;
      case 2: collect_changes(dues, 'd', state_table::state, g); break;
      case 3: collect_changes(energy_accounts, 'e', state_table::state, g); break;
      case 4: collect_changes(grid, 'g', state_table::state, g); break;
      case 5: collect_changes(next_ctp_id, 'n', state_table::state, g); break;
      case 6: collect_changes(order_roots, 'o', state_table::state, g); break;
      case 7: collect_changes(dso_params, 'p', state_table::state, g); break;
      case 8: collect_changes(clearings, 'r', state_table::state, g); break;
      case 9: collect_changes(settlements, 's', state_table::state, g); break;
      case 10: collect_changes(dues_recorded, 't', state_table::state, g); break;
      case 11: collect_changes(evidence, 'v', state_table::state, g); break;
      default: collect_changes(escrows, 'x', state_table::state, g); break;
    }
    sort_by_key(g);
  });
  std::size_t total = 0;
  for (const auto& g : groups) total += g.size();
  state_changes out;
  out.reserve(total);
  for (auto& g : groups) std::move(g.begin(), g.end(), std::back_inserter(out));
  return out;
}

state_changes ledger_state::all_records() const {
  state_changes out;
  collect_all(accounts, 'a', state_table::state, out);
  collect_all(ctps, 'c', state_table::ctps, out);
  collect_all(energy_accounts, 'e', state_table::state, out);
  collect_all(order_roots, 'o', state_table::state, out);
  collect_all(clearings, 'r', state_table::state, out);
  collect_all(settlements, 's', state_table::state, out);
  collect_all(dues, 'd', state_table::state, out);
  collect_all(dues_recorded, 't', state_table::state, out);
  collect_all(grid, 'g', state_table::state, out);
  collect_all(dso_params, 'p', state_table::state, out);
  collect_all(next_ctp_id, 'n', state_table::state, out);
  collect_all(evidence, 'v', state_table::state, out);
  collect_all(escrows, 'x', state_table::state, out);
  sort_by_key(out);
  return out;
}

namespace {
ctp_record with_digest(ctp_record c) {
  c.digest = blake2b_256(value_of(c));
  return c;
}
}  // namespace

void ledger_state::put_ctp(std::uint64_t id, ctp_record c) { ctps.put(id, with_digest(std::move(c))); }

// Over [id, digest] pairs in id order: a digest stands for its record.
hash256 ledger_state::compute_ctp_db_hash() const {
  encoder e;
  e.array(static_cast<std::uint32_t>(ctps.items().size()));
  for (const auto& [id, c] : ctps.items()) e.array(2).uint(id).bin(c.digest.data(), c.digest.size());
  return blake2b_256(e.take());
}

namespace {
// Every journaled table of the state, for what each of them does alike.
template <class F>
void for_each_table(ledger_state& st, F f) {
  f(st.accounts);
  f(st.ctps);
  f(st.energy_accounts);
  f(st.order_roots);
  f(st.clearings);
  f(st.settlements);
  f(st.dues);
  f(st.dues_recorded);
  f(st.grid);
  f(st.dso_params);
  f(st.next_ctp_id);
  f(st.evidence);
  f(st.escrows);
}
}  // namespace

void ledger_state::rollback() {
  for_each_table(*this, [](auto& table) { table.rollback(); });
}

void ledger_state::stash() {
  for_each_table(*this, [](auto& table) { table.stash(); });
}

void ledger_state::unstash() {
  for_each_table(*this, [](auto& table) { table.unstash(); });
}

void ledger_state::clear_journal() {
  for_each_table(*this, [](auto& table) { table.clear_journal(); });
}

status ledger_state::load_record(state_table table, const bytes& key, const bytes& value) {
  if (key.empty()) return bad_record("empty key");
  const char prefix = static_cast<char>(key[0]);
  const std::uint8_t* k = key.data() + 1;
  const std::size_t klen = key.size() - 1;
  if ((table == state_table::ctps) != (prefix == 'c')) return bad_record("a record in the wrong table");
  auto d = decoder::open(value);
  if (!d) return d.err();
  field_reader r(d.value());
  auto need = [&](std::size_t n) { return klen == n; };
  switch (prefix) {
    case 'a': {
      if (!need(32)) return bad_record("account key length");
      const auto a = read_fields<account>(r);
      if (auto s = r.finish(); !s) return s;
      accounts.load(get_fixed<32>(k), a);
      return {};
    }
    case 'c': {
      if (!need(8)) return bad_record("CTP key length");
      const auto c = read_fields<ctp_record>(r);
      if (auto s = r.finish(); !s) return s;
      ctps.load(get_u64(k), with_digest(c));
      return {};
    }
    case 'e': {
      if (!need(32)) return bad_record("energy account key length");
      const auto a = read_fields<energy_account>(r);
      if (auto s = r.finish(); !s) return s;
      energy_accounts.load(get_fixed<32>(k), a);
      return {};
    }
    case 'o': {
      if (!need(16)) return bad_record("order root key length");
      const auto o = read_fields<order_root_record>(r);
      if (auto s = r.finish(); !s) return s;
      order_roots.load({get_u64(k), get_u64(k + 8)}, o);
      return {};
    }
    case 'r': {
      if (!need(16)) return bad_record("clearing key length");
      const auto b = read_fields<clearing_result_body>(r);
      if (auto s = r.finish(); !s) return s;
      clearings.load({get_u64(k), get_u64(k + 8)}, b);
      return {};
    }
    case 's': {
      if (!need(49)) return bad_record("settlement key length");
      const std::int64_t amount = read_fields<one_value<std::int64_t>>(r).v;
      if (auto s = r.finish(); !s) return s;
      settlements.load({get_u64(k), get_u64(k + 8), get_fixed<32>(k + 16), k[48]}, amount);
      return {};
    }
    case 'd': {
      if (!need(49)) return bad_record("due key length");
      const auto due = read_fields<due_record>(r);
      if (auto s = r.finish(); !s) return s;
      dues.load({get_u64(k), get_u64(k + 8), get_fixed<32>(k + 16), k[48]}, due);
      return {};
    }
    case 't': {
      if (!need(16)) return bad_record("dues marker key length");
      const std::uint64_t count = read_fields<one_value<std::uint64_t>>(r).v;
      if (auto s = r.finish(); !s) return s;
      dues_recorded.load({get_u64(k), get_u64(k + 8)}, count);
      return {};
    }
    case 'g': {
      if (!need(0)) return bad_record("grid key length");
      const auto g = read_fields<grid_record>(r);
      if (auto s = r.finish(); !s) return s;
      grid.load(0, g);
      return {};
    }
    case 'p': {
      if (!need(0)) return bad_record("DSO parameter key length");
      const auto p = read_fields<dso_record>(r);
      if (auto s = r.finish(); !s) return s;
      dso_params.load(0, p);
      return {};
    }
    case 'n': {
      if (!need(0)) return bad_record("CTP counter key length");
      const std::uint64_t id = read_fields<one_value<std::uint64_t>>(r).v;
      if (auto s = r.finish(); !s) return s;
      next_ctp_id.load(0, id);
      return {};
    }
    case 'v': {
      if (!need(17)) return bad_record("evidence key length");
      const std::uint64_t at = read_fields<one_value<std::uint64_t>>(r).v;
      if (auto s = r.finish(); !s) return s;
      auto u32 = [](const std::uint8_t* p) {
        return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
               static_cast<std::uint32_t>(p[2]) << 8 | p[3];
      };
      evidence.load({u32(k), get_u64(k + 4), u32(k + 12), k[16]}, at);
      return {};
    }
    case 'x': {
      if (!need(32)) return bad_record("escrow key length");
      const auto x = read_fields<escrow_record>(r);
      if (auto s = r.finish(); !s) return s;
      escrows.load(get_fixed<32>(k), x);
      return {};
    }
    default:
      return bad_record("unknown record prefix");
  }
}

}  // namespace voltaic::chain
