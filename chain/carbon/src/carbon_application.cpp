#include "voltaic/chain/carbon/carbon_application.hpp"

#include "carbon_fields.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/node/certificate.hpp"

namespace voltaic::chain::carbon {

namespace {

// What check() leaves for admit(): the decoded transaction, or why not.
using checked_tx = std::variant<signed_carbon_transaction, std::string>;

}  // namespace

carbon_application::carbon_application(carbon_genesis genesis, std::vector<validator> validators, public_key me,
                                       std::unique_ptr<chain_store> store)
    : chain_id_(genesis.chain_id),
      validators_(std::move(validators)),
      me_(me),
      store_(std::move(store)),
      ledger_(std::move(genesis)),
      pending_(ledger_) {}

result<std::unique_ptr<carbon_application>> carbon_application::open(carbon_genesis genesis,
                                                                     std::vector<validator> validators, public_key me,
                                                                     std::unique_ptr<chain_store> store) {
  std::unique_ptr<carbon_application> app(
      new carbon_application(std::move(genesis), std::move(validators), me, std::move(store)));
  auto head = app->store_->head_height();
  if (!head) return head.err();
  if (!head.value()) {
    // Block 0: the chain's identity, its validators and the genesis state.
    block b0;
    b0.header.chain_id = app->chain_id_;
    b0.header.validator_set_hash = validator_set_hash(app->validators_);
    b0.header.tx_root = carbon_tx_root({});
    b0.header.state_root = app->ledger_.state_hash();
    seal(b0);
    if (auto s = app->store_->commit(b0, encode_block(b0), {}); !s) return s.err();
    app->head_ = b0.hash;
    return app;
  }
  // Replays every block: the ledger is the blocks' outcome.
  for (std::uint64_t h = 0; h <= *head.value(); ++h) {
    auto raw = app->store_->block_bytes(h);
    if (!raw || !raw.value()) return chain_error("store-corrupt", "block " + std::to_string(h) + " cannot be read");
    auto b = decode_block(*raw.value());
    if (!b) return b.err();
    if (h > 0 && (!app->execute(app->ledger_, b.value(), nullptr) ||
                  b.value().header.state_root != app->ledger_.state_hash()))
      return chain_error("store-corrupt", "block " + std::to_string(h) + " does not replay to its state root");
    app->height_ = h;
    app->head_ = b.value().hash;
  }
  app->pending_ = app->ledger_;
  return app;
}

void carbon_application::prepare_check(node::admission_batch&) {}

void carbon_application::check(node::admission_batch& b, std::size_t i) const {
  const auto& e = b.envelopes[i];
  auto stx = decode_carbon_envelope(e.data(), e.size());
  if (!stx) {
    b.checked[i] = checked_tx{stx.err().message};
  } else if (!signature_valid(stx.value(), chain_id_)) {
    b.checked[i] = checked_tx{std::string("bad-signature: the signer's signature does not verify")};
  } else {
    b.checked[i] = checked_tx{std::move(stx).value()};
  }
}

std::vector<std::string> carbon_application::admit(node::admission_batch& b) {
  std::vector<std::string> verdicts;
  for (std::size_t i = 0; i < b.envelopes.size(); ++i) {
    const auto* checked = std::any_cast<checked_tx>(&b.checked[i]);
    if (checked == nullptr) {
      verdicts.push_back("decode: unchecked");
      continue;
    }
    if (const auto* why = std::get_if<std::string>(checked)) {
      verdicts.push_back(*why);
      continue;
    }
    const auto& stx = std::get<signed_carbon_transaction>(*checked);
    if (pool_.contains(stx.id)) {
      verdicts.push_back("duplicate: already waiting");
      continue;
    }
    if (auto s = pool_.add(pooled_tx{stx.id, stx.envelope}, stx.tx.signer, stx.tx.nonce); !s) {
      verdicts.push_back(s.err().message);
      continue;
    }
    // It must apply after everything waiting before it: the pool stays a
    // sequence that a proposal can take whole. A refusal changes no state.
    if (auto s = pending_.apply(stx, height_ + 1); !s) {
      pool_.drop({stx.id});
      verdicts.push_back(s.err().message);
      continue;
    }
    verdicts.push_back("ok");
  }
  return verdicts;
}

std::optional<bytes> carbon_application::block_bytes(std::uint64_t h) {
  auto raw = store_->block_bytes(h);
  return raw && raw.value() ? raw.value() : std::nullopt;
}

std::optional<tx_location> carbon_application::find_entry(const hash256& id) {
  auto loc = store_->find_tx(id);
  return loc && loc.value() ? loc.value() : std::nullopt;
}

bool carbon_application::execute(carbon_ledger& l, const block& b,
                                 std::vector<signed_carbon_transaction>* decoded) const {
  for (const auto& e : b.entries) {
    auto stx = decode_carbon_envelope(e.data(), e.size());
    if (!stx || !l.apply(stx.value(), b.header.height)) return false;
    if (decoded) decoded->push_back(std::move(stx).value());
  }
  return true;
}

bytes carbon_application::prepare_proposal(std::uint64_t h, const node::proposal_options& o) {
  block b;
  b.header.chain_id = chain_id_;
  b.header.height = h;
  b.header.prev_hash = head_;
  b.header.time_ms = o.time_ms;
  b.header.proposer = me_;
  b.header.validator_set_hash = validator_set_hash(validators_);
  auto next = ledger_;
  std::vector<signed_carbon_transaction> taken;
  for (auto& p : o.canonical ? pool_.take_canonical(o.max_txs) : pool_.take(o.max_txs)) {
    auto stx = decode_carbon_envelope(p.envelope.data(), p.envelope.size());
    if (!stx || !next.apply(stx.value(), h)) continue;  // no longer valid on the head: left out
    b.entries.push_back(std::move(p.envelope));
    taken.push_back(std::move(stx).value());
  }
  b.header.tx_root = carbon_tx_root(taken);
  b.header.state_root = next.state_hash();
  seal(b);
  return encode_block(b);
}

bool carbon_application::process_proposal(std::uint64_t h, const bytes& value) {
  auto b = decode_block(value);
  if (!b || b.value().header.height != h || b.value().header.prev_hash != head_ ||
      b.value().header.chain_id != chain_id_ || b.value().header.validator_set_hash != validator_set_hash(validators_))
    return false;
  auto next = ledger_;
  std::vector<signed_carbon_transaction> decoded;
  if (!execute(next, b.value(), &decoded)) return false;
  return b.value().header.tx_root == carbon_tx_root(decoded) && b.value().header.state_root == next.state_hash();
}

hash256 carbon_application::value_id(const bytes& value) const {
  auto b = decode_block(value);
  return b ? b.value().hash : hash256{};
}

result<node::committed_block> carbon_application::commit(const commit_record& decided) {
  auto b = decode_block(decided.value);
  if (!b) return b.err();
  b.value().certificate = certificate_of(decided);
  return apply(b.value());
}

result<node::committed_block> carbon_application::commit_certified(const block& b) {
  if (!process_proposal(b.header.height, encode_block(b)))
    return chain_error("bad-block", "block " + std::to_string(b.header.height) + " does not re-execute to its roots");
  return apply(b);
}

result<node::committed_block> carbon_application::apply(const block& b) {
  auto next = ledger_;
  if (!execute(next, b, nullptr)) return chain_error("bad-block", "a transaction of the block is refused");
  if (auto s = store_->commit(b, encode_block(b), {}); !s) return s.err();
  ledger_ = std::move(next);
  node::committed_block done{b.header.height, b.hash, {}, {}};
  for (const auto& e : b.entries) done.entry_ids.push_back(entry_id(e));
  pool_.drop(done.entry_ids);
  height_ = b.header.height;
  head_ = b.hash;
  // What still waits must apply on the new head; what no longer does goes.
  pending_ = ledger_;
  std::vector<hash256> stale;
  for (const auto& p : pool_.take_canonical(pool_.size())) {
    auto stx = decode_carbon_envelope(p.envelope.data(), p.envelope.size());
    if (!stx || !pending_.apply(stx.value(), height_ + 1)) stale.push_back(p.id);
  }
  if (!stale.empty()) {
    log(std::to_string(stale.size()) + " waiting carbon transaction(s) no longer apply and were dropped");
    pool_.drop(stale);
  }
  return done;
}

result<bytes> carbon_application::query(std::string_view path, const bytes& request) {
  if (path != "balance" && path != "quota" && path != "auction" && path != "recorded")
    return chain_error("unknown-query", std::string(path));
  auto d = decoder::open(request);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  encoder e;
  if (path == "balance" || path == "quota") {
    r.array(2);
    const public_key who = r.fixed<32>();
    const std::uint64_t period = r.u64();
    if (auto s = r.finish(); !s) return s.err();
    if (path == "balance") {
      e.array(1).sint(ledger_.balance_kg(who, period));
    } else {
      const auto q = ledger_.quota(who, period);
      e.array(4).boolean(q.has_value()).sint(q ? q->estimate_kg : 0).sint(q ? q->check_kg : 0).boolean(
          q && q->corrected);
    }
    return e.take();
  }
  r.array(1);  // "auction", "recorded"
  const std::uint64_t period = r.u64();
  if (auto s = r.finish(); !s) return s.err();
  if (path == "auction") return encode_fields(ledger_.run_auction(period));
  const auto recorded = ledger_.recorded_auction(period);
  if (!recorded) return chain_error("not-recorded", "no auction recorded for period " + std::to_string(period));
  return encode_auction_result(*recorded);
}

std::optional<bytes> carbon_application::report_equivocation(const equivocation& e) {
  log("validator " + std::to_string(e.first.voter) + " signed two votes for one step (the carbon chain keeps no evidence yet)");
  return std::nullopt;
}

}  // namespace voltaic::chain::carbon
