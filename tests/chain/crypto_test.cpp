#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <fstream>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/core/sealed_box.hpp"
#include "voltaic/chain/core/merkle.hpp"

using namespace voltaic::chain;

TEST_CASE("BLAKE2b-256 matches the reference vector") {
  CHECK(to_hex(blake2b_256(std::string_view("abc"))) ==
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  CHECK(to_hex(blake2b_256(std::string_view(""))) ==
        "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST_CASE("SHA-256 matches the FIPS 180-4 examples") {
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha256(std::string(1'000'000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("hex text round-trips and anything but exactly two digits per byte is refused") {
  const hash256 h = blake2b_256(std::string_view("hex"));
  hash256 back{};
  REQUIRE(from_hex(to_hex(h), back));
  CHECK(back == h);
  std::string upper = to_hex(h);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(from_hex(upper, back));
  CHECK(back == h);
  CHECK_FALSE(from_hex(to_hex(h).substr(1), back));          // too short
  CHECK_FALSE(from_hex(to_hex(h) + "0", back));              // too long
  CHECK_FALSE(from_hex("zz" + to_hex(h).substr(2), back));   // not hex
  CHECK_FALSE(from_hex(" " + to_hex(h).substr(1), back));    // a space
  CHECK_FALSE(from_hex(to_hex(h).substr(0, 62) + ":0", back));
}

TEST_CASE("a signature verifies only for its domain, chain id, message and key") {
  const key_pair alice = generate_key_pair(), bob = generate_key_pair();
  const bytes msg{1, 2, 3};
  const auto sig = sign(domain::transaction, "voltaic-main", msg, alice);
  CHECK(verify(domain::transaction, "voltaic-main", msg, sig, alice.pub));
  CHECK_FALSE(verify(domain::consensus_vote, "voltaic-main", msg, sig, alice.pub));  // another kind
  CHECK_FALSE(verify(domain::transaction, "voltaic-test", msg, sig, alice.pub));     // another chain
  CHECK_FALSE(verify(domain::transaction, "voltaic-main", bytes{1, 2, 4}, sig, alice.pub));
  CHECK_FALSE(verify(domain::transaction, "voltaic-main", msg, sig, bob.pub));
  auto flipped = sig;
  flipped[10] ^= 1;
  CHECK_FALSE(verify(domain::transaction, "voltaic-main", msg, flipped, alice.pub));
}

TEST_CASE("signing from a seed is deterministic") {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 7;
  const auto a = key_pair_from_seed(seed), b = key_pair_from_seed(seed);
  CHECK(a.pub == b.pub);
  CHECK(sign(domain::meter_reading, "c", bytes{9}, a) == sign(domain::meter_reading, "c", bytes{9}, b));
}

TEST_CASE("key files are written 0600, never overwritten, and refused when others can read them") {
  const std::string path = "crypto_test_key.txt";
  std::remove(path.c_str());
  const key_pair k = generate_key_pair();
  REQUIRE(save_key_file(path, k).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = load_key_file(path);
  REQUIRE(loaded.ok());
  CHECK(loaded.value().pub == k.pub);
  CHECK_FALSE(save_key_file(path, generate_key_pair()).ok());  // O_EXCL

  ::chmod(path.c_str(), 0644);
  auto unsafe = load_key_file(path);
  REQUIRE_FALSE(unsafe.ok());
  CHECK(unsafe.err().message.find("accessible to other users") != std::string::npos);

  ::chmod(path.c_str(), 0600);
  {  // alter the public half stored in the file
    std::string text;
    std::getline(std::ifstream(path), text);
    text[text.size() - 1] = text.back() == '0' ? '1' : '0';
    std::ofstream(path) << text << "\n";
  }
  CHECK_FALSE(load_key_file(path).ok());
  std::remove(path.c_str());
}

TEST_CASE("every leaf of trees of 1 to 40 leaves has a proof that verifies, and only there") {
  for (std::size_t n = 1; n <= 40; ++n) {
    std::vector<hash256> leaves;
    for (std::size_t i = 0; i < n; ++i) leaves.push_back(merkle_leaf(bytes{static_cast<std::uint8_t>(i), 42}));
    const hash256 root = merkle_root(leaves);
    for (std::size_t i = 0; i < n; ++i) {
      const auto proof = make_merkle_proof(leaves, i);
      CHECK(verify_merkle_proof(leaves[i], proof, root));
      if (n > 1) CHECK_FALSE(verify_merkle_proof(leaves[(i + 1) % n], proof, root));
      if (!proof.path.empty()) {
        auto forged = proof;
        forged.path[0].sibling[0] ^= 1;
        CHECK_FALSE(verify_merkle_proof(leaves[i], forged, root));
        auto wrong_side = proof;
        wrong_side.path[0].sibling_on_left = !wrong_side.path[0].sibling_on_left;
        CHECK_FALSE(verify_merkle_proof(leaves[i], wrong_side, root));
      }
    }
  }
}

TEST_CASE("leaf and node hashing are separated, and an odd leaf is not duplicated") {
  const hash256 a = merkle_leaf(bytes{1}), b = merkle_leaf(bytes{2}), c = merkle_leaf(bytes{3});
  // A node can never pose as a leaf of the level above.
  CHECK(merkle_root({a, b}) != merkle_leaf(bytes(a.begin(), a.end())));
  // [a, b, c] and [a, b, c, c] differ (the Bitcoin duplication weakness).
  CHECK(merkle_root({a, b, c}) != merkle_root({a, b, c, c}));
  CHECK(merkle_root({}) != merkle_root({a}));
}

TEST_CASE("a sealed box opens only with its destination's key, and says nothing of its contents or its sender") {
  const auto alice = key_pair_from_seed({1});
  const auto bob = key_pair_from_seed({2});
  const std::string text = "offer 0.2100 per kWh for 12.5 kWh";
  const bytes plain(text.begin(), text.end());
  auto sealed = seal_to(bob.pub, plain);
  REQUIRE(sealed);
  CHECK(sealed.value().size() == plain.size() + sealed_box_overhead());
  // Nothing of the plaintext shows in the box.
  const std::string box(sealed.value().begin(), sealed.value().end());
  CHECK(box.find("0.2100") == std::string::npos);
  CHECK(box.find("offer") == std::string::npos);
  auto opened = open_sealed(bob, sealed.value());
  REQUIRE(opened);
  CHECK(opened.value() == plain);
  // Two seals of the same text differ (an ephemeral key each): nothing links them.
  CHECK(seal_to(bob.pub, plain).value() != sealed.value());
  // Another key, a flipped byte, a truncated box: refused alike.
  auto other = open_sealed(alice, sealed.value());
  REQUIRE(!other);
  CHECK(other.err().message.rfind("not-for-this-key", 0) == 0);
  auto damaged = sealed.value();
  damaged[damaged.size() / 2] ^= 1;
  CHECK(!open_sealed(bob, damaged));
  CHECK(!open_sealed(bob, bytes(sealed.value().begin(), sealed.value().begin() + 10)));
  // A destination that is no point of the curve cannot be sealed to.
  public_key bogus{};
  bogus.fill(0xff);
  auto refused = seal_to(bogus, plain);
  REQUIRE(!refused);
  CHECK(refused.err().message.rfind("bad-key", 0) == 0);
}
