#include "voltaic/chain/energy/application.hpp"

#include <algorithm>

#include "voltaic/chain/energy/events.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/market/units.hpp"
#include "voltaic/chain/node/certificate.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

namespace voltaic::chain {

namespace {

block_options strict() {
  block_options o;
  o.require_erc_witness = true;
  return o;
}

}  // namespace

result<std::unique_ptr<energy_application>> energy_application::open(energy_config cfg) {
  std::unique_ptr<energy_application> app(new energy_application(std::move(cfg)));
  auto& c = app->cfg_;
  auto store = open_lmdb_store(c.store_dir);
  if (!store) return store.err();
  auto opened = ledger::open(std::move(store).value(), &c.genesis);
  if (!opened) return opened.err();
  app->ledger_ = std::move(opened).value();
  if (app->ledger_->state().genesis.chain_id != c.genesis.chain_id)
    return chain_error("wrong-chain", "the store at " + c.store_dir + " holds another chain");
  if (c.grid) app->desk_ = std::make_unique<cycle_desk>(c.genesis.chain_id, *c.grid, c.rules);
  return app;
}

// --- admission

void energy_application::prepare_check(node::admission_batch& b) {
  if (b.what == node::lane::messages) {
    if (desk_) b.known = desk_->verified_orders();
  } else {
    const auto memo = ledger_->state().verified;  // shared by the head and its successors
    b.known = std::shared_ptr<const verified_set>(memo, &memo->transactions);
    b.known_more = std::shared_ptr<const verified_set>(memo, &memo->coes);
  }
}

void energy_application::check(node::admission_batch& b, std::size_t i) const {
  const auto& envelope = b.envelopes[i];
  if (b.what == node::lane::messages) {
    b.checked[i] = check_order(envelope, cfg_.genesis.chain_id, b.known.get());
  } else {
    b.checked[i] = check_transaction(envelope, cfg_.genesis.chain_id, b.known.get(), b.known_more.get(), &coe_verdicts_);
  }
}

std::vector<std::string> energy_application::admit(node::admission_batch& b) {
  return b.what == node::lane::messages ? admit_orders(b) : admit_txs(b);
}

// Admitted against the head state in order.
std::vector<std::string> energy_application::admit_txs(node::admission_batch& b) {
  const auto& head = ledger_->state();
  std::vector<std::string> verdicts;
  verdicts.reserve(b.envelopes.size());
  for (std::size_t i = 0; i < b.envelopes.size(); ++i) {
    auto* c = std::any_cast<checked_transaction>(&b.checked[i]);
    if (c) remember_checked(head, *c);
    // What does not decode takes the envelope path, for its exact refusal.
    const auto r = c && c->tx ? pool_.add(std::move(*c->tx), head) : pool_.add(b.envelopes[i], head);
    verdicts.push_back(r ? std::string("ok") : r.err().message);
  }
  return verdicts;
}

std::vector<std::string> energy_application::admit_orders(node::admission_batch& b) {
  if (!desk_) return std::vector<std::string>(b.envelopes.size(), "no-market");
  std::vector<std::string> verdicts;
  verdicts.reserve(b.envelopes.size());
  for (std::size_t i = 0; i < b.envelopes.size(); ++i) {
    auto* c = std::any_cast<checked_order>(&b.checked[i]);
    verdicts.push_back(c ? desk_->admit_checked(b.envelopes[i], std::move(*c), ledger_->state())
                         : desk_->admit(b.envelopes[i], ledger_->state()));
  }
  return verdicts;
}

// --- the replica

std::optional<bytes> energy_application::block_bytes(std::uint64_t height) {
  auto raw = ledger_->store().block_bytes(height);
  if (!raw || !raw.value()) return std::nullopt;
  return std::move(*raw.value());
}

std::optional<tx_location> energy_application::find_entry(const hash256& id) {
  auto loc = ledger_->store().find_tx(id);
  if (!loc || !loc.value()) return std::nullopt;
  return *loc.value();
}

// --- consensus values

bytes energy_application::prepare_proposal(std::uint64_t, const node::proposal_options& options) {
  std::vector<signed_transaction> txs;
  cycle_batch cycles;
  if (desk_) {
    cycles = desk_->propose(ledger_->state(), cfg_.key, own_nonce_);
    txs = cycles.txs;
  }
  auto take_pooled = [&] {
    if (options.selection) return pool_.take_selected(*options.selection, options.max_txs);
    return options.canonical ? pool_.take_canonical(options.max_txs) : pool_.take(options.max_txs);
  };
  auto pooled = take_pooled();
  if (desk_) {
    const auto unfit = desk_->unfit_grid_updates(pooled);
    if (!unfit.empty()) {
      pool_.prune(ledger_->state(), unfit);
      pooled = take_pooled();
    }
  }
  txs.insert(txs.end(), pooled.begin(), pooled.end());
  // The block stays applied as the candidate: checking and committing it
  // need no second execution.
  const std::int64_t charge = head_charge();
  auto built = ledger_->build(txs, options.time_ms, cfg_.key.pub);
  candidate_charge_.emplace(built.blk.hash, charge);
  // What the current state refuses (e.g. evidence another validator already
  // recorded) leaves the pool rather than being proposed again.
  std::vector<hash256> refused;
  for (const auto& [id, why] : built.rejected) refused.push_back(id);
  if (!refused.empty())
    log("block " + std::to_string(built.blk.header.height) + " leaves out " + std::to_string(refused.size()) +
        " transaction(s), e.g. " + built.rejected.front().second.message);
  pool_.drop(refused);
  std::vector<bytes> ercs;
  for (const auto& e : built.ercs) ercs.push_back(e.envelope);
  // Carry the orders of every cycle whose three transactions made it in.
  const auto& after = ledger_->candidate_state();
  std::vector<bytes> orders;
  for (const auto& [cycle, envelopes] : cycles.orders)
    if (after.dues_recorded.find(cycle)) orders.insert(orders.end(), envelopes.begin(), envelopes.end());
  auto value = encode_block_proposal(built.blk, ercs, orders);
  own_proposal_ = proposal{std::move(built.blk), std::move(built.ercs), std::move(orders)};
  return value;
}

bool energy_application::process_proposal(std::uint64_t height, const bytes& value) {
  auto p = decode_block_proposal(value);
  if (!p || p.value().blk.header.height != height) return false;
  // Our own proposal, or one checked already at this head.
  if (ledger_->is_candidate(p.value().blk.hash)) return true;
  std::vector<signed_transaction> ercs;
  for (const auto& e : p.value().witnesses) {
    auto stx = decode_envelope(e);
    if (!stx) return false;
    ercs.push_back(std::move(stx).value());
  }
  if (desk_) {
    if (auto why = desk_->check(p.value().blk, p.value().carried, ledger_->state()); !why.empty()) {
      log("refusing block " + std::to_string(height) + ": " + why);
      return false;
    }
  } else if (!p.value().carried.empty()) {
    return false;  // cannot check a clearing without the grid
  }
  const std::int64_t charge = head_charge();
  if (!ledger_->try_block(p.value().blk, ercs, strict()).ok()) return false;
  candidate_charge_.emplace(p.value().blk.hash, charge);
  return true;
}

std::int64_t energy_application::head_charge() { return desk_ ? desk_->charge_per_m(ledger_->state()) : 0; }

result<node::committed_block> energy_application::commit(const commit_record& c) {
  proposal decided;
  if (own_proposal_ && own_proposal_->blk.hash == c.value_id) {
    decided = std::move(*own_proposal_);  // ours: no need to decode what we encoded
  } else {
    auto p = decode_block_proposal(c.value);
    if (!p) return chain_error("bad-value", "a decided value is not a block: " + p.err().message);
    decided.blk = std::move(p.value().blk);
    for (const auto& e : p.value().witnesses)
      if (auto stx = decode_envelope(e)) decided.ercs.push_back(std::move(stx).value());
    decided.orders = std::move(p.value().carried);
  }
  own_proposal_.reset();
  block& b = decided.blk;
  b.certificate = certificate_of(c);
  // What the block's clearings used: the charge at its head.
  const std::int64_t charge = candidate_charge_ && candidate_charge_->first == b.hash && ledger_->is_candidate(b.hash)
                                  ? candidate_charge_->second
                                  : head_charge();
  candidate_charge_.reset();
  if (auto s = ledger_->append(b, decided.ercs, strict()); !s)
    return chain_error("commit-failed",
                       "cannot commit decided block " + std::to_string(b.header.height) + ": " + s.err().message);
  return committed(b, decided.orders, charge);
}

result<node::committed_block> energy_application::commit_certified(const block& b) {
  const std::int64_t charge = head_charge();
  candidate_charge_.reset();
  if (auto s = ledger_->append(b, {}); !s)
    return chain_error("commit-failed", "a certified block does not apply: " + s.err().message);
  return committed(b, {}, charge);
}

// What the block's receipts moved, per party of each cycle, with the parts
// of each amount (market.md 5.4), for observers: a buyer's ERCs (its bill:
// energy to its sellers, grid charges and penalties to the DSO), its
// sellers' income from them, and each seller's own reading (its grid charge
// and penalty).
void energy_application::record_settlements(const block& b) {
  const auto& st = ledger_->state();
  const dso_record* params = st.dso_params.find(0);
  const std::int64_t penalty_price = params ? params->penalty_ucpkwh : 0;
  auto row = [this](std::uint64_t market_id, std::uint64_t cycle, const public_key& party, party_role role) -> settlement_row& {
    if (cycle >= cycle_desk::kept_cycles)
      settled_.erase(settled_.lower_bound({market_id, 0}),
                     settled_.lower_bound({market_id, cycle - cycle_desk::kept_cycles + 1}));
    settlement_row& r = settled_[{market_id, cycle}][{party, static_cast<std::uint8_t>(role)}];
    r.market = market_id;
    r.party = party;
    r.role = static_cast<std::uint8_t>(role);
    return r;
  };
  for (const auto& entry : b.entries) {
    const auto kind = kind_of_receipt(entry);
    if (kind == receipt_kind::erc) {
      auto rc = decode_receipt(entry.data(), entry.size());
      if (!rc) continue;
      auto ctp = decode_envelope(rc.value().ctp);
      if (!ctp || ctp.value().tx.kind() != tx_kind::ctp_commit) continue;
      const auto& c = std::get<ctp_commit_body>(ctp.value().tx.body);
      const std::int64_t e = rc.value().energy_mwh;
      const std::int64_t pay =
          market::div_round_half_even(static_cast<market::int128>(c.amount_uc) * e, c.energy_mwh);
      const auto penalty = static_cast<std::int64_t>(market::money_for(penalty_price, c.energy_mwh - e));
      settlement_row& buyer = row(c.market, c.cycle, ctp.value().tx.signer, party_role::buyer);
      buyer.agreed_mwh += c.energy_mwh;
      buyer.metered_mwh += e;
      buyer.amount_uc += pay + c.charge_uc + penalty;
      buyer.tariff_uc += c.charge_uc;
      buyer.penalty_uc += penalty;
      row(c.market, c.cycle, c.producer, party_role::seller).amount_uc += pay;
    } else if (kind == receipt_kind::reading) {
      auto rc = decode_reading_receipt(entry.data(), entry.size());
      if (!rc) continue;
      const auto& r = rc.value();
      const due_record* due = st.dues.find({r.market, r.cycle, r.party, static_cast<std::uint8_t>(party_role::seller)});
      if (!due) continue;
      const std::int64_t imbalance = due->agreed_mwh > r.metered_mwh ? due->agreed_mwh - r.metered_mwh : r.metered_mwh - due->agreed_mwh;
      const auto penalty = static_cast<std::int64_t>(market::money_for(penalty_price, imbalance));
      settlement_row& seller = row(r.market, r.cycle, r.party, party_role::seller);
      seller.agreed_mwh = due->agreed_mwh;
      seller.metered_mwh = r.metered_mwh;
      seller.tariff_uc = due->tariff_uc;
      seller.penalty_uc = penalty;
      seller.amount_uc -= due->tariff_uc + penalty;
    }
  }
}

node::committed_block energy_application::committed(const block& b, const std::vector<bytes>& carried_orders,
                                                    std::int64_t charge) {
  node::committed_block done;
  done.height = b.header.height;
  done.hash = b.hash;
  done.entry_ids.reserve(b.item_count());
  for (std::size_t i = 0; i < b.item_count(); ++i) done.entry_ids.push_back(entry_id(b.item(i)));
  // A waiting transaction voided by the block (its nonce used by another of
  // its sender's, or expired) can never commit: its client must know.
  if (const auto voided = pool_.prune(ledger_->state(), done.entry_ids); voided > 0)
    log("height " + std::to_string(b.header.height) + " voids " + std::to_string(voided) +
        " waiting transaction(s) (nonce used or expired)");
  if (desk_)
    for (const auto& cycle : desk_->committed(b, carried_orders, charge)) {
      const auto* fixed = desk_->fixed_cycle(cycle);
      done.events.push_back(make_event(b.header.height, cycle_fixed_event{cycle.first, cycle.second,
                                                                          fixed ? fixed->orders.size() : 0}));
    }
  record_settlements(b);
  return done;
}

// Equivocation goes on chain as an evidence transaction from this validator.
std::optional<bytes> energy_application::report_equivocation(const equivocation& e) {
  evidence_body body;
  body.height = e.first.height;
  body.round = e.first.round;
  body.vote_kind = static_cast<std::uint8_t>(e.first.kind);
  body.voter = e.first.voter;
  body.nil_a = e.first.nil;
  body.value_a = e.first.value_id;
  body.sig_a = e.first.sig;
  body.nil_b = e.second.nil;
  body.value_b = e.second.value_id;
  body.sig_b = e.second.sig;
  const chain::account* mine = ledger_->state().accounts.find(cfg_.key.pub);
  own_nonce_ = std::max(own_nonce_, mine ? mine->nonce : 0) + 1;
  transaction tx;
  tx.signer = cfg_.key.pub;
  tx.nonce = own_nonce_;
  tx.expiry_height = ledger_->state().height + 1'000;
  tx.body = body;
  const auto stx = sign_transaction(tx, cfg_.genesis.chain_id, cfg_.key);
  if (!pool_.add(stx.envelope, ledger_->state())) return std::nullopt;
  log("validator " + std::to_string(e.first.voter) + " signed two votes at height " + std::to_string(e.first.height) +
      " round " + std::to_string(e.first.round) + "; evidence submitted");
  return stx.envelope;
}

}  // namespace voltaic::chain
