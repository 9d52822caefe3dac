#include "voltaic/agents/smart_meter.hpp"

#include <algorithm>
#include <iostream>

#include "tx_signer.hpp"
#include "voltaic/agents/messages.hpp"

namespace voltaic::agents {

namespace {

struct meter_state {
  smart_meter_config cfg;
  detail::tx_signer signer;
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

// A buyer's meter confirms each hold with what the house took of it; a
// seller's reads what it delivered.
std::vector<chain::signed_transaction> readings(const smart_meter_config& c, const meter_read& r) {
  std::vector<chain::signed_transaction> txs;
  const std::size_t k = static_cast<std::size_t>(r.key_index);
  std::uint64_t counter = r.height * readings_per_height;
  if (r.role == static_cast<std::uint8_t>(chain::party_role::buyer)) {
    for (std::size_t i = 0; i < r.ctp_ids.size() && i < r.ctp_energy_mwh.size(); ++i) {
      const std::int64_t received = r.ctp_energy_mwh[i] * c.delivery_permille / 1'000;
      if (received <= 0) continue;  // nothing received: the hold expires
      txs.push_back(sign_reading(c, k, chain::make_erc_body(c.coe, k, r.ctp_ids[i], received), ++counter, r.height));
    }
  } else {
    const std::int64_t delivered = r.agreed_mwh * c.delivery_permille / 1'000;
    txs.push_back(
        sign_reading(c, k, chain::make_reading_body(c.coe, k, r.market, r.cycle, c.party, delivered), ++counter, r.height));
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
        detail::submit_all(self, s.cfg.miner, readings(s.cfg, r), s.cfg.name,
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
