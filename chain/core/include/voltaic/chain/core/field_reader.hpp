#pragma once
// Reads a canonical message field by field and keeps the first error, so a
// decoder of a record reads straight through its documented order and checks
// once at the end (shared by the decoders of every chain).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/chain/core/codec.hpp"

namespace voltaic::chain::detail {

class field_reader {
 public:
  explicit field_reader(decoder& d) : d_(d) {}

  void array(std::uint32_t size) { note(d_.array(size)); }
  std::uint32_t array_up_to(std::uint32_t max_size) { return take(d_.array_up_to(max_size), 0u); }
  std::uint64_t u64() { return take(d_.uint(), std::uint64_t{0}); }
  std::uint64_t u64_max(std::uint64_t max, const char* what) {
    const std::uint64_t v = u64();
    if (v > max) fail(std::string(what) + " out of range");
    return v;
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(u64_max(255, "small integer")); }
  std::int64_t i64() { return take(d_.sint(), std::int64_t{0}); }
  bool boolean() { return take(d_.boolean(), false); }
  std::string str() { return take(d_.str(), std::string{}); }
  bytes bin() { return take(d_.bin(), bytes{}); }
  template <std::size_t N>
  std::array<std::uint8_t, N> fixed() {
    std::array<std::uint8_t, N> out{};
    note(d_.bin_into(out.data(), N));
    return out;
  }
  // The visitor interface of fields.hpp: the same calls as field_writer.
  void operator()(std::uint64_t& v) { v = u64(); }
  void operator()(std::uint32_t& v) { v = static_cast<std::uint32_t>(u64_max(UINT32_MAX, "integer")); }
  void operator()(std::uint8_t& v) { v = u8(); }
  void operator()(std::int64_t& v) { v = i64(); }
  void operator()(bool& v) { v = boolean(); }
  void operator()(std::string& s) { s = str(); }
  void operator()(bytes& b) { b = bin(); }
  template <std::size_t N>
  void operator()(std::array<std::uint8_t, N>& a) {
    a = fixed<N>();
  }
  template <class T>
  void bounded(T& v, std::uint64_t max, const char* what) {
    v = static_cast<T>(u64_max(max, what));
  }
  void offset(std::int64_t& v, std::int64_t offset, std::uint64_t max, const char* what) {
    v = static_cast<std::int64_t>(u64_max(max, what)) - offset;
  }
  void constant(std::uint64_t value, const char* reason, const char* detail) {
    const std::uint64_t v = u64();
    if (v != value && !error_) error_ = chain_error(reason, detail);
  }
  void text(std::string& s, std::size_t max_size, const char* what) {
    s = str();
    if (s.size() > max_size) fail(std::string(what) + " longer than " + std::to_string(max_size) + " bytes");
  }
  template <class T, class F>
  void list(std::vector<T>& xs, std::uint32_t max_size, F each) {
    const std::uint32_t n = array_up_to(max_size);
    xs.clear();
    xs.reserve(n);
    for (std::uint32_t i = 0; i < n && !failed(); ++i) {
      xs.emplace_back();
      each(xs.back());
    }
  }

  void fail(std::string what) {
    if (!error_) error_ = chain_error("decode", std::move(what));
  }

  // The first error, or the decoder's own end check.
  status finish() {
    if (error_) return *error_;
    return d_.finish();
  }
  bool failed() const { return error_.has_value(); }

 private:
  void note(const status& s) {
    if (!s && !error_) error_ = s.err();
  }
  template <class T>
  T take(result<T> r, T fallback) {
    if (r) return std::move(r).value();
    if (!error_) error_ = r.err();
    return fallback;
  }

  decoder& d_;
  std::optional<market::error> error_;
};

}  // namespace voltaic::chain::detail
