// Signed readings, the meter's key file and the journal: a flipped byte
// never passes, a key outside the meter's tree never passes, and the journal
// keeps what it took across reopening.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "support/temp_dir.hpp"
#include "voltaic/hardware/meter_keys_file.hpp"
#include "voltaic/hardware/reading_journal.hpp"
#include "voltaic/hardware/signed_reading.hpp"

using namespace voltaic::hardware;
using voltaic::chain::bytes;

namespace {

reading sample_reading(const meter_key_material& keys, std::uint64_t seq) {
  reading r;
  r.meter = keys.identity.pub;
  r.seq = seq;
  r.time_ms = 1'765'000'000'000 + seq;
  r.import_wh = 12'500;
  r.export_wh = 3'250;
  r.counter = seq;
  return r;
}

}  // namespace

TEST_CASE("a signed reading verifies and every flipped byte fails its signature or its decoding") {
  const meter_key_material keys = make_meter_key_material(5);
  const bytes wire = sign_reading(sample_reading(keys, 7), coe_signer_of(keys, 3));
  auto opened = open_reading(wire);
  REQUIRE(opened.ok());
  CHECK(opened.value().signature_ok);
  CHECK(opened.value().value.seq == 7);
  CHECK(opened.value().value.import_wh == 12'500);
  CHECK(opened.value().root == coe_root(keys));

  std::size_t undecodable = 0, unsigned_ok = 0;
  for (std::size_t k = 0; k < wire.size(); ++k) {
    bytes flipped = wire;
    flipped[k] ^= 0x01;
    auto r = open_reading(flipped);
    if (!r.ok()) ++undecodable;
    else CHECK_MESSAGE(!r.value().signature_ok, "byte " << k << " flipped and still verifies");
    unsigned_ok += r.ok() && r.value().signature_ok;
  }
  CHECK(unsigned_ok == 0);
  CHECK(undecodable > 0);  // framing bytes: not a reading at all
  CHECK_FALSE(open_reading(bytes(wire.begin(), wire.begin() + 20)).ok());  // truncated

  // Signed by a key that is not in the tree whose root it names.
  coe_signer stranger = coe_signer_of(keys, 1);
  stranger.key = voltaic::chain::generate_key_pair();
  auto foreign = open_reading(sign_reading(sample_reading(keys, 8), stranger));
  REQUIRE(foreign.ok());
  CHECK_FALSE(foreign.value().signature_ok);
}

TEST_CASE("meter key files: identity and CoE keys round-trip, mode 0600, never overwritten, and checked") {
  voltaic::test::temp_dir dir("hw-keys");
  const std::string path = (dir.path() / "meter.keys").string();
  const meter_key_material keys = make_meter_key_material(4);
  REQUIRE(save_meter_keys(path, keys).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(save_meter_keys(path, keys).ok());
  auto back = load_meter_keys(path);
  REQUIRE(back.ok());
  CHECK(back.value().identity.pub == keys.identity.pub);
  REQUIRE(back.value().coe.size() == 4);
  CHECK(coe_root(back.value()) == coe_root(keys));

  ::chmod(path.c_str(), 0644);
  CHECK(load_meter_keys(path).err().message.find("accessible to other users") != std::string::npos);
  const std::string other = (dir.path() / "other.keys").string();
  REQUIRE(voltaic::chain::write_private_file(other, "voltaic-meter-keys 1\nnot a key\nx\n").ok());
  CHECK(load_meter_keys(other).err().message == other + ":2: not a voltaic Ed25519 key file");
}

TEST_CASE("the journal keeps every reading across reopening, in order, and takes only the next sequence number") {
  voltaic::test::temp_dir dir("hw-journal");
  const meter_key_material keys = make_meter_key_material(2);
  const std::string where = (dir.path() / "journal").string();
  {
    auto j = reading_journal::open(where);
    REQUIRE(j.ok());
    CHECK(j.value()->last_seq() == 0);
    for (std::uint64_t seq = 1; seq <= 300; ++seq)
      REQUIRE(j.value()->append(seq, sign_reading(sample_reading(keys, seq), coe_signer_of(keys, seq))).ok());
    auto skip = j.value()->append(302, bytes{1, 2, 3});
    REQUIRE_FALSE(skip.ok());
    CHECK(skip.err().message == where + ": reading 302 does not follow 300");
  }
  auto j = reading_journal::open(where);
  REQUIRE(j.ok());
  CHECK(j.value()->last_seq() == 300);
  auto tail = j.value()->read_from(250, 100);
  REQUIRE(tail.ok());
  REQUIRE(tail.value().size() == 51);
  for (std::size_t k = 0; k < tail.value().size(); ++k) {
    auto r = open_reading(tail.value()[k]);
    REQUIRE(r.ok());
    CHECK(r.value().value.seq == 250 + k);
    CHECK(r.value().signature_ok);
  }
  CHECK(j.value()->read_from(301, 10).value().empty());
}
