#include "voltaic/chain/core/codec.hpp"

#include <msgpack.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

namespace voltaic::chain {

namespace {

market::error decode_error(const std::string& what) { return chain_error("decode", what); }

}  // namespace

namespace {

// msgpack's sbuffer mallocs 8 KiB up front, too large for the allocator's
// per-thread cache: with one encoder per record, transaction and hash, that
// malloc and its free cost more than the encoding. A vector grows from small
// and is handed to the caller without a copy.
struct vector_stream {
  static constexpr std::size_t first_capacity = 256;  // a transaction or a record
  vector_stream() { data.reserve(first_capacity); }
  bytes data;
  void write(const char* p, std::size_t n) {
    if (n == 0) return;  // an empty byte string comes with a null pointer
    const std::size_t at = data.size();
    data.resize(at + n);
    std::memcpy(data.data() + at, p, n);
  }
};

// Compares what is written with the bytes received, allocating nothing.
struct comparing_stream {
  const char* expected;
  std::size_t size;
  std::size_t at = 0;
  bool same = true;
  void write(const char* p, std::size_t n) {
    if (n == 0) return;
    if (!same || n > size - at || std::memcmp(expected + at, p, n) != 0) {
      same = false;
      return;
    }
    at += n;
  }
};

}  // namespace

struct encoder::impl {
  vector_stream stream;
  msgpack::packer<vector_stream> packer{stream};
};

encoder::encoder() : impl_(std::make_unique<impl>()) {}
encoder::~encoder() = default;
encoder::encoder(encoder&&) noexcept = default;
encoder& encoder::operator=(encoder&&) noexcept = default;

encoder& encoder::array(std::uint32_t size) {
  impl_->packer.pack_array(size);
  return *this;
}
// msgpack-c picks the smallest encoding for an integer's value.
encoder& encoder::uint(std::uint64_t v) {
  impl_->packer.pack_uint64(v);
  return *this;
}
encoder& encoder::sint(std::int64_t v) {
  impl_->packer.pack_int64(v);
  return *this;
}
encoder& encoder::boolean(bool v) {
  if (v) impl_->packer.pack_true();
  else impl_->packer.pack_false();
  return *this;
}
encoder& encoder::bin(const std::uint8_t* data, std::size_t size) {
  impl_->packer.pack_bin(static_cast<std::uint32_t>(size));
  impl_->packer.pack_bin_body(reinterpret_cast<const char*>(data), static_cast<std::uint32_t>(size));
  return *this;
}
encoder& encoder::str(std::string_view s) {
  impl_->packer.pack_str(static_cast<std::uint32_t>(s.size()));
  impl_->packer.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
  return *this;
}
bytes encoder::take() {
  bytes out = std::move(impl_->stream.data);
  impl_->stream.data.clear();  // a moved-from vector is valid but unspecified
  return out;
}

struct decoder::impl {
  // Objects and copied byte strings of a message live in this zone; its
  // first chunk fits the message (msgpack's default of 8 KiB would miss the
  // allocator's per-thread cache for every small transaction).
  explicit impl(std::size_t message_size) : zone(std::min<std::size_t>(64 + 3 * message_size, 1 << 16)) {}
  msgpack::zone zone;
  msgpack::object root;
  struct frame {
    const msgpack::object* items;
    std::uint32_t size;
    std::uint32_t next;
  };
  std::vector<frame> stack;
  const msgpack::object* root_pending = nullptr;  // the top-level object, before it is read

  result<const msgpack::object*> next_object() {
    if (root_pending) {
      const msgpack::object* o = root_pending;
      root_pending = nullptr;
      return o;
    }
    // Arrays read to the end are done; the next element belongs to the
    // enclosing one.
    while (!stack.empty() && stack.back().next >= stack.back().size) stack.pop_back();
    if (stack.empty()) return decode_error("read past the end of the message");
    frame& f = stack.back();
    return &f.items[f.next++];
  }
};

decoder::decoder(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
decoder::~decoder() = default;
decoder::decoder(decoder&&) noexcept = default;
decoder& decoder::operator=(decoder&&) noexcept = default;

namespace {

// Depth of nested arrays; maps, floats and ext are not part of the format.
bool only_canonical_kinds(const msgpack::object& o, std::size_t depth, std::size_t max_depth) {
  if (depth > max_depth) return false;
  switch (o.type) {
    case msgpack::type::ARRAY:
      for (std::uint32_t i = 0; i < o.via.array.size; ++i)
        if (!only_canonical_kinds(o.via.array.ptr[i], depth + 1, max_depth)) return false;
      return true;
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
    case msgpack::type::BOOLEAN:
    case msgpack::type::BIN:
    case msgpack::type::STR:
      return true;
    default:
      return false;
  }
}

}  // namespace

result<decoder> decoder::open(const std::uint8_t* data, std::size_t size, const decode_limits& limits) {
  if (size > limits.max_message)
    return chain_error("too-large", "message of " + std::to_string(size) + " bytes exceeds " +
                                        std::to_string(limits.max_message));
  auto p = std::make_unique<impl>(size);
  try {
    std::size_t offset = 0;
    const msgpack::unpack_limit unpack_limits(limits.max_array, 0 /* no maps */, limits.max_str,
                                              limits.max_bin, 0 /* no ext */, limits.max_depth);
    p->root = msgpack::unpack(p->zone, reinterpret_cast<const char*>(data), size, offset, nullptr, nullptr,
                              unpack_limits);
    if (offset != size) return decode_error("trailing bytes after the message");
  } catch (const msgpack::unpack_error& e) {
    return decode_error(std::string("malformed or over a limit (") + e.what() + ")");
  } catch (const std::exception& e) {
    return decode_error(std::string("cannot unpack (") + e.what() + ")");
  }
  if (!only_canonical_kinds(p->root, 1, limits.max_depth))
    return decode_error("a map, float, nil or ext, or nesting deeper than the limit");
  // One value, one encoding: re-encoding must give the same bytes.
  try {
    comparing_stream again{reinterpret_cast<const char*>(data), size};
    msgpack::pack(again, p->root);
    if (!again.same || again.at != size) return decode_error("not in canonical (smallest) encoding");
  } catch (const std::exception& e) {
    return decode_error(std::string("cannot re-encode (") + e.what() + ")");
  }
  p->root_pending = &p->root;
  return decoder(std::move(p));
}

status decoder::array(std::uint32_t size) {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::ARRAY) return decode_error("expected an array");
  if (o.value()->via.array.size != size)
    return decode_error("expected an array of " + std::to_string(size) + " elements, found " +
                        std::to_string(o.value()->via.array.size));
  impl_->stack.push_back({o.value()->via.array.ptr, size, 0});
  return {};
}

result<std::uint32_t> decoder::array_up_to(std::uint32_t max_size) {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::ARRAY) return decode_error("expected an array");
  const std::uint32_t size = o.value()->via.array.size;
  if (size > max_size)
    return decode_error("an array of " + std::to_string(size) + " elements exceeds " + std::to_string(max_size));
  impl_->stack.push_back({o.value()->via.array.ptr, size, 0});
  return size;
}

result<std::uint64_t> decoder::uint() {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::POSITIVE_INTEGER) return decode_error("expected an unsigned integer");
  return o.value()->via.u64;
}

result<std::int64_t> decoder::sint() {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type == msgpack::type::NEGATIVE_INTEGER) return o.value()->via.i64;
  if (o.value()->type == msgpack::type::POSITIVE_INTEGER && o.value()->via.u64 <= INT64_MAX)
    return static_cast<std::int64_t>(o.value()->via.u64);
  return decode_error("expected a signed 64-bit integer");
}

result<bool> decoder::boolean() {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::BOOLEAN) return decode_error("expected a boolean");
  return o.value()->via.boolean;
}

result<bytes> decoder::bin(std::size_t exact_size) {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::BIN) return decode_error("expected a byte string");
  const auto& b = o.value()->via.bin;
  if (exact_size != SIZE_MAX && b.size != exact_size)
    return decode_error("expected " + std::to_string(exact_size) + " bytes, found " + std::to_string(b.size));
  return bytes(b.ptr, b.ptr + b.size);
}

status decoder::bin_into(std::uint8_t* out, std::size_t size) {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::BIN) return decode_error("expected a byte string");
  const auto& b = o.value()->via.bin;
  if (b.size != size)
    return decode_error("expected " + std::to_string(size) + " bytes, found " + std::to_string(b.size));
  if (size) std::memcpy(out, b.ptr, size);
  return {};
}

result<std::string> decoder::str() {
  auto o = impl_->next_object();
  if (!o) return o.err();
  if (o.value()->type != msgpack::type::STR) return decode_error("expected a string");
  return std::string(o.value()->via.str.ptr, o.value()->via.str.size);
}

status decoder::finish() {
  if (impl_->root_pending) return decode_error("nothing was read");
  for (const auto& f : impl_->stack)
    if (f.next != f.size) return decode_error("an array has unread elements");
  return {};
}

}  // namespace voltaic::chain
