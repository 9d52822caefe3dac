// voltaic chain inspect: the chain's summary, one block, or one transaction,
// as text or JSON.
#include <ostream>
#include <sstream>

#include "json_text.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/runtime/commands.hpp"
#include "in_child.hpp"
#include "store_check.hpp"

namespace voltaic::runtime {

namespace {

using fields = std::vector<std::pair<std::string, std::string>>;  // name, JSON value

std::string quoted(const std::string& s) { return json_quote(s); }
template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& a) {
  return quoted(chain::to_hex(a));
}

// What a transaction body says, as fields.
fields describe_body(const chain::transaction& tx) {
  using namespace chain;
  fields f;
  std::visit(
      [&](const auto& b) {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, fund_body>) {
          f = {{"to", hex(b.to)}, {"amount_uc", std::to_string(b.amount_uc)}};
        } else if constexpr (std::is_same_v<B, energy_account_body>) {
          f = {{"energy_mwh", std::to_string(b.energy_mwh)}, {"price_ucpkwh", std::to_string(b.price_ucpkwh)}};
        } else if constexpr (std::is_same_v<B, order_root_body>) {
          f = {{"market", std::to_string(b.market)}, {"cycle", std::to_string(b.cycle)}, {"root", hex(b.root)},
               {"order_count", std::to_string(b.order_count)}};
        } else if constexpr (std::is_same_v<B, clearing_result_body>) {
          f = {{"market", std::to_string(b.market)}, {"cycle", std::to_string(b.cycle)},
               {"case", std::to_string(b.case_number)}, {"price_ucpkwh", std::to_string(b.price_ucpkwh)},
               {"traded_mwh", std::to_string(b.traded_mwh)}, {"trades_root", hex(b.trades_root)}};
        } else if constexpr (std::is_same_v<B, ctp_commit_body>) {
          f = {{"producer", hex(b.producer)}, {"amount_uc", std::to_string(b.amount_uc)},
               {"charge_uc", std::to_string(b.charge_uc)}, {"energy_mwh", std::to_string(b.energy_mwh)},
               {"expiry_height", std::to_string(b.expiry_height)}, {"meter_key", hex(b.meter_key)},
               {"market", std::to_string(b.market)}, {"cycle", std::to_string(b.cycle)}};
        } else if constexpr (std::is_same_v<B, erc_body>) {
          f = {{"ctp_id", std::to_string(b.ctp_id)}, {"energy_mwh", std::to_string(b.energy_mwh)}};
        } else if constexpr (std::is_same_v<B, ctp_timeout_body>) {
          f = {{"ctp_id", std::to_string(b.ctp_id)}};
        } else if constexpr (std::is_same_v<B, meter_settlement_body>) {
          f = {{"market", std::to_string(b.market)}, {"cycle", std::to_string(b.cycle)}, {"party", hex(b.party)},
               {"metered_mwh", std::to_string(b.metered_mwh)}};
        } else if constexpr (std::is_same_v<B, grid_update_body>) {
          f = {{"grid_version", hex(b.grid_version)}, {"distances_hash", hex(b.distances_hash)},
               {"change", quoted(b.change)}};
        } else if constexpr (std::is_same_v<B, dso_params_body>) {
          f = {{"charge_uc_per_m", std::to_string(b.charge_uc_per_m)},
               {"penalty_ucpkwh", std::to_string(b.penalty_ucpkwh)}};
        } else if constexpr (std::is_same_v<B, cycle_dues_body>) {
          std::int64_t agreed = 0;
          for (const auto& d : b.dues) agreed += d.role == party_role::buyer ? d.agreed_mwh : 0;
          f = {{"market", std::to_string(b.market)}, {"cycle", std::to_string(b.cycle)},
               {"parties", std::to_string(b.dues.size())}, {"bought_mwh", std::to_string(agreed)}};
        } else if constexpr (std::is_same_v<B, escrow_deploy_body>) {
          f = {{"producer", hex(b.producer)}, {"amount_uc", std::to_string(b.amount_uc)},
               {"energy_mwh", std::to_string(b.energy_mwh)}, {"expiry_height", std::to_string(b.expiry_height)}};
        } else if constexpr (std::is_same_v<B, escrow_pay_body> || std::is_same_v<B, escrow_refund_body>) {
          f = {{"escrow", hex(b.escrow)}};
        } else if constexpr (std::is_same_v<B, escrow_payout_body>) {
          f = {{"escrow", hex(b.escrow)}, {"received_mwh", std::to_string(b.received_mwh)}};
        } else {
          f = {{"voter", std::to_string(b.voter)}, {"height", std::to_string(b.height)},
               {"round", std::to_string(b.round)}, {"vote_kind", std::to_string(b.vote_kind)}};
        }
      },
      tx.body);
  return f;
}

fields describe_entry(const chain::bytes& entry) {
  fields f{{"id", hex(chain::entry_id(entry))}, {"bytes", std::to_string(entry.size())}};
  if (chain::kind_of_receipt(entry) == chain::receipt_kind::reading) {
    auto rc = chain::decode_reading_receipt(entry.data(), entry.size());
    if (!rc) return {{"error", quoted(rc.err().message)}};
    const auto& r = rc.value();
    f.insert(f.end(), {{"kind", quoted("reading_receipt")}, {"meter_key", hex(r.meter_key)},
                       {"market", std::to_string(r.market)}, {"cycle", std::to_string(r.cycle)},
                       {"party", hex(r.party)}, {"metered_mwh", std::to_string(r.metered_mwh)}});
    return f;
  }
  if (chain::is_receipt_entry(entry)) {
    auto rc = chain::decode_receipt(entry.data(), entry.size());
    if (!rc) return {{"error", quoted(rc.err().message)}};
    f.insert(f.end(), {{"kind", quoted("erc_receipt")},
                       {"ctp_id", std::to_string(rc.value().ctp_id)},
                       {"energy_mwh", std::to_string(rc.value().energy_mwh)}});
    if (auto ctp = chain::decode_envelope(rc.value().ctp)) {
      f.emplace_back("ctp_buyer", hex(ctp.value().tx.signer));
      const fields body = describe_body(ctp.value().tx);
      for (const auto& [k, v] : body) f.emplace_back("ctp_" + k, v);
    }
    return f;
  }
  auto stx = chain::decode_envelope(entry);
  if (!stx) return {{"error", quoted(stx.err().message)}};
  const auto& tx = stx.value().tx;
  f.insert(f.end(), {{"kind", quoted(chain::to_string(tx.kind()))},
                     {"signer", hex(tx.signer)},
                     {"nonce", std::to_string(tx.nonce)},
                     {"expiry_height", std::to_string(tx.expiry_height)}});
  const fields body = describe_body(tx);
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

void print(std::ostream& out, const fields& f, bool json, const std::string& indent = "") {
  if (json) {
    out << "{";
    for (std::size_t i = 0; i < f.size(); ++i) out << (i ? "," : "") << quoted(f[i].first) << ":" << f[i].second;
    out << "}";
    return;
  }
  for (const auto& [name, value] : f) {
    const bool is_string = !value.empty() && value[0] == '"';
    out << indent << name << ": " << (is_string ? value.substr(1, value.size() - 2) : value) << "\n";
  }
}

fields describe_header(const chain::block& b) {
  const auto& h = b.header;
  return {{"height", std::to_string(h.height)},
          {"hash", hex(b.hash)},
          {"chain_id", quoted(h.chain_id)},
          {"prev_hash", hex(h.prev_hash)},
          {"time_ms", std::to_string(h.time_ms)},
          {"proposer", hex(h.proposer)},
          {"tx_root", hex(h.tx_root)},
          {"state_root", hex(h.state_root)},
          {"ctp_db_hash", hex(h.ctp_db_hash)},
          {"validator_set_hash", hex(h.validator_set_hash)},
          {"entries", std::to_string(b.entries.size())},
          {"side_records", std::to_string(b.side.size())},
          {"certificate_round", std::to_string(b.certificate.round)},
          {"certificate_votes", std::to_string(b.certificate.votes.size())}};
}

int fail(std::ostream& err, const std::string& what, int code = 1) {
  err << "voltaic chain inspect: " << what << "\n";
  return code;
}

int inspect(const chain_inspect_options& o, std::ostream& out, std::ostream& err) {
  chain::lmdb_options ro;
  ro.read_only = true;
  auto store = chain::open_lmdb_store(o.dir, ro);
  if (!store) return fail(err, store.err().message);
  auto& s = *store.value();

  auto load_block = [&](std::uint64_t height) -> market::result<chain::block> {
    auto raw = s.block_bytes(height);
    if (!raw) return raw.err();
    if (!raw.value()) {
      // Below the head every block must be there: a gap is damage, not a wrong question.
      auto head = s.head_height();
      if (head && head.value() && height <= *head.value())
        return market::make_error(market::errc::io_error,
                                  "store-corrupt: block " + std::to_string(height) + " is missing below the head (" +
                                      std::to_string(*head.value()) + "): the store is damaged");
      return market::make_error(market::errc::invalid_argument, "no block at height " + std::to_string(height));
    }
    return chain::decode_block(*raw.value());
  };

  if (!o.tx.empty()) {
    chain::hash256 id{};
    if (!chain::from_hex(o.tx, id)) return fail(err, "--tx needs a transaction id of 64 hex digits", 2);
    auto loc = s.find_tx(id);
    if (!loc) return fail(err, loc.err().message);
    if (!loc.value()) return fail(err, "transaction " + o.tx + " is not in this chain");
    auto b = load_block(loc.value()->height);
    if (!b) return fail(err, b.err().message);
    fields f{{"height", std::to_string(loc.value()->height)}, {"index", std::to_string(loc.value()->index)}};
    if (loc.value()->index >= b.value().item_count()) return fail(err, "the transaction index points past its block");
    if (loc.value()->index >= b.value().entries.size()) f.emplace_back("side_record", "true");
    const fields e = describe_entry(b.value().item(loc.value()->index));
    f.insert(f.end(), e.begin(), e.end());
    print(out, f, o.json);
    if (o.json) out << "\n";
    return 0;
  }

  if (o.height >= 0) {
    auto b = load_block(static_cast<std::uint64_t>(o.height));
    if (!b) return fail(err, b.err().message);
    if (o.json) {
      out << "{\"header\":";
      print(out, describe_header(b.value()), true);
      out << ",\"entries\":[";
      for (std::size_t i = 0; i < b.value().entries.size(); ++i) {
        out << (i ? "," : "");
        print(out, describe_entry(b.value().entries[i]), true);
      }
      out << "],\"side\":[";
      for (std::size_t i = 0; i < b.value().side.size(); ++i) {
        out << (i ? "," : "");
        print(out, describe_entry(b.value().side[i]), true);
      }
      out << "]}\n";
    } else {
      print(out, describe_header(b.value()), false);
      for (std::size_t i = 0; i < b.value().entries.size(); ++i) {
        out << "entry " << i << ":\n";
        print(out, describe_entry(b.value().entries[i]), false, "  ");
      }
      for (std::size_t i = 0; i < b.value().side.size(); ++i) {
        out << "side record " << i << " (CTP database):\n";
        print(out, describe_entry(b.value().side[i]), false, "  ");
      }
    }
    return 0;
  }

  auto l = chain::ledger::open(std::move(store).value(), nullptr);
  if (!l) return fail(err, l.err().message);
  const auto& st = l.value()->state();
  std::int64_t money = 0, held = 0;
  for (const auto& [k, a] : st.accounts.items()) {
    money += a.balance_uc;
    held += a.held_uc;
  }
  const fields f{{"chain_id", quoted(st.genesis.chain_id)},
                 {"height", std::to_string(st.height)},
                 {"head_hash", hex(st.head_hash)},
                 {"state_root", hex(st.state_root)},
                 {"validators", std::to_string(st.genesis.validators.size())},
                 {"accounts", std::to_string(st.accounts.items().size())},
                 {"open_ctps", std::to_string(st.ctps.items().size())},
                 {"money_uc", std::to_string(money)},
                 {"held_uc", std::to_string(held)}};
  print(out, f, o.json);
  if (o.json) out << "\n";
  return 0;
}

}  // namespace

// A damaged store can kill its reader (SIGBUS on a truncated file): read it
// in a child, as `chain verify` does.
int run_chain_inspect(const chain_inspect_options& o, std::ostream& out, std::ostream& err) {
  if (const auto why = why_no_store(o.dir); !why.empty()) return fail(err, why);
  out.flush();
  err.flush();
  const child_outcome c =
      run_in_child([&](std::ostream& co, std::ostream& ce, const auto&) { return inspect(o, co, ce); });
  if (c.crashed)
    return fail(err, "store-corrupt: reading " + o.dir + " failed; " + crash_text(c) + "; `voltaic chain verify " +
                         o.dir + "` says at which height");
  out << c.out;
  err << c.err;
  return c.code;
}

}  // namespace voltaic::runtime
