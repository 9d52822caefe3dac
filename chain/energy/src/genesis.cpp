#include "voltaic/chain/energy/genesis.hpp"

#include <algorithm>

#include "voltaic/chain/core/fields.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::chain {

namespace {
constexpr std::uint32_t max_genesis_list = 1'000'000;
constexpr std::int64_t max_balance = 1'000'000'000'000'000'000;  // 1e12 credits
}  // namespace

template <class Io>
void fields(Io& io, genesis_config& g) {
  io.array(8);
  io.constant(1, "bad-format-version", "genesis format is not 1");
  io(g.chain_id);
  io(g.time_ms);
  io(g.authority);
  io(g.dso);
  io.list(g.manufacturers, max_genesis_list, [&io](public_key& m) { io(m); });
  io.list(g.validators, max_genesis_list, [&io](validator& v) {
    io.array(2);
    io(v.key);
    io(v.power);
  });
  io.list(g.balances, max_genesis_list, [&io](std::pair<public_key, std::int64_t>& b) {
    io.array(2);
    io(b.first);
    io(b.second);
  });
}

bytes encode_genesis(const genesis_config& g) { return encode_fields(g); }

result<genesis_config> decode_genesis(const std::uint8_t* data, std::size_t size) {
  decode_limits limits;
  limits.max_message = 256u << 20;
  limits.max_array = max_genesis_list;
  auto d = decoder::open(data, size, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  auto g = read_fields<genesis_config>(r);
  if (auto s = r.finish(); !s) return s.err();
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
