#include "voltaic/chain/energy/testing/workload.hpp"

#include <algorithm>
#include <tuple>
#include <map>
#include <set>

namespace voltaic::chain {

key_pair derived_key(std::uint64_t seed, std::uint64_t role, std::uint64_t index) {
  std::array<std::uint8_t, 32> s{};
  for (int i = 0; i < 8; ++i) {
    s[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seed >> (8 * i));
    s[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(role >> (8 * i));
    s[static_cast<std::size_t>(16 + i)] = static_cast<std::uint8_t>(index >> (8 * i));
  }
  return key_pair_from_seed(s);
}

namespace {

constexpr std::int64_t opening_balance = 1'000'000'000'000;  // 1e6 credits
constexpr std::uint64_t tx_lifetime = 100;                    // blocks a transaction stays valid
constexpr std::uint64_t admin_period = 10;                    // blocks per trading cycle

}  // namespace

workload::workload(const workload_options& options) : options_(options), rng_(options.seed * 0x9e3779b97f4a7c15ULL + 1) {
  const std::uint64_t seed = options.seed;
  authority_ = derived_key(seed, 1, 0);
  dso_ = derived_key(seed, 2, 0);
  manufacturer_ = derived_key(seed, 3, 0);
  for (std::uint32_t i = 0; i < std::max(1u, options.validators); ++i) validators_.push_back(derived_key(seed, 4, i));
  const std::uint32_t n = std::max(2u, options.accounts);
  for (std::uint32_t i = 0; i < n; ++i) accounts_.push_back(derived_key(seed, 5, i));
  // Each meter has an identity key certified by the manufacturer; the next
  // meter vouches for its CoE key tree.
  std::vector<key_pair> identities;
  std::vector<signature> certificates;
  for (std::uint32_t i = 0; i < n; ++i) {
    identities.push_back(derived_key(seed, 6, i));
    certificates.push_back(certify_meter(identities.back().pub, options.chain_id, manufacturer_));
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    std::vector<key_pair> keys;
    for (std::uint32_t k = 0; k < std::max(1u, options.meter_keys); ++k)
      keys.push_back(derived_key(seed, 7, std::uint64_t{i} << 32 | k));
    const std::uint32_t voucher = (i + 1) % n;
    meters_.push_back(make_meter_keys(std::move(keys), options.chain_id, identities[voucher], manufacturer_.pub,
                                      certificates[voucher]));
  }
  meter_counters_.assign(n, 0);

  genesis_.chain_id = options.chain_id;
  genesis_.time_ms = 1'700'000'000'000;
  genesis_.authority = authority_.pub;
  genesis_.dso = dso_.pub;
  genesis_.manufacturers = {manufacturer_.pub};
  for (const auto& v : validators_) genesis_.validators.push_back({v.pub, 1});
  for (const auto& a : accounts_) genesis_.balances.emplace_back(a.pub, opening_balance);
  genesis_.balances.emplace_back(dso_.pub, opening_balance);
}

const key_pair& workload::proposer(std::uint64_t height) const { return validators_[height % validators_.size()]; }

std::uint64_t workload::next_u64() {
  // splitmix64: enough for picking parties.
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

signed_transaction workload::sign_as(const key_pair& key, tx_body body, const ledger_state& st) {
  const std::uint64_t height = st.height + 1;
  auto it = std::find_if(nonces_.begin(), nonces_.end(), [&](const auto& p) { return p.first == key.pub; });
  if (it == nonces_.end()) it = nonces_.insert(nonces_.end(), {key.pub, 0});
  transaction tx;
  tx.signer = key.pub;
  if (const account* a = st.accounts.find(key.pub)) it->second = std::max(it->second, a->nonce);
  tx.nonce = ++it->second;
  tx.expiry_height = height + tx_lifetime;
  tx.body = std::move(body);
  return sign_transaction(tx, options_.chain_id, key);
}

void workload::resolve_ids(const ledger_state& st) {
  // Match each unresolved CTP to the open CTP with its buyer, energy and
  // expiry; ids already claimed are skipped.
  std::set<std::uint64_t> claimed;
  for (const auto& p : pending_)
    if (p.id) claimed.insert(p.id);
  for (auto& p : pending_) {
    if (p.id) continue;
    for (const auto& [id, c] : st.ctps.items()) {
      if (claimed.count(id) || c.buyer != accounts_[p.buyer].pub || c.energy_mwh != p.energy_mwh ||
          c.expiry_height != p.expiry_height)
        continue;
      p.id = id;
      claimed.insert(id);
      break;
    }
  }
}

std::vector<signed_transaction> workload::next_block(const ledger_state& st) {
  const std::uint64_t height = st.height + 1;
  const std::size_t budget = std::max<std::uint32_t>(1, options_.txs_per_block);
  std::vector<signed_transaction> txs;
  const std::size_t n = accounts_.size();
  const auto& validator = validators_[height % validators_.size()];

  // Administrative kinds, a few per trading cycle.
  if (!options_.spb_only && height % admin_period == 1) {
    std::vector<tx_body> admin;
    admin.push_back(dso_params_body{2'000, 50'000});
    grid_update_body g;
    g.grid_version = blake2b_256("grid/" + std::to_string(height));
    g.distances_hash = blake2b_256("distances/" + std::to_string(height));
    g.change = height == 1 ? "initial" : "close L12-22";
    admin.push_back(g);
    for (auto& body : admin) {
      if (txs.size() >= budget) break;
      txs.push_back(sign_as(dso_, std::move(body), st));
    }
    if (txs.size() < budget)
      txs.push_back(sign_as(authority_, fund_body{accounts_[next_u64() % n].pub, 1'000'000}, st));
    if (txs.size() < budget)
      txs.push_back(sign_as(accounts_[next_u64() % n], energy_account_body{5'000'000, 150'000}, st));
  }
  if (!options_.spb_only && height % admin_period == 5) {
    const std::uint64_t cycle = height / admin_period;
    order_root_body o{0, cycle, blake2b_256("orders/" + std::to_string(cycle)), 55};
    clearing_result_body c{};
    c.market = 0;
    c.cycle = cycle;
    c.case_number = 1;
    c.price_ucpkwh = 140'000;
    c.traded_mwh = 10'000'000;
    c.trades_root = blake2b_256("trades/" + std::to_string(cycle));
    c.trade_count = 1;
    // Party 0 bought 10 kWh from party 1; the seller's meter reads its
    // delivery with the CoE key its order named.
    const meter_keys& buyer_meter = meters_[0];
    const meter_keys& seller_meter = meters_[1];
    cycle_dues_body dues{0, cycle, {}};
    dues.dues.push_back({accounts_[0].pub, party_role::buyer, buyer_meter.keys[0].pub, 10'000'000, 5'000});
    dues.dues.push_back({accounts_[1].pub, party_role::seller, seller_meter.keys[0].pub, 10'000'000, 5'000});
    std::sort(dues.dues.begin(), dues.dues.end(),
              [](const party_due& a, const party_due& b) { return std::tie(a.party, a.role) < std::tie(b.party, b.role); });
    if (txs.size() < budget) txs.push_back(sign_as(validator, o, st));
    if (txs.size() < budget) txs.push_back(sign_as(validator, c, st));
    if (txs.size() < budget) txs.push_back(sign_as(validator, dues, st));
    if (txs.size() < budget) {
      transaction tx;
      tx.signer = seller_meter.keys[0].pub;
      tx.nonce = ++meter_counters_[1];
      tx.expiry_height = height + tx_lifetime;
      tx.body = make_reading_body(seller_meter, 0, 0, cycle, accounts_[1].pub, 9'000'000);
      txs.push_back(sign_transaction(tx, options_.chain_id, seller_meter.keys[0]));
    }
  }

  // Timeouts for CTPs left to expire, ERCs for the others, then new CTPs.
  resolve_ids(st);
  std::vector<pending_ctp> still;
  std::size_t ercs = 0;
  const std::size_t erc_budget = (budget + 1) / 2;
  for (const auto& p : pending_) {
    const ctp_record* c = p.id ? st.ctps.find(p.id) : nullptr;
    if (!c) {
      if (!p.id && p.expiry_height >= height) still.push_back(p);  // not in a block yet
      continue;
    }
    if (!p.confirm && height > c->expiry_height && txs.size() < budget) {
      txs.push_back(sign_as(accounts_[p.buyer], ctp_timeout_body{p.id}, st));
      continue;
    }
    if (p.confirm && height <= c->expiry_height && ercs < erc_budget && txs.size() < budget) {
      const auto& keys = meters_[p.buyer].keys;
      std::size_t key_index = 0;
      while (key_index + 1 < keys.size() && keys[key_index].pub != c->meter_key) ++key_index;
      erc_body body = make_erc_body(meters_[p.buyer], key_index, p.id, p.energy_mwh - (p.id % 3 == 0 ? 1'000 : 0));
      transaction tx;
      tx.signer = meters_[p.buyer].keys[key_index].pub;
      tx.nonce = ++meter_counters_[p.buyer];
      tx.expiry_height = height + tx_lifetime;
      tx.body = std::move(body);
      txs.push_back(sign_transaction(tx, options_.chain_id, meters_[p.buyer].keys[key_index]));
      ++ercs;
      continue;
    }
    still.push_back(p);
  }
  pending_.swap(still);

  while (txs.size() < budget) {
    const std::size_t buyer = next_u64() % n;
    std::size_t producer = next_u64() % n;
    if (producer == buyer) producer = (producer + 1) % n;
    const std::int64_t energy = 1'000'000 + static_cast<std::int64_t>(next_u64() % 9'000'000);  // 1-10 kWh
    const std::int64_t amount = energy / 1000 * 150;  // 0.15 credits per kWh
    const auto& meter_key = meters_[buyer].keys[meter_counters_[buyer] % meters_[buyer].keys.size()].pub;
    ctp_commit_body body{accounts_[producer].pub, amount, 0, energy, height + options_.ctp_lifetime, meter_key, 0, 0};
    txs.push_back(sign_as(accounts_[buyer], body, st));
    pending_.push_back({0, buyer, energy, height + options_.ctp_lifetime, next_u64() % 10 != 0});
  }
  return txs;
}

}  // namespace voltaic::chain
