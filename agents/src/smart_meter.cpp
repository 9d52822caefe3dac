#include "voltaic/agents/smart_meter.hpp"

#include <algorithm>
#include <iostream>
#include <optional>

#include "tx_signer.hpp"
#include "voltaic/market/units.hpp"
#include "voltaic/agents/messages.hpp"

namespace voltaic::agents {

namespace {

struct meter_state {
  smart_meter_config cfg;
  detail::tx_signer signer;
  std::uint64_t last_counter = 0;  // of its last reading: two reads at one height never share one
  static inline const char* name = "voltaic.smart_meter";
};

using meter_actor = caf::stateful_actor<meter_state>;

// Readings carry a counter that rises across restarts: the height the house
// gave, then the reading's place among those of that height.
constexpr std::uint64_t readings_per_height = 65'536;

chain::signed_transaction sign_reading(const smart_meter_config& c, std::size_t key_index, chain::tx_body body,
                                       std::uint64_t counter, std::uint64_t height) {
  const auto& key = c.coe.keys[key_index];
  chain::transaction t;
  t.signer = key.pub;
  t.nonce = counter;
  t.expiry_height = height + 100;
  t.body = std::move(body);
  return chain::sign_transaction(t, c.chain_id, key);
}

// What the house took (a buyer) or delivered (a seller) in the window being
// settled, in mWh: from the real meter when the meter has one, else the
// model's share of `agreed_mwh`. Nothing when the real meter has not been
// read yet.
std::optional<std::int64_t> metered_mwh(const smart_meter_config& c, bool buyer, std::int64_t agreed_mwh) {
  if (!c.feed) return agreed_mwh * c.delivery_permille / 1'000;
  const auto window = c.feed->take_window();
  if (!window) {
    std::cerr << c.name << ": no reading from meterd at " << c.feed->endpoint() << " yet; nothing to settle with\n";
    return std::nullopt;
  }
  return (buyer ? window->import_wh : window->export_wh) * 1'000;
}

// A buyer's meter confirms each hold with what the house took of it (the
// metered energy shared over the holds pro rata, never more than a hold); a
// seller's reads what it delivered.
std::vector<chain::signed_transaction> readings(const smart_meter_config& c, const meter_read& r,
                                                std::uint64_t& counter) {
  std::vector<chain::signed_transaction> txs;
  const std::size_t k = static_cast<std::size_t>(r.key_index);
  counter = std::max(counter, r.height * readings_per_height);
  if (r.role == static_cast<std::uint8_t>(chain::party_role::buyer)) {
    std::int64_t committed = 0;
    for (std::size_t i = 0; i < r.ctp_ids.size() && i < r.ctp_energy_mwh.size(); ++i) committed += r.ctp_energy_mwh[i];
    const auto took = c.feed ? metered_mwh(c, true, committed) : std::optional<std::int64_t>(committed);
    if (!took || committed <= 0) return txs;
    const std::int64_t covered = std::min(*took, committed);
    for (std::size_t i = 0; i < r.ctp_ids.size() && i < r.ctp_energy_mwh.size(); ++i) {
      // The model's share per hold as before: rounding per hold, not over the sum.
      const std::int64_t received =
          c.feed ? static_cast<std::int64_t>(static_cast<market::int128>(r.ctp_energy_mwh[i]) * covered / committed)
                 : r.ctp_energy_mwh[i] * c.delivery_permille / 1'000;
      if (received <= 0) continue;  // nothing received: the hold expires
      txs.push_back(sign_reading(c, k, chain::make_erc_body(c.coe, k, r.ctp_ids[i], received), ++counter, r.height));
    }
  } else {
    const auto delivered = metered_mwh(c, false, r.agreed_mwh);
    if (!delivered) return txs;
    txs.push_back(sign_reading(c, k, chain::make_reading_body(c.coe, k, r.market, r.cycle, c.party, *delivered),
                               ++counter, r.height));
  }
  return txs;
}

caf::behavior smart_meter(meter_actor* self, smart_meter_config cfg) {
  detail::start_agent(self, std::move(cfg));
  return {
      [self](valback_atom, caf::actor validator, bool home) {
        detail::take_validator_back(self, std::move(validator), home);
      },
      [self](read_atom, const meter_read& r) -> caf::result<std::vector<chain::hash256>> {
        auto& s = self->state;
        if (!s.cfg.reports || r.role > 1 || s.cfg.coe.keys.empty()) return std::vector<chain::hash256>{};
        if (r.key_index >= s.cfg.coe.keys.size()) {
          std::cerr << s.cfg.name << ": asked to sign with CoE key " << r.key_index << " of "
                    << s.cfg.coe.keys.size() << "\n";
          return std::vector<chain::hash256>{};
        }
        auto promise = self->make_response_promise<std::vector<chain::hash256>>();
        detail::submit_all(self, s.cfg.miner, readings(s.cfg, r, s.last_counter), s.cfg.name,
                           [promise](std::vector<chain::hash256> ids) mutable { promise.deliver(std::move(ids)); });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_smart_meter(caf::actor_system& system, const smart_meter_config& config) {
  return system.spawn(smart_meter, config);
}

}  // namespace voltaic::agents
