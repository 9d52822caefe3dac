// The SPB backbone as actors: routers serving ranges of the key space carry
// sealed envelopes between participants' endpoints — on prefix through the
// right router, never seeing a byte of what they carry — answer what they
// cannot deliver with an error, take only associations the key signed, and
// when a router dies its participants re-associate with the standby and
// envelopes reach them again. The table itself is plain logic.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "voltaic/agents/backbone_router.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/agents/routed_endpoint.hpp"
#include "voltaic/agents/routing_table.hpp"
#include "voltaic/chain/core/keys.hpp"

using namespace voltaic;

namespace {

chain::key_pair key_with_prefix(std::uint8_t first_byte, std::uint8_t n) {
  // Seeds until the key's first byte is the one asked for (keys are random
  // in the seed; a few hundred tries at most).
  for (std::uint32_t s = 0;; ++s) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = n;
    seed[1] = static_cast<std::uint8_t>(s);
    seed[2] = static_cast<std::uint8_t>(s >> 8);
    auto k = chain::key_pair_from_seed(seed);
    if (k.pub[0] == first_byte) return k;
  }
}

// What every router saw, for the test to search.
struct tap_log {
  std::mutex m;
  std::vector<std::pair<chain::public_key, std::string>> seen;
};

struct backbone {
  caf::actor_system_config cfg;
  caf::actor_system system;
  agents::routing_table table;
  std::vector<caf::actor> routers;
  std::shared_ptr<tap_log> log = std::make_shared<tap_log>();

  explicit backbone(std::size_t n) : system((agents::register_protocol(cfg), cfg)), table(agents::routing_table::even(n)) {
    for (std::size_t i = 0; i < n; ++i) {
      agents::backbone_router_config rc;
      rc.index = i;
      rc.table = table;
      rc.chain_id = "backbone-test";
      auto log_ref = log;
      rc.tap = [log_ref](const chain::public_key& to, const std::string& sealed) {
        std::lock_guard<std::mutex> lock(log_ref->m);
        log_ref->seen.emplace_back(to, sealed);
      };
      routers.push_back(agents::spawn_backbone_router(system, rc));
    }
    for (const auto& r : routers) caf::anon_send(r, agents::routers_atom::value, routers);
  }

  caf::actor endpoint(const chain::key_pair& key) {
    agents::routed_endpoint_config ec;
    ec.key = key;
    ec.chain_id = "backbone-test";
    ec.table = table;
    ec.routers = routers;
    return agents::spawn_routed_endpoint(system, ec);
  }

  ~backbone() {
    caf::scoped_actor self{system};
    for (const auto& r : routers)
      if (r) self->send_exit(r, caf::exit_reason::user_shutdown);
  }
};

// The router `endpoint` is associated with, once it is (a minute at most).
std::uint64_t associated(caf::scoped_actor& self, const caf::actor& endpoint, std::uint64_t not_this = SIZE_MAX) {
  std::uint64_t at = SIZE_MAX;
  for (int i = 0; i < 3000 && (at == SIZE_MAX || at == not_this); ++i) {
    self->request(endpoint, std::chrono::seconds(5), agents::associated_atom::value)
        .receive([&](std::uint64_t r) { at = r; }, [](caf::error&) {});
    if (at == SIZE_MAX || at == not_this) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return at;
}

std::string send(caf::scoped_actor& self, const caf::actor& from, const chain::public_key& to, const std::string& text) {
  std::string verdict = "no answer";
  self->request(from, std::chrono::seconds(30), agents::send_atom::value, to, text)
      .receive([&](const std::string& v) { verdict = v; }, [](caf::error&) {});
  return verdict;
}

std::vector<std::string> inbox(caf::scoped_actor& self, const caf::actor& endpoint) {
  std::vector<std::string> got;
  self->request(endpoint, std::chrono::seconds(5), agents::inbox_atom::value)
      .receive([&](std::vector<std::string>& v) { got = std::move(v); }, [](caf::error&) {});
  return got;
}

}  // namespace

TEST_CASE("the range table splits the key space evenly and names each range's standby") {
  const auto t = agents::routing_table::even(8);
  REQUIRE(t.ranges().size() == 8);
  CHECK(t.ranges().front().first == 0);
  CHECK(t.ranges().back().last == 0xffff);
  for (std::size_t i = 1; i < 8; ++i) CHECK(t.ranges()[i].first == t.ranges()[i - 1].last + 1);
  for (int b = 0; b < 256; b += 7) {
    chain::public_key k{};
    k[0] = static_cast<std::uint8_t>(b);
    CHECK(t.router_of(k) == static_cast<std::size_t>(b) / 32);
    CHECK(t.standby_of(k) == (static_cast<std::size_t>(b) / 32 + 1) % 8);
  }
  chain::public_key k{};
  k[0] = 0x50;  // router 2's
  CHECK(t.serving(k, {false, false, true}) == 3);
  CHECK(t.serving(k, {false, false, true, true}) == 8);  // both gone: nobody
}

TEST_CASE("routers carry sealed envelopes on prefix to every participant and never see what they carry") {
  backbone net(3);
  caf::scoped_actor self{net.system};
  // Two participants in each router's range.
  std::vector<chain::key_pair> keys;
  for (std::uint8_t r = 0; r < 3; ++r)
    for (std::uint8_t n = 0; n < 2; ++n) keys.push_back(key_with_prefix(static_cast<std::uint8_t>(r * 86 + 10), r * 2 + n));
  std::vector<caf::actor> ends;
  for (const auto& k : keys) ends.push_back(net.endpoint(k));
  for (std::size_t i = 0; i < ends.size(); ++i) CHECK(associated(self, ends[i]) == net.table.router_of(keys[i].pub));

  // Everyone offers everyone: the price and the word "offer" are in every plaintext.
  for (std::size_t a = 0; a < ends.size(); ++a)
    for (std::size_t b = 0; b < ends.size(); ++b)
      if (a != b)
        CHECK(send(self, ends[a], keys[b].pub, "offer from " + std::to_string(a) + " price 0.2173 energy 12.5") == "ok");
  for (std::size_t b = 0; b < ends.size(); ++b) {
    const auto got = inbox(self, ends[b]);
    CHECK(got.size() == ends.size() - 1);
    std::set<std::string> from;
    for (const auto& g : got) from.insert(g.substr(0, g.find(" price")));
    CHECK(from.size() == ends.size() - 1);
  }
  // Routers saw each envelope (once at the sender's router, again at the
  // destination's when it is another), and nothing of any plaintext.
  std::lock_guard<std::mutex> lock(net.log->m);
  CHECK(net.log->seen.size() >= 30);
  for (const auto& [to, sealed] : net.log->seen) {
    CHECK(sealed.find("offer") == std::string::npos);
    CHECK(sealed.find("0.2173") == std::string::npos);
    CHECK(sealed.find("price") == std::string::npos);
  }
}

TEST_CASE("an envelope nobody can take is answered with an error, and only a key's own signature associates it") {
  backbone net(2);
  caf::scoped_actor self{net.system};
  const auto alice = key_with_prefix(0x10, 1);
  const auto nobody = key_with_prefix(0x90, 2);  // router 1's range; never associated
  auto a = net.endpoint(alice);
  REQUIRE(associated(self, a) == 0);
  const auto verdict = send(self, a, nobody.pub, "offer 0.30");
  CHECK(verdict.rfind("undeliverable: no participant is associated with key", 0) == 0);
  CHECK(verdict.find("at router 1") != std::string::npos);

  // Associations: the wrong router, a forged signature, a replayed counter.
  auto ask = [&](const caf::actor& router, const chain::public_key& key, std::uint64_t counter, const std::string& sig) {
    std::string v;
    self->request(router, std::chrono::seconds(5), agents::associate_atom::value, key, counter, sig,
                  caf::actor_cast<caf::actor>(self))
        .receive([&](const std::string& s) { v = s; }, [](caf::error&) {});
    return v;
  };
  const auto mallory = key_with_prefix(0x20, 3);
  auto signed_by = [](const chain::key_pair& k, const chain::public_key& who, std::uint64_t router, std::uint64_t n) {
    const auto s = chain::sign(chain::domain::routing_envelope, "backbone-test", agents::association_message(who, router, n), k);
    return std::string(s.begin(), s.end());
  };
  // Alice's own router: a signature by another key, then her counter again.
  CHECK(ask(net.routers[0], alice.pub, 9, signed_by(mallory, alice.pub, 0, 9)).rfind("bad-signature", 0) == 0);
  CHECK(ask(net.routers[0], alice.pub, 1, signed_by(alice, alice.pub, 0, 1)).rfind("stale-counter", 0) == 0);
  // Alice still gets what is sent to her: mallory did not take her key.
  auto b = net.endpoint(key_with_prefix(0x95, 4));
  REQUIRE(associated(self, b) == 1);
  CHECK(send(self, b, alice.pub, "accept") == "ok");
  CHECK(inbox(self, a) == std::vector<std::string>{"accept"});

  // With three routers, a key's range has a router and a standby; the third refuses it.
  backbone three(3);
  caf::scoped_actor self3{three.system};
  const auto k2 = key_with_prefix(0xc0, 5);  // router 2's range; standby router 0
  std::string v;
  self3->request(three.routers[1], std::chrono::seconds(5), agents::associate_atom::value, k2.pub, std::uint64_t{1},
                 signed_by(k2, k2.pub, 1, 1), caf::actor_cast<caf::actor>(self3))
      .receive([&](const std::string& s) { v = s; }, [](caf::error&) {});
  CHECK(v.rfind("wrong-router", 0) == 0);
}

TEST_CASE("a router killed: its participants re-associate with the standby and envelopes reach them again") {
  backbone net(3);
  caf::scoped_actor self{net.system};
  const auto buyer = key_with_prefix(0x05, 1);   // router 0
  const auto seller = key_with_prefix(0x60, 2);  // router 1, standby router 2
  auto b = net.endpoint(buyer);
  auto s = net.endpoint(seller);
  REQUIRE(associated(self, b) == 0);
  REQUIRE(associated(self, s) == 1);
  CHECK(send(self, b, seller.pub, "offer 1") == "ok");
  self->send_exit(net.routers[1], caf::exit_reason::kill);
  net.routers[1] = caf::actor{};
  CHECK(associated(self, s, 1) == 2);  // the standby serves its range now
  // The other routers learnt it too: router 0 sends range 1 to router 2.
  std::string verdict;
  for (int i = 0; i < 100 && verdict != "ok"; ++i) {
    verdict = send(self, b, seller.pub, "counter 2");
    if (verdict != "ok") std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(verdict == "ok");
  CHECK(send(self, s, buyer.pub, "accept 2") == "ok");
  CHECK(inbox(self, s) == std::vector<std::string>{"offer 1", "counter 2"});
  CHECK(inbox(self, b) == std::vector<std::string>{"accept 2"});
}
