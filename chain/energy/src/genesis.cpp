#include "voltaic/chain/energy/genesis.hpp"

#include <algorithm>

#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::chain {

namespace {
constexpr std::uint32_t max_genesis_list = 1'000'000;
constexpr std::int64_t max_balance = 1'000'000'000'000'000'000;  // 1e12 credits
}  // namespace

bytes encode_genesis(const genesis_config& g) {
  encoder e;
  e.array(8).uint(1).str(g.chain_id).uint(g.time_ms).bin(g.authority).bin(g.dso);
  e.array(static_cast<std::uint32_t>(g.manufacturers.size()));
  for (const auto& m : g.manufacturers) e.bin(m);
  e.array(static_cast<std::uint32_t>(g.validators.size()));
  for (const auto& v : g.validators) e.array(2).bin(v.key).uint(v.power);
  e.array(static_cast<std::uint32_t>(g.balances.size()));
  for (const auto& [key, amount] : g.balances) e.array(2).bin(key).sint(amount);
  return e.take();
}

result<genesis_config> decode_genesis(const std::uint8_t* data, std::size_t size) {
  decode_limits limits;
  limits.max_message = 256u << 20;
  limits.max_array = max_genesis_list;
  auto d = decoder::open(data, size, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  genesis_config g;
  r.array(8);
  if (r.u64() != 1 && !r.failed()) return chain_error("bad-format-version", "genesis format is not 1");
  g.chain_id = r.str();
  g.time_ms = r.u64();
  g.authority = r.fixed<32>();
  g.dso = r.fixed<32>();
  std::uint32_t n = r.array_up_to(max_genesis_list);
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) g.manufacturers.push_back(r.fixed<32>());
  n = r.array_up_to(max_genesis_list);
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) {
    r.array(2);
    validator v;
    v.key = r.fixed<32>();
    v.power = r.u64();
    g.validators.push_back(v);
  }
  n = r.array_up_to(max_genesis_list);
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) {
    r.array(2);
    public_key k = r.fixed<32>();
    g.balances.emplace_back(k, r.i64());
  }
  auto s = r.finish();
  if (!s) return s.err();
  if (g.chain_id.empty() || g.chain_id.size() > 64)
    return chain_error("bad-genesis", "the chain id must be 1 to 64 bytes");
  if (g.validators.empty()) return chain_error("bad-genesis", "no validators");
  for (const auto& v : g.validators)
    if (v.power == 0 || v.power > 1'000'000) return chain_error("bad-genesis", "a validator power outside 1..1e6");
  std::vector<public_key> seen;
  for (const auto& [key, amount] : g.balances) {
    if (amount < 0 || amount > max_balance) return chain_error("bad-genesis", "an opening balance out of range");
    seen.push_back(key);
  }
  std::sort(seen.begin(), seen.end());
  if (std::adjacent_find(seen.begin(), seen.end()) != seen.end())
    return chain_error("bad-genesis", "an account is listed twice");
  return g;
}

}  // namespace voltaic::chain
