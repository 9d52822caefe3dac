#pragma once
// Canonical MessagePack (ARCHITECTURE.md section 3): arrays in a documented
// field order, integers in their smallest encoding, byte strings as bin, no
// maps and no floats. The encoder can only produce that subset; the decoder
// enforces a maximum message size and per-element limits before anything is
// allocated, caps nesting depth, turns every msgpack exception into an error
// at this boundary, and refuses non-canonical bytes (so one value has exactly
// one encoding and one hash).
// Thread-safety: an encoder or decoder per thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"

namespace voltaic::chain {

class encoder {
 public:
  encoder();
  ~encoder();
  encoder(encoder&&) noexcept;
  encoder& operator=(encoder&&) noexcept;

  encoder& array(std::uint32_t size);
  encoder& uint(std::uint64_t v);
  encoder& sint(std::int64_t v);
  encoder& boolean(bool v);
  encoder& bin(const std::uint8_t* data, std::size_t size);
  encoder& bin(const bytes& b) { return bin(b.data(), b.size()); }
  template <std::size_t N>
  encoder& bin(const std::array<std::uint8_t, N>& a) { return bin(a.data(), N); }
  encoder& str(std::string_view s);

  bytes take();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct decode_limits {
  std::size_t max_message = 1 << 20;  // bytes
  std::size_t max_array = 65'536;     // elements of one array
  std::size_t max_bin = 1 << 20;      // bytes of one bin
  std::size_t max_str = 4'096;        // bytes of one string
  std::size_t max_depth = 16;         // nesting of arrays
};

// Reads one canonical message field by field, in the documented order. Every
// read reports the first problem as "decode: ..." and leaves the decoder
// failed; callers check ok() (or a read's result) once at the end.
class decoder {
 public:
  static result<decoder> open(const std::uint8_t* data, std::size_t size, const decode_limits& limits = {});
  static result<decoder> open(const bytes& b, const decode_limits& limits = {}) {
    return open(b.data(), b.size(), limits);
  }
  ~decoder();
  decoder(decoder&&) noexcept;
  decoder& operator=(decoder&&) noexcept;

  // Enters an array of exactly `size` elements.
  status array(std::uint32_t size);
  // Enters an array of at most `max_size` elements and returns its length.
  result<std::uint32_t> array_up_to(std::uint32_t max_size);
  result<std::uint64_t> uint();
  result<std::int64_t> sint();
  result<bool> boolean();
  result<bytes> bin(std::size_t exact_size = SIZE_MAX);
  // A byte string of exactly `size` bytes copied into `out`.
  status bin_into(std::uint8_t* out, std::size_t size);
  result<std::string> str();
  // True when every element of every entered array was read.
  status finish();

 private:
  struct impl;
  explicit decoder(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace voltaic::chain
