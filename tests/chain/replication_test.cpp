// Four validators, each with its own ledger, agree on blocks through the
// consensus engine (real Ed25519, blocks as proposal values, re-execution as
// the validity check) over a seeded in-memory network; every replica ends
// with the same head, and its chain verifies with certificates required.
#include <doctest/doctest.h>

#include <map>
#include <queue>
#include <random>
#include <variant>

#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/verify.hpp"
#include "voltaic/chain/node/certificate.hpp"

using namespace voltaic::chain;

namespace {

struct replica {
  std::unique_ptr<ledger> chain;
  std::unique_ptr<consensus_crypto> crypto;
  std::unique_ptr<sign_guard> guard;
  std::unique_ptr<consensus_engine> engine;
};

}  // namespace

TEST_CASE("validators replicate a certified chain through the consensus engine") {
  workload_options wo;
  wo.txs_per_block = 20;
  wo.validators = 4;
  wo.chain_id = "replication";
  workload wl(wo);
  std::vector<key_pair> keys;
  for (std::uint32_t i = 0; i < 4; ++i) keys.push_back(wl.validator_key(i));

  std::vector<replica> nodes(4);
  using message = std::variant<consensus_proposal, consensus_vote, timeout_request, commit_record>;
  struct event {
    std::uint64_t time, seq;
    std::uint32_t to;
    message what;
    bool operator>(const event& o) const { return std::tie(time, seq) > std::tie(o.time, o.seq); }
  };
  std::priority_queue<event, std::vector<event>, std::greater<>> queue;
  std::mt19937_64 rng(5);
  std::uint64_t now = 0, seq = 0;
  block_options strict;
  strict.require_erc_witness = true;

  for (std::uint32_t i = 0; i < 4; ++i) {
    auto& n = nodes[i];
    n.chain = std::move(ledger::open(make_memory_store(), &wl.genesis())).value();
    n.crypto = make_ed25519_consensus_crypto(wo.chain_id, keys[i]);
    n.guard = make_memory_sign_guard();
    engine_config cfg;
    cfg.validators = wl.genesis().validators;
    cfg.self = i;
    cfg.value_id = block_proposal_id;
    ledger* chain = n.chain.get();
    auto source = [chain, &wl, i, &keys](std::uint64_t) {
      ledger_state scratch = chain->state();
      auto built = build_block(scratch, wl.next_block(scratch), 1'000 * (scratch.height + 1), keys[i].pub);
      std::vector<bytes> ercs;
      for (const auto& e : built.ercs) ercs.push_back(e.envelope);
      return encode_block_proposal(built.blk, ercs);
    };
    auto check = [chain, strict](std::uint64_t, const bytes& value) {
      auto p = decode_block_proposal(value);
      if (!p) return false;
      std::vector<signed_transaction> ercs;
      for (const auto& e : p.value().witnesses) {
        auto stx = decode_envelope(e);
        if (!stx) return false;
        ercs.push_back(std::move(stx).value());
      }
      ledger_state scratch = chain->state();
      return execute_block(scratch, p.value().blk, ercs, strict).ok();
    };
    n.engine = std::make_unique<consensus_engine>(cfg, *n.crypto, *n.guard, source, check);
  }

  auto deliver = [&](std::uint32_t from, engine_output out) {
    for (const auto& t : out.timeouts) queue.push({now + t.delay_ms, seq++, from, t});
    for (const auto& c : out.decisions) {
      auto p = decode_block_proposal(c.value);
      REQUIRE(p.ok());
      block b = p.value().blk;
      b.certificate = certificate_of(c);
      std::vector<signed_transaction> ercs;
      for (const auto& e : p.value().witnesses) ercs.push_back(std::move(decode_envelope(e)).value());
      REQUIRE(nodes[from].chain->append(b, ercs, strict).ok());
    }
    for (std::uint32_t to = 0; to < 4; ++to) {
      if (to == from) continue;
      for (const auto& p : out.proposals) queue.push({now + 1 + rng() % 20, seq++, to, p});
      for (const auto& v : out.votes) queue.push({now + 1 + rng() % 20, seq++, to, v});
    }
  };
  for (std::uint32_t i = 0; i < 4; ++i) deliver(i, nodes[i].engine->start(1));
  auto all_at = [&](std::uint64_t h) {
    for (const auto& n : nodes)
      if (n.chain->state().height < h) return false;
    return true;
  };
  while (!queue.empty() && !all_at(12) && now < 120'000) {
    event e = queue.top();
    queue.pop();
    now = e.time;
    auto& eng = *nodes[e.to].engine;
    if (auto* p = std::get_if<consensus_proposal>(&e.what)) deliver(e.to, eng.on_proposal(*p));
    else if (auto* v = std::get_if<consensus_vote>(&e.what)) deliver(e.to, eng.on_vote(*v));
    else if (auto* t = std::get_if<timeout_request>(&e.what)) deliver(e.to, eng.on_timeout(*t));
  }
  REQUIRE(all_at(12));
  // Identical chains: compare at height 12 (a replica may already be past it).
  std::vector<bytes> at12;
  for (auto& n : nodes) {
    auto b = n.chain->store().block_bytes(12);
    REQUIRE(b.ok());
    auto blk = decode_block(*b.value());
    REQUIRE(blk.ok());
    at12.push_back(blk.value().header_bytes);
    verify_options strict_verify;
    strict_verify.require_certificates = true;
    const auto v = verify_chain(n.chain->store(), {}, strict_verify);
    CHECK_MESSAGE(v.ok, v.reason);
  }
  for (const auto& h : at12) CHECK(h == at12[0]);

  // A certificate that lost a vote, or carries a forged one, is refused.
  auto raw = nodes[0].chain->store().block_bytes(5);
  block b = decode_block(*raw.value()).value();
  REQUIRE(verify_certificate(b, wl.genesis().validators, wo.chain_id).ok());
  block weak = b;
  while (weak.certificate.votes.size() > 2) weak.certificate.votes.pop_back();
  CHECK_FALSE(verify_certificate(weak, wl.genesis().validators, wo.chain_id).ok());
  block forged = b;
  forged.certificate.votes[0].sig[5] ^= 1;
  CHECK(verify_certificate(forged, wl.genesis().validators, wo.chain_id).err().message.rfind("bad-certificate", 0) == 0);
  block other = b;
  other.header.time_ms += 1;
  seal(other);
  CHECK_FALSE(verify_certificate(other, wl.genesis().validators, wo.chain_id).ok());
}
