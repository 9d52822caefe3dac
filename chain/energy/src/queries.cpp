// The electricity chain's questions about its head state.
#include <algorithm>
#include <set>

#include "voltaic/chain/energy/application.hpp"

#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

energy_application::account_view energy_application::account(const public_key& k) {
  const chain::account* a = ledger_->state().accounts.find(k);
  if (!a) return {};
  return account_view{a->balance_uc, a->held_uc, a->nonce};
}

std::vector<public_key> energy_application::buyers_with_expired_ctps() {
  const auto& head = ledger_->state();
  std::set<public_key, key_less> buyers;
  for (const auto& [id, c] : head.ctps.items())
    if (c.expiry_height < head.height) buyers.insert(c.buyer);
  return {buyers.begin(), buyers.end()};
}

std::pair<std::uint64_t, std::uint64_t> energy_application::open_ctp_summary() {
  std::uint64_t last = 0;
  const auto& ctps = ledger_->state().ctps.items();
  for (const auto& [id, c] : ctps) last = std::max(last, c.expiry_height);
  return {ctps.size(), last};
}

std::vector<energy_application::open_ctp> energy_application::ctps_of(const public_key& buyer) {
  const auto& head = ledger_->state();
  if (ctps_indexed_at_ != head.height) {
    ctps_by_buyer_.clear();
    for (const auto& [id, c] : head.ctps.items()) ctps_by_buyer_[c.buyer].push_back(id);
    ctps_indexed_at_ = head.height;
  }
  std::vector<open_ctp> out;
  auto it = ctps_by_buyer_.find(buyer);
  if (it == ctps_by_buyer_.end()) return out;
  for (auto id : it->second)
    if (const ctp_record* c = head.ctps.find(id)) out.push_back(open_ctp{id, c->producer, c->expiry_height, c->amount_uc});
  return out;
}

std::uint64_t energy_application::progress(std::uint64_t market) {
  std::uint64_t last = 0;
  for (const auto& [key, root] : ledger_->state().order_roots.items())
    if (key.first == market) last = std::max(last, key.second);
  return last;
}

energy_application::fixed_order_sets energy_application::fixed_orders(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) {
  fixed_order_sets sets;
  if (end < first || end - first > max_markets_per_query) return sets;
  const auto& head = ledger_->state();
  for (std::uint64_t market = first; market < end; ++market) {
    const auto* fixed = desk_ ? desk_->fixed_orders({market, cycle}) : nullptr;
    if (!fixed || !head.dues_recorded.find({market, cycle})) return {};
    sets.envelopes.insert(sets.envelopes.end(), fixed->begin(), fixed->end());
    sets.counts.push_back(fixed->size());
  }
  sets.complete = true;
  return sets;
}

namespace {

// The arguments and answers of query(), as field lists (core/fields.hpp).
struct key_arg {
  public_key key{};
};
struct numbers {
  std::vector<std::uint64_t> values;
};
template <class Io>
void fields(Io& io, key_arg& x) {
  io.array(1);
  io(x.key);
}
template <class Io>
void fields(Io& io, numbers& x) {
  io.list(x.values, 16, [&io](std::uint64_t& v) { io(v); });
}

result<numbers> read_numbers(const bytes& request, std::size_t count) {
  auto n = decode_fields<numbers>(request);
  if (!n) return n.err();
  if (n.value().values.size() != count)
    return chain_error("decode", "expected " + std::to_string(count) + " numbers, got " +
                                     std::to_string(n.value().values.size()));
  return n;
}

}  // namespace

result<bytes> energy_application::query(std::string_view path, const bytes& request) {
  encoder e;
  field_writer w(e);
  if (path == "account" || path == "ctps") {
    auto k = decode_fields<key_arg>(request);
    if (!k) return k.err();
    if (path == "account") {
      const auto a = account(k.value().key);
      w.array(3);
      w(a.balance_uc);
      w(a.held_uc);
      w(a.nonce);
    } else {
      w.list(ctps_of(k.value().key), UINT32_MAX, [&w](open_ctp& c) {
        w.array(4);
        w(c.id);
        w(c.producer);
        w(c.expiry_height);
        w(c.amount_uc);
      });
    }
    return e.take();
  }
  if (path == "expired" || path == "open_ctps") {
    if (auto n = read_numbers(request, 0); !n) return n.err();
    if (path == "expired") {
      w.list(buyers_with_expired_ctps(), UINT32_MAX, [&w](public_key& k) { w(k); });
    } else {
      const auto [count, last] = open_ctp_summary();
      w.array(2);
      w(count);
      w(last);
    }
    return e.take();
  }
  if (path == "progress" || path == "open_orders") {
    auto n = read_numbers(request, path == "progress" ? 1 : 2);
    if (!n) return n.err();
    const auto& v = n.value().values;
    w.array(1);
    w(path == "progress" ? progress(v[0]) : static_cast<std::uint64_t>(open_orders({v[0], v[1]})));
    return e.take();
  }
  if (path == "fixed_orders") {
    auto n = read_numbers(request, 3);
    if (!n) return n.err();
    const auto& v = n.value().values;
    auto sets = fixed_orders(v[0], v[1], v[2]);
    w.array(3);
    w(sets.complete);
    w.list(sets.envelopes, UINT32_MAX, [&w](bytes& b) { w(b); });
    w.list(sets.counts, UINT32_MAX, [&w](std::uint64_t& c) { w(c); });
    return e.take();
  }
  return chain_error("unknown-query", "no question '" + std::string(path) + "'");
}

}  // namespace voltaic::chain
