#include "voltaic/chain/energy/cycle_desk.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "voltaic/chain/energy/market_cycle.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/energy/state_machine.hpp"
#include "voltaic/chain/node/parallel.hpp"

namespace voltaic::chain {

namespace {

constexpr std::uint64_t cycle_tx_lifetime = 100;  // blocks

bool is_cycle_kind(tx_kind k) {
  return k == tx_kind::order_root || k == tx_kind::clearing_result || k == tx_kind::cycle_dues;
}

// Only grid updates and cycle transactions matter to the desk; the others
// (most of a block) are skipped without decoding.
bool may_concern_cycles(const bytes& entry) {
  const auto kind = peek_kind(entry);
  return !kind || *kind == tx_kind::grid_update || is_cycle_kind(*kind);
}

cycle_key key_of(const tx_body& body) {
  if (auto* r = std::get_if<order_root_body>(&body)) return {r->market, r->cycle};
  if (auto* c = std::get_if<clearing_result_body>(&body)) return {c->market, c->cycle};
  const auto& d = std::get<cycle_dues_body>(body);
  return {d.market, d.cycle};
}

}  // namespace

void cycle_desk::remember_verified(const hash256& id) { verified_->insert(id); }

bool cycle_desk::order_verified(const signed_order& o) {
  if (verified_->contains(o.id)) return true;
  if (!order_signature_valid(o, chain_id_)) return false;
  remember_verified(o.id);
  return true;
}

checked_order check_order(const bytes& envelope, const std::string& chain_id, const verified_set* known) {
  checked_order c;
  auto o = decode_order(envelope);
  if (!o) return c;
  c.order = std::move(o).value();
  c.signature_holds = (known && known->contains(c.order->id)) || order_signature_valid(*c.order, chain_id);
  return c;
}

std::vector<std::string> cycle_desk::admit_all(const std::vector<bytes>& envelopes, const ledger_state& st) {
  std::vector<checked_order> checked(envelopes.size());
  parallel_for(envelopes.size(),
               [&](std::size_t i) { checked[i] = check_order(envelopes[i], chain_id_, verified_.get()); });
  std::vector<std::string> verdicts;
  verdicts.reserve(envelopes.size());
  for (std::size_t i = 0; i < envelopes.size(); ++i)
    verdicts.push_back(admit_checked(envelopes[i], std::move(checked[i]), st));
  return verdicts;
}

std::string cycle_desk::admit_checked(const bytes& envelope, checked_order checked, const ledger_state& st) {
  if (!checked.order) return admit(envelope, st);  // says why it does not decode
  if (checked.signature_holds) remember_verified(checked.order->id);
  return admit_decoded(std::move(*checked.order), st);
}

std::int64_t cycle_desk::charge_per_m(const ledger_state& st) const {
  const dso_record* p = st.dso_params.find(0);
  return p ? p->charge_uc_per_m : default_charge_uc_per_m;
}

bool cycle_desk::grid_matches(const ledger_state& st) const {
  const grid_record* g = st.grid.find(0);
  return !g || g->distances_hash == grid_.distances_hash();
}

std::string cycle_desk::admit(const bytes& envelope, const ledger_state& st) {
  auto decoded = decode_order(envelope);
  if (!decoded) return decoded.err().message;
  return admit_decoded(std::move(decoded).value(), st);
}

std::string cycle_desk::admit_decoded(signed_order o, const ledger_state& st) {
  const cycle_key key{o.terms.market, o.terms.cycle};
  if (st.order_roots.find(key) || fixed_.count(key)) {
    // Kept as late (never silence) when it is the owner's and not in the set
    // (a peer's gossip may bring an order of the set after it was fixed).
    if (order_verified(o) && !in_fixed_set(key, o.id)) remember_late(key, std::move(o));
    return "cycle-closed";
  }
  if (o.terms.bus >= grid_.load_buses().size()) return "bad-order: bus " + std::to_string(o.terms.bus) + " is not a load bus";
  if (!order_verified(o)) return "bad-signature";
  auto& book = open_[key];
  auto it = book.find(o.terms.owner);
  if (it != book.end()) {
    if (it->second.id == o.id) return "duplicate";
    if (it->second.terms.seq >= o.terms.seq) return "order-stale";
  }
  book[o.terms.owner] = std::move(o);
  return "ok";
}

cycle_batch cycle_desk::propose(const ledger_state& st, const key_pair& key, std::uint64_t& own_nonce) {
  cycle_batch out;
  if (!grid_matches(st)) return out;  // our grid is not the chain's: leave clearing to others
  std::vector<cycle_key> due;
  for (const auto& cycle : closing_)
    if (!st.order_roots.find(cycle)) due.push_back(cycle);
  // Markets clear independently: on all cores, each into its own slot.
  std::vector<std::optional<cleared_cycle>> cleared(due.size());
  const std::int64_t charge = charge_per_m(st);
  parallel_for(due.size(), [&](std::size_t i) {
    std::vector<signed_order> orders;
    if (auto it = open_.find(due[i]); it != open_.end())
      for (const auto& [owner, o] : it->second) orders.push_back(o);
    auto c = clear_market_cycle(due[i].first, due[i].second, std::move(orders), grid_.distances(), rules_, charge);
    if (c) cleared[i] = std::move(c).value();  // cannot fail for admitted orders; never propose what would not check
  });
  // Nonces in closing order, then the signatures on all cores.
  const account* mine = st.accounts.find(key.pub);
  std::vector<transaction> unsigned_txs;
  for (std::size_t i = 0; i < due.size(); ++i) {
    if (!cleared[i]) continue;
    for (tx_body body : {tx_body{cleared[i]->root}, tx_body{cleared[i]->clearing}, tx_body{cleared[i]->dues}}) {
      own_nonce = std::max(own_nonce, mine ? mine->nonce : 0) + 1;
      transaction t;
      t.signer = key.pub;
      t.nonce = own_nonce;
      t.expiry_height = st.height + cycle_tx_lifetime;
      t.body = std::move(body);
      unsigned_txs.push_back(std::move(t));
    }
    auto& carried = out.orders[due[i]];
    for (const auto& o : cleared[i]->orders) carried.push_back(o.envelope);
    pending_[due[i]] = std::make_shared<const cleared_cycle>(std::move(*cleared[i]));
  }
  out.txs.resize(unsigned_txs.size());
  parallel_for(unsigned_txs.size(), [&](std::size_t i) { out.txs[i] = sign_transaction(unsigned_txs[i], chain_id_, key); });
  // Checked here on all cores, so the block applies them without a check each.
  ::voltaic::chain::preverify(st, out.txs);
  return out;
}

std::string cycle_desk::check(const block& b, const std::vector<bytes>& carried_orders, const ledger_state& st) {
  std::map<cycle_key, std::vector<signed_order>> carried;
  for (const auto& env : carried_orders) {
    auto o = decode_order(env);
    if (!o) return "carried order: " + o.err().message;
    if (!order_verified(o.value())) return "carried order: bad-signature";
    carried[{o.value().terms.market, o.value().terms.cycle}].push_back(std::move(o).value());
  }
  std::map<cycle_key, std::vector<signed_transaction>> cycle_txs;
  market_grid next = grid_;  // the DSO's grid updates must give what this validator computes
  for (const auto& entry : b.entries) {
    if (is_receipt_entry(entry) || !may_concern_cycles(entry)) continue;
    auto stx = decode_envelope(entry);
    if (!stx) continue;
    if (auto* g = std::get_if<grid_update_body>(&stx.value().tx.body)) {
      if (!next.apply(g->change) || next.version() != g->grid_version || next.distances_hash() != g->distances_hash)
        return "grid update '" + g->change + "' does not give this validator's grid and distances";
      continue;
    }
    if (!is_cycle_kind(stx.value().tx.kind())) continue;
    cycle_txs[key_of(stx.value().tx.body)].push_back(std::move(stx).value());
  }
  for (const auto& [cycle, orders] : carried)
    if (!cycle_txs.count(cycle)) return "orders carried for a cycle the block does not clear";
  if (!cycle_txs.empty() && !grid_matches(st)) return "the chain's distances are not this validator's grid";
  for (const auto& [cycle, txs] : cycle_txs)
    if (txs.size() != 3) return "a cycle needs its order root, clearing and dues in one block";
  // Each market is re-run on its own (on all cores); the first mismatch in
  // cycle order is the answer, so every validator gives the same reason.
  std::vector<std::pair<const cycle_key*, std::vector<signed_transaction>*>> work;
  for (auto& [cycle, txs] : cycle_txs) work.emplace_back(&cycle, &txs);
  std::vector<std::string> mismatch(work.size());
  std::vector<std::shared_ptr<const cleared_cycle>> results(work.size());
  const std::int64_t charge = charge_per_m(st);
  parallel_for(work.size(), [&](std::size_t w) {
    const cycle_key& cycle = *work[w].first;
    const auto& txs = *work[w].second;
    auto it = carried.find(cycle);
    auto cleared = clear_market_cycle(cycle.first, cycle.second,
                                      it == carried.end() ? std::vector<signed_order>{} : std::move(it->second),
                                      grid_.distances(), rules_, charge);
    if (!cleared) {
      mismatch[w] = "carried orders: " + cleared.err().message;
      return;
    }
    const tx_body expected[3] = {cleared.value().root, cleared.value().clearing, cleared.value().dues};
    for (std::size_t i = 0; i < 3 && mismatch[w].empty(); ++i) {
      transaction t = txs[i].tx;
      t.body = expected[i];
      if (encode_payload(t) != txs[i].payload)
        mismatch[w] = std::string("the cycle's ") + to_string(txs[i].tx.kind()) + " differs from the re-run clearing";
    }
    results[w] = std::make_shared<const cleared_cycle>(std::move(cleared).value());
  });
  for (const auto& m : mismatch)
    if (!m.empty()) return m;
  for (std::size_t w = 0; w < work.size(); ++w) pending_[*work[w].first] = std::move(results[w]);
  return {};
}

std::vector<cycle_key> cycle_desk::committed(const block& b, const std::vector<bytes>& carried_orders,
                                             std::int64_t charge_uc_per_m) {
  std::vector<std::pair<cycle_key, hash256>> roots;  // the order sets the block fixes
  std::vector<const grid_update_body*> grid_changes;
  std::vector<signed_transaction> decoded;
  decoded.reserve(8);
  for (const auto& entry : b.entries) {
    if (is_receipt_entry(entry) || !may_concern_cycles(entry)) continue;
    auto stx = decode_envelope(entry);
    if (!stx) continue;
    const auto& body = stx.value().tx.body;
    if (std::holds_alternative<grid_update_body>(body) || std::holds_alternative<order_root_body>(body))
      decoded.push_back(std::move(stx).value());
  }
  for (const auto& stx : decoded) {
    if (auto* g = std::get_if<grid_update_body>(&stx.tx.body)) grid_changes.push_back(g);
    if (auto* r = std::get_if<order_root_body>(&stx.tx.body)) roots.emplace_back(cycle_key{r->market, r->cycle}, r->root);
  }
  // The clearing the proposal or its check computed; else (the decision
  // reached this validator before its own check, which is rare) cleared
  // here, on the grid before the block's changes as every check did.
  std::map<cycle_key, std::vector<signed_order>> by_cycle;
  for (const auto& env : carried_orders)
    if (auto o = decode_order(env)) by_cycle[{o.value().terms.market, o.value().terms.cycle}].push_back(std::move(o).value());
  std::vector<cycle_key> fixed_now;
  for (const auto& [cycle, root] : roots) {
    std::shared_ptr<const cleared_cycle> c;
    if (auto it = pending_.find(cycle); it != pending_.end() && it->second->root.root == root) c = it->second;
    if (!c) {
      auto orders = by_cycle.find(cycle);
      if (orders != by_cycle.end()) {
        auto again = clear_market_cycle(cycle.first, cycle.second, std::move(orders->second), grid_.distances(), rules_,
                                        charge_uc_per_m);
        if (again && again.value().root.root == root) c = std::make_shared<const cleared_cycle>(std::move(again).value());
      }
    }
    // A replica that caught up on certified blocks never saw the orders: it
    // knows the cycle is closed, not its outcomes.
    fixed_[cycle] = c;
    // Orders this validator took that the fixed set lacks (they reached it
    // after the proposer closed) missed their cycle: late.
    if (c)
      if (auto open = open_.find(cycle); open != open_.end()) {
        std::set<hash256> in_set;
        for (const auto& o : c->orders) in_set.insert(o.id);
        for (auto& [owner, o] : open->second)
          if (!in_set.count(o.id)) remember_late(cycle, std::move(o));
      }
    // Only the market's recent cycles are kept: outcomes are read right
    // after a cycle clears, and a long run must not hold every order set.
    if (cycle.second >= kept_cycles) {
      fixed_.erase(fixed_.lower_bound({cycle.first, 0}), fixed_.lower_bound({cycle.first, cycle.second - kept_cycles + 1}));
      late_.erase(late_.lower_bound({cycle.first, 0}), late_.lower_bound({cycle.first, cycle.second - kept_cycles + 1}));
    }
    pending_.erase(pending_.lower_bound({cycle.first, 0}), pending_.upper_bound(cycle));  // this and older proposals
    open_.erase(cycle);
    closing_.erase(cycle);
    fixed_now.push_back(cycle);
  }
  for (const auto* g : grid_changes) (void)grid_.apply(g->change);  // a mismatch shows in grid_matches()
  std::sort(fixed_now.begin(), fixed_now.end());
  return fixed_now;
}

std::vector<hash256> cycle_desk::unfit_grid_updates(const std::vector<signed_transaction>& txs) const {
  std::vector<hash256> unfit;
  market_grid next = grid_;
  for (const auto& stx : txs) {
    const auto* g = std::get_if<grid_update_body>(&stx.tx.body);
    if (!g) continue;
    market_grid tried = next;
    if (tried.apply(g->change) && tried.version() == g->grid_version && tried.distances_hash() == g->distances_hash)
      next = std::move(tried);
    else
      unfit.push_back(stx.id);
  }
  return unfit;
}

bool cycle_desk::in_fixed_set(const cycle_key& cycle, const hash256& id) const {
  auto it = fixed_.find(cycle);
  if (it == fixed_.end() || !it->second) return false;
  const auto& orders = it->second->orders;  // canonical: by id
  auto at = std::lower_bound(orders.begin(), orders.end(), id, [](const signed_order& o, const hash256& x) { return o.id < x; });
  return at != orders.end() && at->id == id;
}

void cycle_desk::remember_late(const cycle_key& cycle, signed_order o) {
  auto& late = late_[cycle];
  if (late.size() < max_late_per_cycle) late.emplace(o.terms.owner, std::move(o));
}

std::vector<signed_order> cycle_desk::late_orders(const cycle_key& cycle) const {
  std::vector<signed_order> out;
  if (auto it = late_.find(cycle); it != late_.end())
    for (const auto& [owner, o] : it->second) out.push_back(o);
  return out;
}

std::vector<bytes> cycle_desk::open_envelopes(const cycle_key& cycle) const {
  std::vector<bytes> out;
  if (auto it = open_.find(cycle); it != open_.end())
    for (const auto& [owner, o] : it->second) out.push_back(o.envelope);
  return out;
}

const cleared_cycle* cycle_desk::fixed_cycle(const cycle_key& cycle) const {
  auto it = fixed_.find(cycle);
  return it == fixed_.end() ? nullptr : it->second.get();
}

}  // namespace voltaic::chain
