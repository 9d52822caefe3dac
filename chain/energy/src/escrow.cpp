// The escrow baseline of SPB's comparison (spec/protocols.md section 3,
// item 5): deploy, pay in, pay out — three block entries per trade.
#include "escrow_rules.hpp"

#include "ledger_rules.hpp"

namespace voltaic::chain {

hash256 escrow_id_of(const transaction& deploy) { return blake2b_256(encode_payload(deploy)); }

namespace detail {

namespace {

std::string name_of(const hash256& id) { return to_hex(id.data(), 8); }

// The escrow `id` if the signer is its buyer.
result<escrow_record> own_escrow(const ledger_state& st, const transaction& tx, const hash256& id) {
  const escrow_record* x = st.escrows.find(id);
  if (!x) return refuse("escrow-unknown", "no open escrow " + name_of(id));
  if (x->buyer != tx.signer) return refuse("escrow-not-owner", "only its buyer acts on escrow " + name_of(id));
  return *x;
}

}  // namespace

status apply_escrow_deploy(ledger_state& st, const transaction& tx, const escrow_deploy_body& b, std::uint64_t height) {
  if (!money_in_range(b.amount_uc)) return refuse("amount-out-of-range", "escrow amount outside 1..1e18 uc");
  if (!market::energy_in_range(b.energy_mwh)) return refuse("energy-out-of-range", "escrow energy outside 1 mWh..1 GWh");
  if (b.expiry_height <= height) return refuse("escrow-expiry-past", "the escrow expires before it could pay out");
  if (b.producer == tx.signer) return refuse("escrow-self", "a buyer cannot buy from itself");
  const hash256 id = escrow_id_of(tx);
  if (st.escrows.find(id)) return refuse("escrow-exists", "escrow " + name_of(id));
  bump_nonce(st, tx);
  st.escrows.put(id, {tx.signer, b.producer, b.amount_uc, b.energy_mwh, b.expiry_height, false});
  return {};
}

status apply_escrow_pay(ledger_state& st, const transaction& tx, const escrow_pay_body& b, std::uint64_t height) {
  auto x = own_escrow(st, tx, b.escrow);
  if (!x) return x.err();
  escrow_record e = x.value();
  if (e.paid) return refuse("escrow-paid", "escrow " + name_of(b.escrow) + " is paid already");
  if (height > e.expiry_height) return refuse("escrow-expired", "escrow " + name_of(b.escrow) + " has expired");
  staged_accounts moves(st);
  if (!moves.add(tx.signer, -static_cast<int128>(e.amount_uc)))
    return refuse("insufficient-balance", "the buyer cannot pay " + std::to_string(e.amount_uc) + " uc into escrow");
  moves.write(st);
  bump_nonce(st, tx);
  e.paid = true;
  st.escrows.put(b.escrow, e);
  return {};
}

status apply_escrow_payout(ledger_state& st, const transaction& tx, const escrow_payout_body& b, std::uint64_t height) {
  auto x = own_escrow(st, tx, b.escrow);
  if (!x) return x.err();
  const escrow_record& e = x.value();
  if (!e.paid) return refuse("escrow-unpaid", "escrow " + name_of(b.escrow) + " holds nothing yet");
  if (height > e.expiry_height) return refuse("escrow-expired", "escrow " + name_of(b.escrow) + " has expired");
  if (b.received_mwh <= 0) return refuse("energy-out-of-range", "received energy must be positive");
  if (b.received_mwh > e.energy_mwh)
    return refuse("escrow-energy-exceeds", std::to_string(b.received_mwh) + " mWh received but " +
                                              std::to_string(e.energy_mwh) + " mWh agreed");
  const std::int64_t pay = market::div_round_half_even(static_cast<int128>(e.amount_uc) * b.received_mwh, e.energy_mwh);
  staged_accounts moves(st);
  if (!moves.add(e.producer, pay) || !moves.add(e.buyer, e.amount_uc - pay))
    return refuse("balance-overflow", "paying out escrow " + name_of(b.escrow) + " would overflow a balance");
  moves.write(st);
  bump_nonce(st, tx);
  st.escrows.erase(b.escrow);
  return {};
}

status apply_escrow_refund(ledger_state& st, const transaction& tx, const escrow_refund_body& b, std::uint64_t height) {
  auto x = own_escrow(st, tx, b.escrow);
  if (!x) return x.err();
  const escrow_record& e = x.value();
  if (height <= e.expiry_height)
    return refuse("escrow-not-expired", "escrow " + name_of(b.escrow) + " is open until height " +
                                            std::to_string(e.expiry_height));
  staged_accounts moves(st);
  if (e.paid && !moves.add(e.buyer, e.amount_uc))
    return refuse("balance-overflow", "refunding escrow " + name_of(b.escrow) + " would overflow the balance");
  moves.write(st);
  bump_nonce(st, tx);
  st.escrows.erase(b.escrow);
  return {};
}

}  // namespace detail

}  // namespace voltaic::chain
