#include "lab_agents.hpp"

#include <fstream>
#include <memory>
#include <sstream>

#include "../run_config_toml.hpp"
#include "lab_setup.hpp"
#include "voltaic/agents/dso.hpp"
#include "voltaic/agents/lab_roster.hpp"
#include "voltaic/agents/prosumer.hpp"
#include "voltaic/agents/recorder.hpp"
#include "voltaic/agents/smart_meter.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/parallel.hpp"

namespace voltaic::runtime::trading {

namespace {

caf::actor spawn_meter(caf::actor_system& system, const chain::genesis_config& genesis, const party& p,
                       chain::meter_keys coe, const lab_place& place, const caf::actor& miner,
                       std::vector<caf::actor> fallbacks, std::shared_ptr<agents::meterd_feed> feed) {
  agents::smart_meter_config mc;
  mc.feed = std::move(feed);
  mc.name = p.name + ".meter";
  mc.key = p.meter_key;
  mc.coe = std::move(coe);
  mc.party = p.key.pub;
  mc.chain_id = genesis.chain_id;
  mc.delivery_permille = p.delivery_permille;
  mc.reports = !p.silent;
  mc.miner = miner;
  mc.fallback_miners = std::move(fallbacks);
  if (place.validators_local) mc.miner_timeout = caf::duration{caf::infinite};
  return agents::spawn_smart_meter(system, mc);
}

}  // namespace

lab_agents spawn_lab_agents(caf::actor_system& system, const scenario_config& sc, const chain::genesis_config& genesis,
                            std::vector<party>& parties, const chain::market_grid& grid, const market::feeder& feeder,
                            const lab_place& place, const lab_part& part) {
  lab_agents out;
  const auto& miners = *place.validators;
  auto miner_for = [&miners](std::size_t i) { return miners[i % miners.size()]; };
  // Validators elsewhere may go away: the others, in order after its own.
  auto fallbacks_for = [&miners, &place](std::size_t i) {
    std::vector<caf::actor> rest;
    if (!place.validators_local)
      for (std::size_t k = 1; k < miners.size(); ++k) rest.push_back(miners[(i + k) % miners.size()]);
    return rest;
  };
  const caf::duration no_timer{caf::infinite};

  if (part.dso) {
    agents::dso_config dc;
    dc.key = chain::derived_key(sc.seed, lab_role_dso, 0);
    dc.chain_id = genesis.chain_id;
    dc.grid = grid;
    dc.charge_uc_per_m = sc.charge_uc_per_m;
    dc.penalty_ucpkwh = sc.penalty_ucpkwh;
    dc.channel_path = place.out_dir + "/dso_channel.csv";
    dc.markets = sc.markets;
    dc.bus_names = feeder.load_buses;
    for (const auto& step : sc.grid_changes) dc.grid_changes.emplace_back(step.before_cycle, step.change);
    if (!place.resume) std::ofstream(dc.channel_path) << "cycle,market,price,bus,traded_kwh,grid_charge\n";
    dc.miner = miners.front();
    dc.fallback_miners = fallbacks_for(0);
    if (place.validators_local) dc.miner_timeout = no_timer;
    out.dso = agents::spawn_dso(system, dc);
  }

  if (part.recorder) {
    agents::recorder_config rc;
    rc.key = chain::derived_key(sc.seed, lab_role_recorder, 0);
    rc.chain_id = genesis.chain_id;
    rc.out_dir = place.out_dir;
    rc.resume = place.resume;
    rc.markets = sc.markets;
    for (const auto& p : parties) rc.accounts.emplace_back(p.key.pub, p.name);
    rc.accounts.emplace_back(genesis.dso, "dso");
    rc.bus_names = feeder.load_buses;
    rc.miner = miners.front();
    rc.validators = miners;
    out.recorder = agents::spawn_recorder(system, rc);
  }

  // The meters' CoE keys (their houses name the public halves), made on all
  // cores: a few signatures per meter.
  std::vector<std::size_t> here;
  for (std::size_t i = 0; i < parties.size(); ++i)
    if (part.houses[i] || part.meter_here(sc, parties, i)) here.push_back(i);
  std::vector<chain::meter_keys> meters(here.size());
  const auto maker = lab_manufacturer(sc);
  chain::parallel_for(here.size(),
                      [&](std::size_t k) { meters[k] = lab_meter(sc, genesis.chain_id, parties, here[k], maker); });

  std::unique_ptr<caf::scoped_actor> self;  // to reach meters placed elsewhere
  for (std::size_t k = 0; k < here.size(); ++k) {
    const std::size_t i = here[k];
    auto& p = parties[i];
    std::vector<chain::public_key> meter_keys;
    for (const auto& key : meters[k].keys) meter_keys.push_back(key.pub);
    const meter_place* placed = sc.meter_of(p.name);
    if (part.meter_here(sc, parties, i)) {
      std::shared_ptr<agents::meterd_feed> feed;
      if (const meterd_binding* hw = sc.meterd_of(p.name)) {
        auto connected = agents::meterd_feed::connect(hw->endpoint, hw->server_key, hw->client_key_file);
        if (!connected) {
          out.problem = p.name + "'s meter cannot follow meterd at " + hw->endpoint + ": " + connected.err().message;
          return out;
        }
        feed = std::move(connected).value();
      }
      p.meter =
          spawn_meter(system, genesis, p, std::move(meters[k]), place, miner_for(i), fallbacks_for(i), std::move(feed));
      out.local_meters.emplace_back(i, p.meter);
      // A meter apart from its house listens where the file places it.
      if (placed && !part.houses[i]) {
        auto published = system.middleman().publish(p.meter, placed->port, placed->host.c_str(), true);
        if (!published) {
          out.problem = p.name + "'s meter cannot listen at " + placed->host + ":" + std::to_string(placed->port) +
                        ": " + system.render(published.error());
          return out;
        }
        out.meters.emplace_back(i, p.meter);
      }
    } else if (part.houses[i]) {
      if (!self) self = std::make_unique<caf::scoped_actor>(system);
      std::ostringstream err;
      p.meter = connect_to(system, *self, placed->host, placed->port, err);
      if (!p.meter) {
        out.problem = p.name + "'s meter at " + placed->host + ":" + std::to_string(placed->port) + " does not answer";
        return out;
      }
    }
    if (!part.houses[i]) continue;
    agents::prosumer_config pc;
    pc.name = p.name;
    pc.key = p.key;
    pc.meter_keys = std::move(meter_keys);
    pc.chain_id = genesis.chain_id;
    pc.market = p.market;
    pc.bus = p.bus;
    pc.side = p.side;
    pc.reference = sc.reference_price;
    pc.valuation = p.valuation;
    pc.strategy =
        p.faulty() ? market::strategy_kind::truthful : sc.strategies[(i % sc.prosumers) % sc.strategies.size()];
    pc.min_energy = p.energy ? p.energy : sc.min_energy;
    pc.max_energy = p.energy ? p.energy : sc.max_energy;
    pc.seed = sc.seed;
    pc.ctp_lifetime_blocks = sc.ctp_lifetime_blocks;
    pc.miner = miner_for(i);
    pc.fallback_miners = fallbacks_for(i);
    pc.meter_agent = p.meter;
    if (place.validators_local) pc.miner_timeout = no_timer;
    p.prosumer = agents::spawn_prosumer(system, pc);
    out.houses.emplace_back(i, p.prosumer);
  }
  return out;
}

bool join_roster(caf::scoped_actor& self, const caf::actor& roster, const lab_agents& agents) {
  auto join = [&](const std::string& role, std::uint64_t index, const caf::actor& who) {
    bool taken = false;
    self->request(roster, std::chrono::seconds(30), agents::join_atom::value, role, index, who)
        .receive([&](bool ok) { taken = ok; }, [](caf::error&) {});
    return taken;
  };
  for (const auto& [index, house] : agents.houses)
    if (!join("house", index, house)) return false;
  return (!agents.dso || join("dso", 0, agents.dso)) && (!agents.recorder || join("recorder", 0, agents.recorder));
}

}  // namespace voltaic::runtime::trading
