// The electricity chain's questions about its head state.
#include <algorithm>
#include <set>

#include "voltaic/chain/energy/application.hpp"

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

}  // namespace voltaic::chain
