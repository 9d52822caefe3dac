#pragma once
// Ordering and hashing for the chain's map keys: 32-byte hashes and public
// keys, integers, and pairs and tuples of them.
//
// `key_less` orders exactly as std::less does (bytes lexicographically,
// tuples element by element), so a map's iteration order does not change
// with it. It decides on the first eight bytes of a 32-byte key, read as one
// big-endian word, because hashes and public keys almost always differ
// there; std::less calls memcmp for every node of a lookup.
// `key_hasher` hashes the same keys for unordered containers, where the
// order does not matter (the ledger sorts its changes by encoded key).
// Thread-safety: stateless.

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace voltaic::chain {

namespace detail {

inline std::uint64_t leading_word(const std::array<std::uint8_t, 32>& k) noexcept {
  std::uint64_t w;
  std::memcpy(&w, k.data(), sizeof w);
  if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) w = __builtin_bswap64(w);
  return w;
}

// -1, 0 or 1, as a three-way comparison in std::less order.
inline int compare_key(const std::array<std::uint8_t, 32>& a, const std::array<std::uint8_t, 32>& b) noexcept {
  const std::uint64_t x = leading_word(a), y = leading_word(b);
  if (x != y) return x < y ? -1 : 1;
  return std::memcmp(a.data() + 8, b.data() + 8, 24);
}
template <class T>
int compare_key(const T& a, const T& b) {
  return std::less<T>{}(a, b) ? -1 : std::less<T>{}(b, a) ? 1 : 0;
}
template <class A, class B>
int compare_key(const std::pair<A, B>& a, const std::pair<A, B>& b) {
  if (const int c = compare_key(a.first, b.first)) return c;
  return compare_key(a.second, b.second);
}
template <class... T, std::size_t... I>
int compare_tuple(const std::tuple<T...>& a, const std::tuple<T...>& b, std::index_sequence<I...>) {
  int c = 0;
  ((c = c ? c : compare_key(std::get<I>(a), std::get<I>(b))), ...);
  return c;
}
template <class... T>
int compare_key(const std::tuple<T...>& a, const std::tuple<T...>& b) {
  return compare_tuple(a, b, std::index_sequence_for<T...>{});
}

inline std::size_t mix(std::size_t seed, std::size_t v) noexcept {
  return seed ^ (v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}
// Hashes and public keys are uniform already: their first word is the hash.
inline std::size_t hash_key(const std::array<std::uint8_t, 32>& k) noexcept { return leading_word(k); }
template <class T, class = std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T>>>
std::size_t hash_key(T v) noexcept {
  return std::hash<T>{}(v);
}
template <class A, class B>
std::size_t hash_key(const std::pair<A, B>& p) noexcept {
  return mix(hash_key(p.first), hash_key(p.second));
}
template <class... T>
std::size_t hash_key(const std::tuple<T...>& t) noexcept {
  std::size_t h = 0;
  std::apply([&h](const auto&... e) { ((h = mix(h, hash_key(e))), ...); }, t);
  return h;
}

}  // namespace detail

struct key_less {
  template <class K>
  bool operator()(const K& a, const K& b) const {
    return detail::compare_key(a, b) < 0;
  }
};

struct key_hasher {
  template <class K>
  std::size_t operator()(const K& k) const noexcept {
    return detail::hash_key(k);
  }
};

}  // namespace voltaic::chain
