#include "voltaic/agents/deal_message.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::agents {

namespace {

constexpr std::uint64_t format = 1;

chain::bytes payload_of(const deal_message& m) {
  chain::encoder e;
  e.array(11)
      .uint(format)
      .bin(m.deal)
      .uint(static_cast<std::uint8_t>(m.word))
      .bin(m.from)
      .bin(m.to)
      .uint(m.round)
      .sint(m.price_ucpkwh)
      .sint(m.energy_mwh)
      .uint(m.ctp_id)
      .bin(m.escrow)
      .bin(m.payee);
  return e.take();
}

}  // namespace

const char* to_string(deal_word w) {
  switch (w) {
    case deal_word::offer: return "offer";
    case deal_word::counter: return "counter";
    case deal_word::accept: return "accept";
    case deal_word::reject: return "reject";
    case deal_word::committed: return "committed";
    case deal_word::delivered: return "delivered";
  }
  return "?";
}

chain::bytes encode_deal_message(const deal_message& m, const std::string& chain_id, const chain::key_pair& speaker) {
  const chain::bytes payload = payload_of(m);
  const auto sig = chain::sign(chain::domain::routing_envelope, chain_id, payload, speaker);
  chain::encoder e;
  e.array(2).bin(payload).bin(sig);
  return e.take();
}

chain::result<deal_message> decode_deal_message(const chain::bytes& wire, const std::string& chain_id) {
  chain::decode_limits limits;
  limits.max_message = 4'096;
  auto outer = chain::decoder::open(wire.data(), wire.size(), limits);
  if (!outer) return outer.err();
  chain::detail::field_reader o(outer.value());
  o.array(2);
  const chain::bytes payload = o.bin();
  const auto sig = o.fixed<64>();
  if (auto s = o.finish(); !s) return s.err();
  auto inner = chain::decoder::open(payload.data(), payload.size(), limits);
  if (!inner) return inner.err();
  chain::detail::field_reader r(inner.value());
  deal_message m;
  r.array(11);
  r.constant(format, "bad-format-version", "deal message format is not 1");
  m.deal = r.fixed<32>();
  const std::uint8_t word = r.u8();
  m.from = r.fixed<32>();
  m.to = r.fixed<32>();
  m.round = static_cast<std::uint32_t>(r.u64_max(UINT32_MAX, "round"));
  m.price_ucpkwh = r.i64();
  m.energy_mwh = r.i64();
  m.ctp_id = r.u64();
  m.escrow = r.fixed<32>();
  m.payee = r.fixed<32>();
  if (auto s = r.finish(); !s) return s.err();
  if (word < 1 || word > 6) return chain::chain_error("unknown-word", "deal word " + std::to_string(word));
  m.word = static_cast<deal_word>(word);
  if (!chain::verify(chain::domain::routing_envelope, chain_id, payload, sig, m.from))
    return chain::chain_error("bad-signature", "the deal message is not signed by its speaker");
  return m;
}

}  // namespace voltaic::agents
