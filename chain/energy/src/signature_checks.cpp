// Signature checks of transactions, remembered per state lineage so that
// admission, proposal and commit check each signature once
// (state_machine.hpp: signature_checked, preverify, check_transaction,
// remember_checked).
#include "voltaic/chain/energy/state_machine.hpp"

#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/coe_verdicts.hpp"
#include "voltaic/chain/node/parallel.hpp"

namespace voltaic::chain {

namespace {

// Keyed by the bytes actually checked (payload, which names the signer and
// the kind, and signature), not by a caller-supplied id.
hash256 memo_key(const signed_transaction& stx) {
  return blake2b_256(stx.payload.data(), stx.payload.size(), stx.sig.data(), stx.sig.size());
}

void remember_verified(const ledger_state& st, const hash256& key) { st.verified->transactions.insert(key); }

// The CoE a meter's transaction carries, checked without a state: its id, and
// whether its signatures hold (known ones are not checked again).
bool coe_signatures_hold(const transaction& tx, const std::string& chain_id, const verified_set* known_coes,
                         hash256& id, coe_verdicts* verdicts = nullptr) {
  const certificate_of_existence* coe = coe_of(tx);
  if (!coe) return false;
  id = coe_id(*coe);
  if (known_coes && known_coes->contains(id)) return true;
  const auto verify = [&] { return verify_coe_signatures(*coe, chain_id).ok(); };
  return verdicts ? verdicts->holds(id, verify) : verify();
}

// A CoE whose signatures hold is verified once the chain knows its manufacturer.
void remember_coe(const ledger_state& st, const transaction& tx, const hash256& id) {
  const certificate_of_existence* coe = coe_of(tx);
  if (coe && manufacturer_known(*coe, st.genesis.manufacturers)) st.verified->coes.insert(id);
}

}  // namespace

bool signature_checked(const ledger_state& st, const signed_transaction& stx) {
  const hash256 key = memo_key(stx);
  if (st.verified->transactions.contains(key)) return true;
  if (!signature_valid(stx, st.genesis.chain_id)) return false;
  remember_verified(st, key);
  return true;
}

namespace {

// Checks n transactions on all cores; with(i, check) calls check on the i-th
// transaction, if it has one.
template <class With>
void preverify_each(const ledger_state& st, std::size_t n, With with) {
  std::vector<hash256> keys(n), coes(n);
  std::vector<char> valid(n, 0), coe_valid(n, 0);
  std::vector<const signed_transaction*> meters(n, nullptr);
  const auto& memo = st.verified->transactions;
  parallel_for(n, [&](std::size_t i) {
    with(i, [&](const signed_transaction& stx) {
      keys[i] = memo_key(stx);
      valid[i] = !memo.contains(keys[i]) && signature_valid(stx, st.genesis.chain_id);
      // A meter's CoE costs two more signatures: checked here, on all cores, too.
      coe_valid[i] = signed_by_meter(stx.tx.kind()) &&
                     coe_signatures_hold(stx.tx, st.genesis.chain_id, &st.verified->coes, coes[i]);
      if (coe_valid[i]) meters[i] = &stx;
    });
  });
  for (std::size_t i = 0; i < n; ++i) {
    if (valid[i]) remember_verified(st, keys[i]);
    if (coe_valid[i]) remember_coe(st, meters[i]->tx, coes[i]);
  }
}

}  // namespace

void preverify(const ledger_state& st, const std::vector<bytes>& envelopes) {
  preverify_each(st, envelopes.size(), [&](std::size_t i, const auto& check) {
    if (auto stx = decode_envelope(envelopes[i])) check(stx.value());
  });
}

void preverify(const ledger_state& st, const std::vector<signed_transaction>& txs) {
  preverify_each(st, txs.size(), [&](std::size_t i, const auto& check) { check(txs[i]); });
}

checked_transaction check_transaction(const bytes& envelope, const std::string& chain_id, const verified_set* known,
                                      const verified_set* known_coes, coe_verdicts* verdicts) {
  checked_transaction c;
  auto stx = decode_envelope(envelope);
  if (!stx) return c;
  c.tx = std::move(stx).value();
  c.memo_key = memo_key(*c.tx);
  c.signature_holds = (known && known->contains(c.memo_key)) || signature_valid(*c.tx, chain_id);
  c.coe_holds = c.signature_holds && signed_by_meter(c.tx->tx.kind()) &&
                coe_signatures_hold(c.tx->tx, chain_id, known_coes, c.coe, verdicts);
  return c;
}

void remember_checked(const ledger_state& st, const checked_transaction& checked) {
  if (checked.tx && checked.signature_holds) remember_verified(st, checked.memo_key);
  if (checked.tx && checked.coe_holds) remember_coe(st, checked.tx->tx, checked.coe);
}

}  // namespace voltaic::chain
