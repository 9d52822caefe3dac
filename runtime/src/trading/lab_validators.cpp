#include "lab_validators.hpp"

#include "../run_config_toml.hpp"
#include "lab_setup.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"

namespace voltaic::runtime::trading {

caf::expected<std::vector<caf::actor>> spawn_validators(caf::actor_system& system, const scenario_config& sc,
                                                        const run_config& rc, const chain::market_grid& grid,
                                                        const std::string& chain_dir) {
  std::vector<caf::actor> miners;
  for (std::size_t i = 0; i < rc.validators.size(); ++i) {
    const auto& v = rc.validators[i];
    agents::miner_config mc;
    mc.name = v.name;
    mc.store_dir = chain_dir + "/" + v.name;
    mc.sign_guard_path = chain_dir + "/" + v.name + ".signed";
    mc.genesis = rc.genesis;
    if (v.key_file.empty()) {
      mc.key = chain::derived_key(sc.seed, lab_role_validator, i);
    } else {
      auto key = chain::load_key_file(v.key_file);
      if (!key) return caf::make_error(caf::sec::runtime_error, "validator " + v.name + ": " + key.err().message);
      mc.key = key.value();
    }
    if (mc.key.pub != v.key)
      return caf::make_error(caf::sec::runtime_error, "validator " + v.name + ": its key is not its public_key");
    mc.index = static_cast<std::uint32_t>(i);
    mc.timing = rc.timing;
    mc.max_block_txs = rc.max_block_txs;
    configure_miner(mc, sc, grid);
    miners.push_back(agents::spawn_miner(system, mc));
  }
  return miners;
}

}  // namespace voltaic::runtime::trading
