#include <doctest/doctest.h>

#include "voltaic/chain/core/codec.hpp"

using namespace voltaic::chain;

TEST_CASE("the encoder writes the smallest encoding and pins its bytes") {
  encoder e;
  e.array(5).uint(1).uint(300).sint(-1).str("ab").bin(bytes{0xff});
  const bytes b = e.take();
  // 0x95 fixarray(5), 0x01, 0xcd 0x01 0x2c uint16, 0xff fixint -1,
  // 0xa2 'a' 'b' fixstr, 0xc4 0x01 0xff bin8.
  CHECK(to_hex(b) == "9501cd012cffa26162c401ff");
}

TEST_CASE("a message decodes field by field in its documented order") {
  encoder e;
  e.array(3).uint(7).array(2).sint(-5).boolean(true).bin(bytes{1, 2, 3});
  auto d = decoder::open(e.take());
  REQUIRE(d.ok());
  auto& dec = d.value();
  CHECK(dec.array(3).ok());
  CHECK(dec.uint().value() == 7);
  CHECK(dec.array(2).ok());
  CHECK(dec.sint().value() == -5);
  CHECK(dec.boolean().value());
  CHECK(dec.bin(3).value() == bytes{1, 2, 3});
  CHECK(dec.finish().ok());
}

TEST_CASE("hostile and malformed inputs are errors at the codec boundary") {
  // array32 header claiming four billion elements: refused before allocating.
  const bytes huge{0xdd, 0xff, 0xff, 0xff, 0xff};
  auto r = decoder::open(huge);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.rfind("decode: ", 0) == 0);

  // 10,000-deep nesting.
  bytes deep(10'000, 0x91);
  deep.push_back(0x00);
  CHECK_FALSE(decoder::open(deep).ok());

  // Truncated: a bin8 that promises more bytes than there are.
  CHECK_FALSE(decoder::open(bytes{0xc4, 0x05, 0x01}).ok());
  // Non-canonical: 1 encoded as uint16.
  auto loose = decoder::open(bytes{0xcd, 0x00, 0x01});
  REQUIRE_FALSE(loose.ok());
  CHECK(loose.err().message == "decode: not in canonical (smallest) encoding");
  // Maps and floats are not part of the format.
  CHECK_FALSE(decoder::open(bytes{0x80}).ok());
  CHECK_FALSE(decoder::open(bytes{0xca, 0, 0, 0, 0}).ok());
  // Trailing bytes.
  CHECK_FALSE(decoder::open(bytes{0x01, 0x02}).ok());
  // Over the message size limit.
  decode_limits small;
  small.max_message = 4;
  auto big = decoder::open(bytes{0xc4, 0x04, 1, 2, 3, 4}, small);
  REQUIRE_FALSE(big.ok());
  CHECK(big.err().message.rfind("too-large: ", 0) == 0);
}

TEST_CASE("reading the wrong shape is an error, not a crash") {
  encoder e;
  e.array(2).uint(1).str("x");
  auto d = decoder::open(e.take());
  REQUIRE(d.ok());
  CHECK_FALSE(d.value().array(3).ok());  // wrong length
  auto d2 = decoder::open(encoder().array(1).uint(1).take());
  REQUIRE(d2.ok());
  CHECK(d2.value().array(1).ok());
  CHECK_FALSE(d2.value().str().ok());  // wrong type
  CHECK_FALSE(d2.value().uint().ok());  // past the end
  auto d3 = decoder::open(encoder().array(2).uint(1).uint(2).take());
  REQUIRE(d3.ok());
  CHECK(d3.value().array(2).ok());
  CHECK(d3.value().uint().ok());
  CHECK_FALSE(d3.value().finish().ok());  // an element left unread
}
