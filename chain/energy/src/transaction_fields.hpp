#pragma once
// The transaction bodies' field lists (core/fields.hpp), one per kind, in
// the order of transaction.hpp; the clearing result's is in
// clearing_codec.hpp (private to chain/energy).

#include <cstdint>

#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain {

// Bounds on variable parts, so one transaction stays small.
inline constexpr std::uint32_t max_merkle_depth = 32;
inline constexpr std::size_t max_change_note = 256;
inline constexpr std::uint32_t max_cycle_dues = 12'000;  // parties of one market's cycle in one transaction

template <class Io>
void fields(Io& io, fund_body& b) {
  io.array(2);
  io(b.to);
  io(b.amount_uc);
}
template <class Io>
void fields(Io& io, energy_account_body& b) {
  io.array(2);
  io(b.energy_mwh);
  io(b.price_ucpkwh);
}
template <class Io>
void fields(Io& io, order_root_body& b) {
  io.array(4);
  io(b.market);
  io(b.cycle);
  io(b.root);
  io(b.order_count);
}
template <class Io>
void fields(Io& io, ctp_commit_body& b) {
  io.array(8);
  io(b.producer);
  io(b.amount_uc);
  io(b.charge_uc);
  io(b.energy_mwh);
  io(b.expiry_height);
  io(b.meter_key);
  io(b.market);
  io(b.cycle);
}
// A CoE as an ERC carries it and as its id hashes it (coe.cpp).
template <class Io>
void fields(Io& io, certificate_of_existence& c) {
  io.array(6);
  io(c.root);
  io(c.key_count);
  io(c.manufacturer);
  io(c.signer);
  io(c.manufacturer_sig);
  io(c.signer_sig);
}
template <class Io>
void fields(Io& io, erc_body& b) {
  io.array(4);
  io(b.ctp_id);
  io(b.energy_mwh);
  fields(io, b.coe);
  io.array(2);
  io(b.leaf_index);
  io.list(b.siblings, max_merkle_depth, [&io](hash256& h) { io(h); });
}
template <class Io>
void fields(Io& io, ctp_timeout_body& b) {
  io.array(1);
  io(b.ctp_id);
}
template <class Io>
void fields(Io& io, escrow_deploy_body& b) {
  io.array(4);
  io(b.producer);
  io(b.amount_uc);
  io(b.energy_mwh);
  io(b.expiry_height);
}
template <class Io>
void fields(Io& io, escrow_pay_body& b) {
  io.array(1);
  io(b.escrow);
}
template <class Io>
void fields(Io& io, escrow_refund_body& b) {
  io.array(1);
  io(b.escrow);
}
template <class Io>
void fields(Io& io, escrow_payout_body& b) {
  io.array(2);
  io(b.escrow);
  io(b.received_mwh);
}
template <class Io>
void fields(Io& io, meter_settlement_body& b) {
  io.array(6);
  io(b.market);
  io(b.cycle);
  io(b.party);
  io(b.metered_mwh);
  fields(io, b.coe);
  io.array(2);
  io(b.leaf_index);
  io.list(b.siblings, max_merkle_depth, [&io](hash256& h) { io(h); });
}
template <class Io>
void fields(Io& io, grid_update_body& b) {
  io.array(3);
  io(b.grid_version);
  io(b.distances_hash);
  io.text(b.change, max_change_note, "grid change note");
}
template <class Io>
void fields(Io& io, dso_params_body& b) {
  io.array(2);
  io(b.charge_uc_per_m);
  io(b.penalty_ucpkwh);
}
template <class Io>
void fields(Io& io, evidence_body& b) {
  io.array(6);
  io(b.height);
  io.bounded(b.round, UINT32_MAX, "round");
  io(b.vote_kind);
  io.bounded(b.voter, UINT32_MAX, "voter");
  io.array(3);
  io(b.nil_a);
  io(b.value_a);
  io(b.sig_a);
  io.array(3);
  io(b.nil_b);
  io(b.value_b);
  io(b.sig_b);
}
template <class Io>
void fields(Io& io, cycle_dues_body& b) {
  io.array(3);
  io(b.market);
  io(b.cycle);
  io.list(b.dues, max_cycle_dues, [&io](party_due& d) {
    io.array(5);
    io(d.party);
    io.bounded(d.role, 1, "role");
    io(d.meter);
    io(d.agreed_mwh);
    io(d.tariff_uc);
  });
}

}  // namespace voltaic::chain
