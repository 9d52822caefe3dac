#include "voltaic/chain/energy/mempool.hpp"

#include "voltaic/chain/energy/state_machine.hpp"

namespace voltaic::chain {

namespace {

// A meter's nonce is its counter, not an account nonce; a CTP's is checked
// against the account's CTP sequence (ledger_state.hpp).
bool nonce_used(const signed_transaction& t, const ledger_state& st) {
  if (signed_by_meter(t.tx.kind())) return false;
  const account* a = st.accounts.find(t.tx.signer);
  return a && t.tx.nonce <= (t.tx.kind() == tx_kind::ctp_commit ? a->ctp_nonce : a->nonce);
}

}  // namespace

status mempool::add(const bytes& envelope, const ledger_state& st) {
  if (envelope.size() > limits_.max_tx_bytes)
    return chain_error("too-large", std::to_string(envelope.size()) + " bytes exceed " +
                                        std::to_string(limits_.max_tx_bytes));
  auto stx = decode_envelope(envelope);
  if (!stx) return stx.err();
  return add(std::move(stx).value(), st);
}

status mempool::add(signed_transaction t, const ledger_state& st) {
  if (t.envelope.size() > limits_.max_tx_bytes)
    return chain_error("too-large", std::to_string(t.envelope.size()) + " bytes exceed " +
                                        std::to_string(limits_.max_tx_bytes));
  if (pool_.contains(t.id)) return chain_error("duplicate", "already waiting");
  if (!signature_checked(st, t)) return chain_error("bad-signature", "the signature does not verify");
  if (t.tx.expiry_height <= st.height) return chain_error("tx-expired", "expired at height " + std::to_string(t.tx.expiry_height));
  if (nonce_used(t, st)) return chain_error("nonce-stale", "nonce " + std::to_string(t.tx.nonce) + " is used");
  const public_key signer = t.tx.signer;
  const std::uint64_t nonce = t.tx.nonce;
  return pool_.add(std::move(t), signer, nonce);
}

std::size_t mempool::prune(const ledger_state& st, const std::vector<hash256>& committed) {
  return pool_.prune(committed, [&st](const signed_transaction& t) {
    return nonce_used(t, st) || t.tx.expiry_height <= st.height;
  });
}

}  // namespace voltaic::chain
