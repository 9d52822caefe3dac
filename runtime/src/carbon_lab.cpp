// A carbon market lab (a scenario's [carbon] section) as agents: carbon
// validators on LMDB, PV prosumers claiming their quotas from their meters'
// monthly totals, carbon-and-electricity consumers filing verified
// emissions, the carbon clock running the periods and telling each
// participant to read its results; then what the chain recorded. In one
// process, or in several: validators apart (published at their
// [[carbon_validator]] addresses), participants joining the carbon clock's
// roster at [carbon] host:port. `voltaic demo --carbon` is the carbon
// paper's case study (He et al., Tables 3 and 4; spec/carbon.md section 7).
#include "carbon_lab.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <filesystem>
#include <iostream>
#include <ostream>
#include <thread>

#include "carbon/carbon_report.hpp"
#include "carbon/carbon_setup.hpp"
#include "trading/lab_setup.hpp"
#include "validator_node.hpp"
#include "voltaic/agents/carbon_clock.hpp"
#include "voltaic/agents/lab_roster.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/market/carbon_file.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;
using namespace carbon;

const std::string carbon_prefix = "carbon.";

// The case study: balances of Tables 3-4 and the back-solved limit prices
// of carbon.md 7; node 18 publishes 99 t where its readings give 94 t.
carbon_scenario case_study() {
  struct row {
    int bus;
    market::carbon_role role;
    std::int64_t tonnes;  // PVP: check value; CEC: balance (negative: must buy)
    std::int64_t estimate_t;
    const char* price;
  };
  const row rows[] = {
      {5, market::carbon_role::cec, -1455, 0, "7.06"}, {11, market::carbon_role::cec, 341, 0, "5.06"},
      {12, market::carbon_role::cec, -261, 0, "7.12"}, {22, market::carbon_role::cec, 134, 0, "5.16"},
      {6, market::carbon_role::pvp, 213, 213, "6.24"}, {14, market::carbon_role::pvp, 456, 456, "2.16"},
      {18, market::carbon_role::pvp, 94, 99, "3.62"},  {20, market::carbon_role::pvp, 41, 41, "2.76"},
      {24, market::carbon_role::pvp, 87, 87, "2.76"},  {32, market::carbon_role::pvp, 350, 350, "1.76"},
  };
  carbon_scenario c;
  c.enabled = true;
  for (const auto& r : rows) {
    carbon_participant_spec p;
    p.id = std::to_string(r.bus);
    p.role = r.role;
    p.price = market::parse_scaled(r.price, 1'000'000).value();
    if (r.role == market::carbon_role::pvp) {
      p.generation_kwh = r.tonnes * 1000 * 1000 / c.delta_g_per_kwh;  // M_kg = delta kWh / 1000
      p.estimate_kg = r.estimate_t * 1000;
    } else {
      p.emissions_kg = c.allowance_kg - r.tonnes * 1000;
    }
    c.participants.push_back(std::move(p));
  }
  return c;
}

// The limits the copula analysis advises, when a participant here asks for them.
bool advise(const carbon_scenario& c, const carbon_part& part, std::pair<market::price_ucpt, market::price_ucpt>& advised,
            std::ostream& out, std::ostream& err) {
  bool wanted = false;
  for (std::size_t k = 0; k < c.participants.size(); ++k) wanted |= part.participants[k] && !c.participants[k].price;
  if (!wanted) return true;
  auto a = copula_prices(c.prices_file);
  if (!a) {
    err << "carbon lab: " << a.err().message << "\n";
    return false;
  }
  advised = a.value();
  out << "copula advice: buyers bid " << market::carbon_decimal(advised.second) << ", sellers ask "
      << market::carbon_decimal(advised.first) << " per tonne\n";
  return true;
}

// The participants this process runs, each talking to a validator in turn.
std::vector<std::pair<std::size_t, caf::actor>> spawn_participants(
    caf::actor_system& system, const carbon_scenario& c, const carbon_keys& keys, const carbon_part& part,
    const std::vector<caf::actor>& validators, const std::pair<market::price_ucpt, market::price_ucpt>& advised) {
  std::vector<std::pair<std::size_t, caf::actor>> here;
  for (std::size_t k = 0; k < c.participants.size(); ++k)
    if (part.participants[k])
      here.emplace_back(k, agents::spawn_carbon_participant(
                               system, participant_config(c, keys, k, limit_of(c, k, advised),
                                                          validators[k % validators.size()])));
  return here;
}

// The periods, one after another, by the carbon clock; then the heads.
int run_periods(caf::actor_system& system, caf::scoped_actor& self, const carbon_scenario& c, const carbon_keys& keys,
                const std::vector<caf::actor>& validators, const std::vector<caf::actor>& participants,
                const std::string& out_dir, std::ostream& out, std::ostream& err) {
  carbon_report report;
  if (!report.open(out_dir, err)) return 1;
  agents::carbon_clock_config cc;
  cc.participants = participants;
  cc.validators = validators;
  cc.simulated = c.simulated;
  auto clock = agents::spawn_carbon_clock(system, cc);
  std::size_t pvps = 0;
  for (const auto& p : c.participants) pvps += p.role == market::carbon_role::pvp;
  out << "carbon market: " << c.validators << " carbon validators, " << pvps << " PV prosumers, "
      << c.participants.size() - pvps << " CECs, period" << (c.periods > 1 ? "s " : " ") << c.period
      << (c.periods > 1 ? " to " + std::to_string(c.period + c.periods - 1) : "") << "\n";
  int status = 0;
  for (std::uint64_t period = c.period; period < c.period + c.periods && status == 0; ++period) {
    std::vector<agents::carbon_outcome> outcomes;
    self->request(clock, std::chrono::minutes(3), agents::cperiod_atom::value, period)
        .receive(
            [&](std::uint64_t claims, std::uint64_t orders, const std::string& problem,
                std::vector<agents::carbon_outcome>& told) {
              out << "period " << period << ": claims and reports admitted: " << claims << ", orders: " << orders
                  << "\n";
              if (!problem.empty()) out << "note: " << problem << "\n";
              outcomes = std::move(told);
            },
            [&](caf::error& e) {
              err << "carbon lab: period " << period << " did not end: " << to_string(e) << "\n";
              status = 1;
            });
    if (status == 0 && !report.record_period(self, validators.front(), c, keys, period, outcomes, out, err))
      status = 1;
  }
  self->send_exit(clock, caf::exit_reason::user_shutdown);
  if (!same_head(self, validators, out)) status = 1;
  return status;
}

// Every part in this process: validators here, then the periods; at the end
// each replica is re-executed from its store.
int run_whole_market(const carbon_scenario& c, const carbon_keys& keys, const carbon_part& part,
                     const std::string& out_dir, std::ostream& out, std::ostream& err) {
  const std::string chain_dir = out_dir + "/carbon_chain";
  std::error_code ec;
  if (fs::exists(chain_dir, ec)) {
    err << "carbon lab: " << chain_dir << " exists already; choose another --out or remove it\n";
    return 2;
  }
  fs::create_directories(chain_dir, ec);
  if (ec) {
    err << "carbon lab: cannot create " << chain_dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::pair<market::price_ucpt, market::price_ucpt> advised{0, 0};
  if (!advise(c, part, advised, out, err)) return 2;

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::vector<caf::actor> validators;
  for (std::uint32_t i = 0; i < c.validators; ++i)
    validators.push_back(agents::spawn_carbon_validator(system, validator_config(c, keys, i, chain_dir)));
  for (const auto& v : validators) self->send(v, agents::peers_atom::value, validators);
  // Each knows its peers before any transaction comes: one admitted before
  // would reach no peer, and they would idle on.
  for (const auto& v : validators)
    for (std::uint64_t peers = 0; peers < validators.size() - 1;) {
      self->request(v, std::chrono::seconds(5), agents::peercount_atom::value)
          .receive([&](std::uint64_t n) { peers = n; }, [&](caf::error&) {});
      if (peers < validators.size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  const auto here = spawn_participants(system, c, keys, part, validators, advised);
  std::vector<caf::actor> participants;
  for (const auto& [k, a] : here) participants.push_back(a);
  int status = run_periods(system, self, c, keys, validators, participants, out_dir, out, err);
  for (const auto& a : participants) self->send_exit(a, caf::exit_reason::user_shutdown);
  for (const auto& a : validators) self->send_exit(a, caf::exit_reason::user_shutdown);
  self->wait_for(validators);
  if (!replay_stores(c, keys, chain_dir, out, err)) status = 1;
  out << "results in " << out_dir << "/ (carbon_quotas.csv, carbon_trades.csv, carbon_results.csv), chains in "
      << chain_dir << "/\n";
  return status;
}

// This process's carbon validators, published at their addresses, until stopped.
int serve_carbon_validators(const carbon_scenario& c, const carbon_keys& keys, const carbon_part& part,
                            const std::string& out_dir, std::ostream& out, std::ostream& err) {
  const std::string chain_dir = out_dir + "/carbon_chain";
  std::error_code ec;
  fs::create_directories(chain_dir, ec);  // a validator restarted here re-opens its store
  if (ec) {
    err << "carbon lab: cannot create " << chain_dir << ": " << ec.message() << "\n";
    return 1;
  }
  caf::actor_system_config cfg;
  configure_validator_system(cfg);
  caf::actor_system system{cfg};
  std::vector<peer_endpoint> at;
  std::vector<caf::actor> peers(c.validators);
  for (std::uint32_t i = 0; i < c.validators; ++i) {
    const auto vc = validator_config(c, keys, i, chain_dir);
    at.push_back({vc.name, c.places[i].host, c.places[i].port, vc.store_dir});
    if (part.validators[i]) peers[i] = agents::spawn_carbon_validator(system, vc);
  }
  return serve_peers(system, at, std::move(peers), out, err);
}

// Participants and/or the carbon clock, with the validators in other processes.
int run_carbon_agents(const carbon_scenario& c, const carbon_keys& keys, const carbon_part& part,
                      const std::string& out_dir, std::ostream& out, std::ostream& err) {
  if (!part.clock && c.port == 0) {
    err << "carbon lab: the carbon clock runs elsewhere: [carbon] needs a port where it takes participants\n";
    return 2;
  }
  std::pair<market::price_ucpt, market::price_ucpt> advised{0, 0};
  if (!advise(c, part, advised, out, err)) return 2;
  caf::actor_system_config cfg;
  trading::configure_networked_system(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::vector<caf::actor> validators;
  for (std::uint32_t i = 0; i < c.validators; ++i) {
    validators.push_back(trading::connect_to(system, self, c.places[i].host, c.places[i].port, err));
    if (!validators.back()) trading::end_process(out, err, 1);
  }
  // They gossip to each other: start once they are all connected.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (const auto& v : validators)
    for (std::uint64_t peers = 0; peers + 1 < validators.size();) {
      self->request(v, std::chrono::seconds(5), agents::peercount_atom::value)
          .receive([&](std::uint64_t n) { peers = n; }, [&](caf::error&) {});
      if (peers + 1 >= validators.size()) break;
      if (std::chrono::steady_clock::now() > deadline) {
        err << "carbon lab: the carbon validators are not all connected to each other\n";
        trading::end_process(out, err, 1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  const auto here = spawn_participants(system, c, keys, part, validators, advised);
  caf::actor roster;
  if (part.clock) {
    roster = agents::spawn_lab_roster(system, 0, c.participants.size());
    if (c.port != 0) {
      auto published = system.middleman().publish(roster, c.port, c.host.c_str(), true);
      if (!published) {
        err << "carbon lab: cannot listen for participants at " << c.host << ":" << c.port << ": "
            << system.render(published.error()) << "\n";
        trading::end_process(out, err, 1);
      }
    }
  } else {
    roster = trading::connect_to(system, self, c.host, c.port, err);
    if (!roster) trading::end_process(out, err, 1);
  }
  for (const auto& [k, a] : here) {
    bool taken = false;
    self->request(roster, std::chrono::seconds(30), agents::join_atom::value, std::string("carbon"),
                  static_cast<std::uint64_t>(k), a)
        .receive([&](bool ok) { taken = ok; }, [&](caf::error&) {});
    if (!taken) {
      err << "carbon lab: the carbon clock did not take participant " << c.participants[k].id << "\n";
      trading::end_process(out, err, 1);
    }
  }
  if (!part.clock) {
    out << "voltaic: " << here.size() << " carbon participant(s) joined the carbon clock at " << c.host << ":"
        << c.port << std::endl;
    self->monitor(roster);
    self->receive([](caf::down_msg&) {});  // until the clock's process ends
    trading::end_process(out, err, 0);
  }
  // Every participant in its place, wherever it runs.
  agents::lab_roster places;
  const auto wait_until = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (true) {
    self->request(roster, std::chrono::seconds(10), agents::roster_atom::value)
        .receive([&](agents::lab_roster& r) { places = std::move(r); }, [&](caf::error&) {});
    if (places.carbon.size() == c.participants.size() && places.carbon_full()) break;
    if (std::chrono::steady_clock::now() > wait_until) {
      err << "carbon lab: not every carbon participant joined within two minutes\n";
      trading::end_process(out, err, 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const int status = run_periods(system, self, c, keys, validators, places.carbon, out_dir, out, err);
  out << "results in " << out_dir << "/ (carbon_quotas.csv, carbon_trades.csv, carbon_results.csv)\n";
  self->send_exit(roster, caf::exit_reason::user_shutdown);  // participants elsewhere end with it
  trading::end_process(out, err, status);
}

}  // namespace

bool carbon_part::any_validator() const { return std::find(validators.begin(), validators.end(), true) != validators.end(); }

bool carbon_part::any_agent() const {
  return clock || std::find(participants.begin(), participants.end(), true) != participants.end();
}

bool carbon_part::all() const {
  return clock && std::find(validators.begin(), validators.end(), false) == validators.end() &&
         std::find(participants.begin(), participants.end(), false) == participants.end();
}

carbon_part whole_carbon_market(const carbon_scenario& c) {
  carbon_part p;
  p.validators.assign(c.validators, true);
  p.participants.assign(c.participants.size(), true);
  p.clock = true;
  return p;
}

bool names_carbon(const std::string& name) {
  return name == "carbon" || name.compare(0, carbon_prefix.size(), carbon_prefix) == 0;
}

market::result<carbon_part> resolve_carbon_part(const carbon_scenario& c, const std::vector<std::string>& names) {
  carbon_part p;
  p.validators.assign(c.validators, false);
  p.participants.assign(c.participants.size(), false);
  auto refuse = [](const std::string& why) { return market::error{market::errc::invalid_field, why}; };
  for (const auto& name : names) {
    if (!names_carbon(name)) continue;
    if (!c.enabled) return refuse("--only: '" + name + "': the scenario has no [carbon] section");
    if (name == "carbon") {
      p.clock = true;
      p.participants.assign(c.participants.size(), true);
      continue;
    }
    const std::string rest = name.substr(carbon_prefix.size());
    if (rest == "clock") {
      p.clock = true;
      continue;
    }
    bool found = false;
    for (std::uint32_t i = 0; i < c.validators; ++i)
      if (rest == validator_name(i)) p.validators[i] = found = true;
    for (std::size_t k = 0; k < c.participants.size(); ++k)
      if (rest == c.participants[k].id) p.participants[k] = found = true;
    if (!found)
      return refuse("--only: '" + name +
                    "' names no carbon validator (carbon.c0), carbon participant by bus (carbon.18), "
                    "carbon.clock or carbon");
  }
  if (p.any_validator() && p.any_agent())
    return refuse("--only: run carbon validators and carbon agents in separate processes (carbon.c0,carbon.c1, or carbon)");
  if (p.any_validator() && c.places.empty())
    return refuse("--only: the carbon validators run apart only at the addresses of [[carbon_validator]] entries");
  if (p.any_agent() && c.places.empty())
    return refuse("--only: carbon agents reach validators in other processes at [[carbon_validator]] addresses");
  return p;
}

int run_carbon_lab(const carbon_scenario& c, std::uint64_t seed, const std::string& out_dir, const carbon_part& part,
                   std::ostream& out, std::ostream& err) {
  const auto keys = make_carbon_keys(c, seed);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (part.all()) return run_whole_market(c, keys, part, out_dir, out, err);
  if (part.any_validator()) return serve_carbon_validators(c, keys, part, out_dir, out, err);
  return run_carbon_agents(c, keys, part, out_dir, out, err);
}

int run_carbon_demo(const demo_options& o, std::ostream& out, std::ostream& err) {
  out << "voltaic demo --carbon: the carbon paper's IEEE 33-bus case study\n";
  const auto c = case_study();
  return run_carbon_lab(c, o.seed, o.out_dir, whole_carbon_market(c), out, err);
}

}  // namespace voltaic::runtime
