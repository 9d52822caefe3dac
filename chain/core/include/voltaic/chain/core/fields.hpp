#pragma once
// Each wire type's field list is written once, as a function template
//   template <class Io> void fields(Io& io, T& x) {
//     io.array(3); io(x.a); io(x.b); io.bounded(x.kind, 1, "kind");
//   }
// and both directions use it: field_writer encodes (write_fields), the
// field_reader of field_reader.hpp decodes (read_fields), so an encoder and
// its decoder can never disagree on the order. Integers travel by their C++
// type (unsigned as uint, signed as sint); fixed byte arrays as bin of
// exactly that length; bounded() and list() carry a range or a maximum that
// only the reader checks.
// Thread-safety: plain functions over caller-owned values.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::chain {

class field_writer {
 public:
  explicit field_writer(encoder& e) : e_(e) {}

  void array(std::uint32_t size) { e_.array(size); }
  void operator()(const std::uint64_t& v) { e_.uint(v); }
  void operator()(const std::uint32_t& v) { e_.uint(v); }
  void operator()(const std::uint8_t& v) { e_.uint(v); }
  void operator()(const std::int64_t& v) { e_.sint(v); }
  void operator()(const bool& v) { e_.boolean(v); }
  void operator()(const std::string& s) { e_.str(s); }
  void operator()(const bytes& b) { e_.bin(b); }
  template <std::size_t N>
  void operator()(const std::array<std::uint8_t, N>& a) {
    e_.bin(a);
  }
  // An unsigned integer or enumeration the reader holds to [0, max].
  template <class T>
  void bounded(const T& v, std::uint64_t, const char*) {
    e_.uint(static_cast<std::uint64_t>(v));
  }
  // A signed integer at or above -offset, sent as v + offset (unsigned); the
  // reader holds the sent value to [0, max].
  void offset(const std::int64_t& v, std::int64_t offset, std::uint64_t, const char*) {
    e_.uint(static_cast<std::uint64_t>(v + offset));
  }
  // A fixed value (a format version); the reader refuses any other with `reason`.
  void constant(std::uint64_t value, const char*, const char*) { e_.uint(value); }
  // A string the reader holds to `max_size` bytes.
  void text(const std::string& s, std::size_t, const char*) { e_.str(s); }
  // An array of at most `max_size` elements, each written by `each`.
  template <class T, class F>
  void list(const std::vector<T>& xs, std::uint32_t, F each) {
    e_.array(static_cast<std::uint32_t>(xs.size()));
    for (const auto& x : xs) each(const_cast<T&>(x));
  }

 private:
  encoder& e_;
};

// Appends x's fields to `e`.
template <class T>
void write_fields(encoder& e, const T& x) {
  field_writer w(e);
  fields(w, const_cast<T&>(x));  // the writer only reads
}

template <class T>
bytes encode_fields(const T& x) {
  encoder e;
  write_fields(e, x);
  return e.take();
}

// Reads x's fields; errors stay in `r` (check r.finish()).
template <class T>
T read_fields(detail::field_reader& r) {
  T x{};
  fields(r, x);
  return x;
}

// Decodes a whole message that is exactly T's fields.
template <class T>
result<T> decode_fields(const std::uint8_t* data, std::size_t size, const decode_limits& limits = {}) {
  auto d = decoder::open(data, size, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  T x = read_fields<T>(r);
  if (auto s = r.finish(); !s) return s.err();
  return x;
}
template <class T>
result<T> decode_fields(const bytes& b, const decode_limits& limits = {}) {
  return decode_fields<T>(b.data(), b.size(), limits);
}

}  // namespace voltaic::chain
