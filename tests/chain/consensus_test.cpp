// The Tendermint engine in a deterministic simulated network: seeded delays,
// drops, reordering and partitions that heal, and Byzantine validators
// (silent, equivocating, proposing invalid values). Over 1,000 runs no two
// honest validators decide differently at a height, and every run decides
// once the network heals.
#include <doctest/doctest.h>

#include <fstream>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <queue>
#include <random>
#include <variant>

#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/chain/node/consensus_codec.hpp"
#include "consensus_keys.hpp"

using namespace voltaic::chain;

namespace {

// A keyed hash standing in for Ed25519 in the many-run simulation (pure
// logic; the Ed25519 path is tested below and in the integration tests).
class keyed_hash_crypto final : public consensus_crypto {
 public:
  keyed_hash_crypto(std::uint8_t self, std::map<public_key, std::uint8_t> index) : self_(self), index_(std::move(index)) {}
  signature sign(const bytes& message) override { return tag(self_, message); }
  bool verify(const bytes& message, const signature& sig, const public_key& key) override {
    auto it = index_.find(key);
    return it != index_.end() && tag(it->second, message) == sig;
  }

 private:
  static signature tag(std::uint8_t who, const bytes& message) {
    bytes m{who};
    m.insert(m.end(), message.begin(), message.end());
    const hash256 h = blake2b_256(m);
    signature s{};
    std::copy(h.begin(), h.end(), s.begin());
    return s;
  }
  std::uint8_t self_;
  std::map<public_key, std::uint8_t> index_;
};

enum class fault { none, silent, equivocate, invalid };

struct sim_result {
  bool agreed = true;
  bool live = true;
  std::size_t evidence = 0;
  std::uint64_t time_ms = 0;
};

struct sim {
  struct node {
    std::unique_ptr<consensus_crypto> crypto;
    std::unique_ptr<sign_guard> guard;
    std::unique_ptr<consensus_engine> engine;
    std::function<std::unique_ptr<consensus_engine>()> make_engine;  // same keys and guard
    fault mode = fault::none;
    std::map<std::uint64_t, commit_record> commits;  // what survives a crash: the chain
    std::uint32_t index = 0;
    bool down = false;
    bool gone = false;  // crashed for good
    std::uint64_t life = 0;  // timers of an earlier life never fire
  };
  struct crash {
    std::uint64_t down_ms;
  };
  struct restart {};
  using payload = std::variant<consensus_proposal, consensus_vote, timeout_request, commit_record, crash, restart>;
  struct event {
    std::uint64_t time;
    std::uint64_t seq;
    std::uint32_t to;
    payload what;
    std::uint64_t life = 0;
    bool operator>(const event& o) const { return std::tie(time, seq) > std::tie(o.time, o.seq); }
  };

  std::mt19937_64 rng;
  std::vector<validator> validators;
  std::vector<node> nodes;
  std::priority_queue<event, std::vector<event>, std::greater<>> queue;
  std::uint64_t now = 0, seq = 0, heal_ms, heights;
  double drop;
  bool partition;
  std::map<std::uint64_t, hash256> decided;  // first honest decision per height
  // Optional: which messages the network carries (in addition to drops).
  std::function<bool(std::uint32_t from, std::uint32_t to, const payload&)> carries;
  static constexpr std::uint64_t never = UINT64_MAX;
  sim_result result;

  sim(std::uint32_t n, std::uint32_t faulty, fault mode, std::uint64_t seed, double drop_before_heal,
      bool partitioned, std::uint64_t heal, std::uint64_t target_heights, bool ed25519 = false)
      : rng(seed), heal_ms(heal), heights(target_heights), drop(drop_before_heal), partition(partitioned) {
    std::map<public_key, std::uint8_t> index;
    for (std::uint32_t i = 0; i < n; ++i) {
      validators.push_back({validator_key(i).pub, 1});
      index[validator_key(i).pub] = static_cast<std::uint8_t>(i);
    }
    nodes.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      node& nd = nodes[i];
      nd.index = i;
      // The last `faulty` validators misbehave.
      nd.mode = i >= n - faulty ? mode : fault::none;
      nd.crypto = ed25519 ? make_ed25519_consensus_crypto("sim", validator_key(i))
                          : std::make_unique<keyed_hash_crypto>(static_cast<std::uint8_t>(i), index);
      nd.guard = make_memory_sign_guard();
      engine_config cfg;
      cfg.validators = validators;
      cfg.self = i;
      const bool bad_values = nd.mode == fault::invalid;
      auto source = [i, bad_values](std::uint64_t h) {
        bytes v{static_cast<std::uint8_t>(bad_values ? 0xff : 0x01), static_cast<std::uint8_t>(h), static_cast<std::uint8_t>(i)};
        return v;
      };
      auto check = [bad_values](std::uint64_t, const bytes& v) { return bad_values || (!v.empty() && v[0] != 0xff); };
      nd.make_engine = [&nd, cfg, source, check] {
        return std::make_unique<consensus_engine>(cfg, *nd.crypto, *nd.guard, source, check);
      };
      nd.engine = nd.make_engine();
    }
  }

  // The validator crashes at `at` and restarts `down_ms` later with its
  // chain and sign guard but nothing else: messages in flight to it are lost.
  void crash_at(std::uint32_t i, std::uint64_t at, std::uint64_t down_ms) {
    queue.push({at, seq++, i, crash{down_ms}});
  }

  bool honest(std::uint32_t i) const { return nodes[i].mode == fault::none; }

  void send(std::uint32_t from, std::uint32_t to, payload what) {
    if (from == to) return;
    if (carries && !carries(from, to, what)) return;
    if (now < heal_ms) {
      if (std::uniform_real_distribution<double>(0, 1)(rng) < drop) return;
      if (partition && (from < nodes.size() / 2) != (to < nodes.size() / 2)) return;
    }
    queue.push({now + 1 + rng() % 40, seq++, to, std::move(what)});
  }

  void broadcast_all(std::uint32_t from, engine_output& out) {
    node& nd = nodes[from];
    if (nd.mode == fault::silent) {
      out.proposals.clear();
      out.votes.clear();
    }
    for (auto& p : out.proposals) {
      for (std::uint32_t to = 0; to < nodes.size(); ++to) {
        consensus_proposal copy = p;
        if (nd.mode == fault::equivocate && rng() % 2) {  // another value to half the peers
          copy.value.push_back(static_cast<std::uint8_t>(rng()));
          copy.value_id = blake2b_256(copy.value);
          copy.sig = nd.crypto->sign(proposal_sign_bytes(copy));
        }
        send(from, to, copy);
      }
    }
    for (auto& v : out.votes) {
      for (std::uint32_t to = 0; to < nodes.size(); ++to) {
        consensus_vote copy = v;
        if (nd.mode == fault::equivocate && rng() % 2) {  // a conflicting vote to half the peers
          copy.nil = false;
          copy.value_id = blake2b_256(bytes{static_cast<std::uint8_t>(rng())});
          copy.sig = nd.crypto->sign(vote_sign_bytes(copy));
        }
        send(from, to, copy);
      }
    }
  }

  void handle(std::uint32_t i, engine_output out) {
    node& nd = nodes[i];
    for (const auto& t : out.timeouts) queue.push({now + t.delay_ms, seq++, i, t, nd.life});
    for (auto& c : out.decisions) {
      if (honest(i)) {
        auto [it, first] = decided.emplace(c.height, c.value_id);
        if (!first && it->second != c.value_id) result.agreed = false;
        if (!c.value.empty() && c.value[0] == 0xff) result.agreed = false;  // an invalid value decided
      }
      nd.commits[c.height] = c;
    }
    result.evidence += honest(i) ? out.evidence.size() : 0;
    // A peer still at an older height gets our commits from there on.
    for (const auto& [peer, h] : out.lagging)
      for (auto c = nd.commits.find(h); c != nd.commits.end(); ++c) send(i, peer, c->second);
    broadcast_all(i, out);
  }

  bool done() const {
    for (std::uint32_t i = 0; i < nodes.size(); ++i)
      if (honest(i) && !nodes[i].gone && nodes[i].engine->height() <= heights) return false;
    return true;
  }

  // Validators the others' hosts see as gone from the start (set_absent).
  std::vector<std::uint32_t> told_absent;

  sim_result run(std::uint64_t limit_ms) {
    for (std::uint32_t i = 0; i < nodes.size(); ++i) handle(i, nodes[i].engine->start(1));
    for (std::uint32_t i = 0; i < nodes.size(); ++i)
      for (const auto a : told_absent) handle(i, nodes[i].engine->set_absent(a, true));
    while (!queue.empty() && !done()) {
      event e = queue.top();
      queue.pop();
      now = e.time;
      if (now > limit_ms) break;
      node& nd = nodes[e.to];
      if (auto* c = std::get_if<crash>(&e.what)) {
        nd.down = true;
        ++nd.life;
        nd.gone = c->down_ms == never;
        if (!nd.gone) queue.push({now + c->down_ms, seq++, e.to, restart{}});
        continue;
      }
      if (std::holds_alternative<restart>(e.what)) {
        nd.down = false;
        nd.engine = nd.make_engine();
        handle(e.to, nd.engine->start(nd.commits.empty() ? 1 : nd.commits.rbegin()->first + 1));
        continue;
      }
      if (nd.down || (std::holds_alternative<timeout_request>(e.what) && e.life != nd.life)) continue;
      engine_output out;
      if (auto* p = std::get_if<consensus_proposal>(&e.what)) out = nd.engine->on_proposal(*p);
      else if (auto* v = std::get_if<consensus_vote>(&e.what)) out = nd.engine->on_vote(*v);
      else if (auto* t = std::get_if<timeout_request>(&e.what)) out = nd.engine->on_timeout(*t);
      else out = nd.engine->on_commit(std::get<commit_record>(e.what));
      handle(e.to, std::move(out));
    }
    result.live = done();
    result.time_ms = now;
    if (!result.live && std::getenv("SIM_DEBUG"))
      for (auto& nd : nodes)
        MESSAGE("node " << nd.index << " mode " << int(nd.mode) << " h " << nd.engine->height() << " r "
                        << nd.engine->round() << " step " << int(nd.engine->step()) << " queue " << queue.size() << " now " << now << " " << nd.engine->describe());
    return result;
  }
};

}  // namespace

TEST_CASE("1,000 simulated runs: honest validators never disagree and always decide after the network heals") {
  std::size_t runs = 0, equivocation_evidence = 0, partitioned = 0;
  // VOLTAIC_SIM_RUNS raises the count for longer soak runs.
  const std::uint64_t total = std::getenv("VOLTAIC_SIM_RUNS") ? std::stoull(std::getenv("VOLTAIC_SIM_RUNS")) : 1'000;
  for (std::uint64_t seed = 1; seed <= total; ++seed) {
    const std::uint32_t n = seed % 3 == 0 ? 7 : (seed % 3 == 1 ? 4 : 5);
    const std::uint32_t f = (n - 1) / 3;  // the most a BFT quorum tolerates
    const fault mode = static_cast<fault>(seed % 4);
    const bool part = seed % 5 == 0;
    sim s(n, mode == fault::none ? 0 : f, mode, seed, seed % 2 ? 0.3 : 0.05, part, 1'500, 3);
    const sim_result r = s.run(600'000);
    CAPTURE(seed);
    CAPTURE(n);
    CAPTURE(static_cast<int>(mode));
    REQUIRE(r.agreed);
    REQUIRE(r.live);
    if (mode == fault::equivocate) equivocation_evidence += r.evidence;
    partitioned += part;
    ++runs;
  }
  CHECK(runs == total);
  CHECK(partitioned == total / 5);
  CHECK(equivocation_evidence > 0);  // equivocators were caught
}

TEST_CASE("every validator crashes and restarts mid-height, again and again: no fork, and the chain goes on") {
  // A restarted validator keeps only its chain and sign guard. Validators
  // locked on a value that nobody committed must still be able to decide:
  // the value and the prevotes that locked them survive with the guard.
  std::size_t runs = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    sim s(4, 0, fault::none, seed, 0.0, false, 0, 40);
    std::mt19937_64 when(seed);
    for (std::uint64_t wave = 0; wave < 3; ++wave) {
      std::uint64_t at = 100 + wave * 600 + when() % 400;
      for (std::uint32_t i = 0; i < 4; ++i) {
        s.crash_at(i, at, 50 + when() % 400);
        at += when() % 25;  // one after another, as an operator stops them
      }
    }
    const sim_result r = s.run(600'000);
    CAPTURE(seed);
    REQUIRE(r.agreed);
    REQUIRE(r.live);
    ++runs;
  }
  CHECK(runs == 400);
}

TEST_CASE("two validators locked on a value whose proposer is gone for good decide it after both restart") {
  // Height 1, round 0: validator 1 proposes; 1, 2 and 3 prevote its value;
  // 2 and 3 see that quorum, lock and precommit, but 1's precommit and
  // everything to or from 0 is lost. Then 1 is gone for good and 2 and 3
  // restart. Only the value they are locked on can be decided, and only
  // their journals still hold it and the prevotes that prove it.
  sim s(4, 0, fault::none, 7, 0.0, false, 0, 1);
  s.carries = [&s](std::uint32_t from, std::uint32_t to, const sim::payload& what) {
    if (s.now >= 150) return true;
    const auto* v = std::get_if<consensus_vote>(&what);
    const bool precommit_of_1 = from == 1 && v && v->kind == vote_kind::precommit;
    return from != 0 && to != 0 && !precommit_of_1;
  };
  s.crash_at(1, 140, sim::never);
  s.crash_at(2, 145, 50);
  s.crash_at(3, 148, 80);
  const sim_result r = s.run(60'000);
  CHECK(r.agreed);
  REQUIRE(r.live);
  const bytes value_of_1{0x01, 1, 1};  // the simulation's source: {1, height, proposer}
  CHECK(s.decided.at(1) == blake2b_256(value_of_1));
}

TEST_CASE("rounds of a proposer the hosts saw go away do not wait out their timeouts, and a wrong guess is safe") {
  // Validator 3 is gone for good; it would propose heights 3, 7, 11 and 15
  // at round 0. In simulated time (no wall clock), twenty seeds each.
  std::uint64_t waited = 0, told = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    sim unaware(4, 0, fault::none, seed, 0.0, false, 0, 16);
    unaware.crash_at(3, 0, sim::never);
    const sim_result a = unaware.run(600'000);
    sim aware(4, 0, fault::none, seed, 0.0, false, 0, 16);
    aware.crash_at(3, 0, sim::never);
    aware.told_absent = {3};
    const sim_result b = aware.run(600'000);
    REQUIRE(a.live);
    REQUIRE(b.live);
    CHECK(a.agreed);
    CHECK(b.agreed);
    waited += a.time_ms;
    told += b.time_ms;
    // Validator 1 is alive but taken for gone: its rounds are cut short, and
    // still no two validators decide differently and the chain goes on.
    sim wrong(4, 0, fault::none, seed, 0.05, false, 500, 16);
    wrong.told_absent = {1};
    const sim_result c = wrong.run(600'000);
    CHECK(c.agreed);
    CHECK(c.live);
  }
  // Four of sixteen heights skip a propose timeout (300 ms) and a precommit
  // timeout (100 ms) each.
  MESSAGE("simulated time for 16 heights, 20 seeds: " << waited << " ms unaware, " << told << " ms told");
  CHECK(told * 10 < waited * 7);
}

TEST_CASE("with a third or more of the power faulty, safety still holds (liveness may not)") {
  // 4 validators, 2 equivocating: no quorum of honest votes exists, so the
  // honest pair must never decide two different values.
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    sim s(4, 2, fault::equivocate, seed, 0.1, false, 1'000, 2);
    const sim_result r = s.run(20'000);
    CAPTURE(seed);
    CHECK(r.agreed);
  }
}

TEST_CASE("the engine with Ed25519 decides in a lossy network") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    sim s(4, 1, static_cast<fault>(seed % 4), seed, 0.2, seed % 2 == 0, 1'000, 3, true);
    const sim_result r = s.run(600'000);
    CAPTURE(seed);
    CHECK(r.agreed);
    CHECK(r.live);
  }
}

TEST_CASE("commit certificates are checked against the validator set") {
  std::vector<validator> vs;
  std::vector<std::unique_ptr<consensus_crypto>> signers;
  for (std::uint32_t i = 0; i < 4; ++i) {
    vs.push_back({validator_key(i).pub, 1});
    signers.push_back(make_ed25519_consensus_crypto("lab", validator_key(i)));
  }
  commit_record c;
  c.height = 5;
  c.round = 1;
  c.value = bytes{1, 2, 3};
  c.value_id = blake2b_256(c.value);
  for (std::uint32_t i = 0; i < 3; ++i) {
    consensus_vote v{vote_kind::precommit, 5, 1, false, c.value_id, i, {}};
    v.sig = signers[i]->sign(vote_sign_bytes(v));
    c.precommits.push_back(v);
  }
  auto& checker = *signers[0];
  CHECK(verify_commit(c, vs, checker).ok());
  commit_record two = c;
  two.precommits.pop_back();
  CHECK(verify_commit(two, vs, checker).err().message.find("two thirds") != std::string::npos);
  commit_record twice = two;
  twice.precommits.push_back(two.precommits[0]);
  CHECK(verify_commit(twice, vs, checker).err().message.find("counted twice") != std::string::npos);
  commit_record forged = c;
  forged.precommits[2].sig[0] ^= 1;
  CHECK(verify_commit(forged, vs, checker).err().message.find("signature") != std::string::npos);
  commit_record other_value = c;
  other_value.value = bytes{9};
  CHECK_FALSE(verify_commit(other_value, vs, checker).ok());
  // A signature from another chain does not count.
  auto foreign = make_ed25519_consensus_crypto("other", validator_key(2));
  commit_record cross = c;
  cross.precommits[2].sig = foreign->sign(vote_sign_bytes(cross.precommits[2]));
  CHECK_FALSE(verify_commit(cross, vs, checker).ok());
}

TEST_CASE("a proposal or vote gossiped again is not verified again, a changed one is") {
  // Counts verifications around the Ed25519 implementation.
  struct counting final : consensus_crypto {
    std::unique_ptr<consensus_crypto> inner = make_ed25519_consensus_crypto("lab", validator_key(3));
    int verified = 0;
    signature sign(const bytes& m) override { return inner->sign(m); }
    bool verify(const bytes& m, const signature& sig, const public_key& key) override {
      ++verified;
      return inner->verify(m, sig, key);
    }
  };
  std::vector<validator> vs;
  for (std::uint32_t i = 0; i < 4; ++i) vs.push_back({validator_key(i).pub, 1});
  engine_config cfg;
  cfg.validators = vs;
  cfg.self = 3;
  counting crypto;
  auto guard = make_memory_sign_guard();
  consensus_engine engine(cfg, crypto, *guard, [](std::uint64_t) { return bytes{7}; },
                          [](std::uint64_t, const bytes&) { return true; });
  (void)engine.start(1);
  auto signer = [](std::uint32_t i) { return make_ed25519_consensus_crypto("lab", validator_key(i)); };
  consensus_proposal p{1, 0, -1, bytes{1}, default_value_id(bytes{1}), 1, {}};
  p.sig = signer(1)->sign(proposal_sign_bytes(p));
  consensus_vote v{vote_kind::prevote, 1, 0, false, p.value_id, 0, {}};
  v.sig = signer(0)->sign(vote_sign_bytes(v));
  (void)engine.on_proposal(p);
  (void)engine.on_vote(v);
  CHECK(crypto.verified == 2);
  (void)engine.on_proposal(p);
  (void)engine.on_vote(v);
  CHECK(crypto.verified == 2);
  // The same content under a forged signature is checked (and refused).
  consensus_vote forged = v;
  forged.sig[0] ^= 1;
  const auto out = engine.on_vote(forged);
  CHECK(crypto.verified == 3);
  CHECK(out.evidence.empty());
  // Another vote of the same voter is checked, and is evidence.
  consensus_vote other{vote_kind::prevote, 1, 0, true, hash256{}, 0, {}};
  other.sig = signer(0)->sign(vote_sign_bytes(other));
  CHECK(engine.on_vote(other).evidence.size() == 1);
  CHECK(crypto.verified == 4);
}

TEST_CASE("a validator restarted inside a height keeps its lock: it prevotes nil for another value") {
  std::vector<validator> vs;
  for (std::uint32_t i = 0; i < 4; ++i) vs.push_back({validator_key(i).pub, 1});
  auto signer = [](std::uint32_t i) { return make_ed25519_consensus_crypto("lab", validator_key(i)); };
  auto proposal = [&](std::uint32_t round, bytes value, std::uint32_t proposer) {
    consensus_proposal p{1, round, -1, value, default_value_id(value), proposer, {}};
    p.sig = signer(proposer)->sign(proposal_sign_bytes(p));
    return p;
  };
  auto prevote = [&](std::uint32_t round, const hash256& id, std::uint32_t voter) {
    consensus_vote v{vote_kind::prevote, 1, round, false, id, voter, {}};
    v.sig = signer(voter)->sign(vote_sign_bytes(v));
    return v;
  };
  engine_config cfg;
  cfg.validators = vs;
  cfg.self = 3;  // proposes neither round 0 (validator 1) nor round 1 (validator 2)
  auto source = [](std::uint64_t) { return bytes{7}; };
  auto check = [](std::uint64_t, const bytes&) { return true; };
  auto crypto = signer(3);

  // Round 0: validator 1 proposes {1}; a quorum prevotes it; validator 3 locks and precommits.
  auto guard = make_memory_sign_guard();
  const auto p0 = proposal(0, bytes{1}, 1);
  {
    consensus_engine engine(cfg, *crypto, *guard, source, check);
    (void)engine.start(1);
    (void)engine.on_proposal(p0);
    (void)engine.on_vote(prevote(0, p0.value_id, 0));
    auto out = engine.on_vote(prevote(0, p0.value_id, 1));
    bool precommitted = false;
    for (const auto& v : out.votes) precommitted |= v.kind == vote_kind::precommit && !v.nil && v.value_id == p0.value_id;
    REQUIRE(precommitted);
  }
  REQUIRE(guard->lock().has_value());
  CHECK(*guard->lock() == consensus_lock{1, 0, p0.value_id});

  // Restarted: round 1 brings a proposal of another value with no proof of a later quorum.
  const auto p1 = proposal(1, bytes{2}, 2);
  auto prevote_in_round_1 = [&](sign_guard& g) {
    consensus_engine engine(cfg, *crypto, g, source, check);
    auto out = engine.start(1);
    // With its journal it resumes round 0, where it precommitted; the round's timeout moves it on.
    out.append(engine.on_timeout({timer::precommit, 1, 0, 0}));
    CHECK(engine.round() == 1);
    out.append(engine.on_proposal(p1));
    for (const auto& v : out.votes)
      if (v.kind == vote_kind::prevote && v.round == 1) return v;
    FAIL("no prevote in round 1");
    return consensus_vote{};
  };
  CHECK(prevote_in_round_1(*guard).nil);
  // The same history without the persisted lock (as before locks were kept):
  // the validator would prevote the other value.
  auto forgetful = make_memory_sign_guard();
  REQUIRE(forgetful->permit(1, 0, round_step::precommit));
  const auto unlocked = prevote_in_round_1(*forgetful);
  CHECK_FALSE(unlocked.nil);
  CHECK(unlocked.value_id == p1.value_id);
}

TEST_CASE("consensus messages round-trip through their wire form and bad bytes are errors") {
  consensus_proposal p{7, 2, 1, bytes{9, 8, 7}, blake2b_256(bytes{9, 8, 7}), 3, {}};
  p.sig[0] = 0x11;
  consensus_vote v{vote_kind::prevote, 7, 2, true, hash256{}, 1, {}};
  v.sig[63] = 0x22;
  commit_record c{7, 2, p.value, p.value_id, {}};
  consensus_vote pc{vote_kind::precommit, 7, 2, false, p.value_id, 0, {}};
  c.precommits = {pc, pc};
  c.precommits[1].voter = 2;
  for (const consensus_message& m : {consensus_message{p}, consensus_message{v}, consensus_message{c}}) {
    const bytes b = encode_consensus_message(m);
    auto back = decode_consensus_message(b);
    REQUIRE(back.ok());
    CHECK(encode_consensus_message(back.value()) == b);
    for (std::size_t n = 0; n < b.size(); ++n) CHECK_FALSE(decode_consensus_message(b.data(), n).ok());
  }
  const auto pb = std::get<consensus_proposal>(decode_consensus_message(encode_consensus_message(p)).value());
  CHECK(pb.valid_round == 1);
  CHECK(pb.value == p.value);
  CHECK(pb.sig == p.sig);
  bytes wrong_kind = encode_consensus_message(v);
  wrong_kind[3] = 0x07;  // vote kind
  CHECK_FALSE(decode_consensus_message(wrong_kind).ok());
}
