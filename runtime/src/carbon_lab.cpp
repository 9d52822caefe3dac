// A carbon market lab (a scenario's [carbon] section) as agents in one
// process: carbon validators on LMDB, PV prosumers claiming their quotas from
// their meters' monthly totals, carbon-and-electricity consumers filing
// verified emissions, the carbon clock running one period; then what the
// chain recorded: quotas (estimate and check value) and the auction's
// trades. `voltaic demo --carbon` is the carbon paper's case study (He et
// al., Tables 3 and 4; spec/carbon.md section 7) on it.
#include <caf/all.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <thread>

#include "carbon_lab.hpp"
#include "run_config_toml.hpp"
#include "voltaic/agents/carbon_clock.hpp"
#include "voltaic/agents/carbon_participant.hpp"
#include "voltaic/agents/carbon_validator.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/carbon/carbon_application.hpp"
#include "voltaic/chain/carbon/carbon_ledger.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/market/carbon_file.hpp"
#include "voltaic/market/carbon_price_analysis.hpp"
#include "voltaic/market/carbon_quota.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;

// Lab key roles of the carbon market (beside run_config_toml.hpp's).
constexpr std::uint64_t role_carbon_validator = 20, role_carbon_party = 21, role_carbon_meter = 22,
                        role_carbon_verifier = 23;

// Twelve monthly totals (mWh) in the paper's seasonal shape (node 14's
// months of carbon.json), summing to `total_mwh`.
std::vector<std::int64_t> months_for(std::int64_t total_mwh) {
  const double shape[12] = {31928381570.0, 36639126392.0, 43443535580.0, 47630864310.0, 54435273498.0, 56528937863.0,
                            65950427513.0, 64380179233.0, 52865025224.0, 46060616036.0, 37162542484.0, 32975213753.0};
  double sum = 0;
  for (double s : shape) sum += s;
  std::vector<std::int64_t> m(12);
  std::int64_t given = 0;
  for (int k = 0; k < 11; ++k)
    given += m[k] = static_cast<std::int64_t>(static_cast<double>(total_mwh) * shape[k] / sum);
  m[11] = total_mwh - given;
  return m;
}

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

// Limit prices the copula analysis advises: buyers its top, sellers its bottom.
market::result<std::pair<market::price_ucpt, market::price_ucpt>> copula_prices(const std::string& file) {
  auto prices = market::load_price_pairs(file);
  if (!prices) return prices.err();
  auto a = market::analyze_carbon_prices(prices.value(), {});
  if (!a) return market::make_error(a.err().code, file + ": " + a.err().message);
  auto low = market::round_half_even(a.value().bid_low * 1e6), high = market::round_half_even(a.value().bid_high * 1e6);
  if (!low || !high) return market::make_error(market::errc::out_of_range, file + ": the advised range is not finite");
  return std::make_pair(std::clamp<market::price_ucpt>(low.value(), 0, market::max_carbon_price),
                        std::clamp<market::price_ucpt>(high.value(), 0, market::max_carbon_price));
}

}  // namespace

int run_carbon_lab(const carbon_scenario& c, std::uint64_t seed, const std::string& out_dir, std::ostream& out,
                   std::ostream& err) {
  const std::uint64_t period = c.period;
  const fs::path dir(out_dir);
  std::error_code ec;
  if (fs::exists(dir / "carbon_chain", ec)) {
    err << "carbon lab: " << (dir / "carbon_chain").string() << " exists already; choose another --out or remove it\n";
    return 2;
  }
  fs::create_directories(dir / "carbon_chain", ec);
  if (ec) {
    err << "carbon lab: cannot create " << (dir / "carbon_chain").string() << ": " << ec.message() << "\n";
    return 1;
  }
  // Copula-advised limits, when a participant asks for them.
  std::pair<market::price_ucpt, market::price_ucpt> advised{0, 0};
  if (std::any_of(c.participants.begin(), c.participants.end(), [](const auto& p) { return !p.price; })) {
    auto a = copula_prices(c.prices_file);
    if (!a) {
      err << "carbon lab: " << a.err().message << "\n";
      return 2;
    }
    advised = a.value();
    out << "copula advice: buyers bid " << market::carbon_decimal(advised.second) << ", sellers ask "
        << market::carbon_decimal(advised.first) << " per tonne\n";
  }
  const std::string chain_id = "voltaic-carbon-" + std::to_string(seed);
  chain::carbon::carbon_genesis genesis;
  genesis.chain_id = chain_id;
  genesis.deltas = {c.delta_g_per_kwh};
  std::vector<chain::key_pair> validator_keys;
  for (std::uint64_t i = 0; i < c.validators; ++i) {
    validator_keys.push_back(chain::derived_key(seed, role_carbon_validator, i));
    genesis.validators.push_back(validator_keys.back().pub);
  }
  const auto verifier = chain::derived_key(seed, role_carbon_verifier, 0);
  genesis.verifiers = {verifier.pub};
  std::map<std::string, chain::key_pair> keys, meters;
  std::map<chain::public_key, std::string> node_of;
  std::uint64_t k = 0;
  for (const auto& p : c.participants) {
    keys[p.id] = chain::derived_key(seed, role_carbon_party, k);
    meters[p.id] = chain::derived_key(seed, role_carbon_meter, k++);
    node_of[keys[p.id].pub] = p.id;
    if (p.role == market::carbon_role::pvp) genesis.pvps.push_back({keys[p.id].pub, meters[p.id].pub});
    else genesis.cecs.push_back({keys[p.id].pub, c.allowance_kg});
  }

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::vector<caf::actor> validators;
  for (std::uint32_t i = 0; i < c.validators; ++i) {
    agents::carbon_validator_config vc;
    vc.name = "c" + std::to_string(i);
    vc.key = validator_keys[i];
    vc.index = i;
    vc.genesis = genesis;
    vc.store_dir = (dir / "carbon_chain" / vc.name).string();
    vc.sign_guard_path = vc.store_dir + ".signed";
    vc.timing.timeout_propose_ms = 300;
    vc.timing.gossip_ms = 200;
    // Slow blocks: after an empty block the next height waits this long, or
    // until work arrives (a transaction wakes every validator).
    vc.empty_block_interval_ms = c.block_interval_ms;
    vc.on_demand = c.simulated;  // blocks only when the carbon clock steps them
    validators.push_back(agents::spawn_carbon_validator(system, vc));
  }
  for (const auto& v : validators) self->send(v, agents::peers_atom::value, validators);
  // Each knows its peers before any transaction comes: one admitted before
  // would reach no peer, and they would idle on.
  for (const auto& v : validators)
    for (std::uint64_t peers = 0; peers < validators.size() - 1;) {
      self->request(v, std::chrono::seconds(5), agents::peercount_atom::value)
          .receive([&](std::uint64_t n) { peers = n; }, [&](caf::error&) {});
      if (peers < validators.size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

  std::vector<caf::actor> participants;
  std::size_t v = 0;
  for (const auto& p : c.participants) {
    agents::carbon_participant_config pc;
    pc.name = p.id;
    pc.role = p.role;
    pc.key = keys[p.id];
    pc.chain_id = chain_id;
    const bool buys = p.role == market::carbon_role::cec && p.emissions_kg > c.allowance_kg;
    pc.price = p.price ? *p.price : buys ? advised.second : advised.first;
    pc.validator = validators[v++ % validators.size()];
    if (p.role == market::carbon_role::pvp) {
      pc.meter = meters[p.id];
      pc.monthly_mwh = months_for(p.generation_kwh * market::mwh_per_kwh);
      auto check = market::pv_quota_kg(c.delta_g_per_kwh, pc.monthly_mwh);
      pc.estimate_kg = p.estimate_kg >= 0 ? p.estimate_kg : check ? check.value() : 0;
    } else {
      // Its verifier signs the year's emissions.
      pc.report = {keys[p.id].pub, period, p.emissions_kg, verifier.pub,
                   chain::sign(chain::domain::transaction, chain_id,
                               chain::carbon::emissions_message(keys[p.id].pub, period, p.emissions_kg), verifier)};
    }
    participants.push_back(agents::spawn_carbon_participant(system, pc));
  }
  agents::carbon_clock_config cc;
  cc.participants = participants;
  cc.validators = validators;
  cc.simulated = c.simulated;
  auto clock = agents::spawn_carbon_clock(system, cc);

  int status = 0;
  auto stop_all = [&] {
    for (const auto& a : participants) self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(clock, caf::exit_reason::user_shutdown);
    for (const auto& a : validators) self->send_exit(a, caf::exit_reason::user_shutdown);
  };
  std::size_t pvps = 0;
  for (const auto& p : c.participants) pvps += p.role == market::carbon_role::pvp;
  out << "carbon market: " << c.validators << " carbon validators, " << pvps << " PV prosumers, "
      << c.participants.size() - pvps << " CECs, period " << period << "\n";
  self->request(clock, std::chrono::minutes(3), agents::cperiod_atom::value, period)
      .receive(
          [&](std::uint64_t claims, std::uint64_t orders, const std::string& problem) {
            out << "claims and reports admitted: " << claims << ", orders: " << orders << "\n";
            if (!problem.empty()) out << "note: " << problem << "\n";
          },
          [&](caf::error& e) {
            err << "carbon lab: the period did not end: " << to_string(e) << "\n";
            status = 1;
          });
  if (status != 0) {
    stop_all();
    return status;
  }

  // What the chain recorded, asked of the first validator.
  auto ask = [&](const std::string& path, const chain::bytes& request) -> std::optional<chain::bytes> {
    std::optional<chain::bytes> answer;
    self->request(validators.front(), std::chrono::seconds(10), agents::query_atom::value, path,
                  std::string(request.begin(), request.end()))
        .receive(
            [&](bool ok, const std::string& a) {
              if (ok) answer = chain::bytes(a.begin(), a.end());
            },
            [&](caf::error&) {});
    return answer;
  };
  std::ofstream quotas(dir / "carbon_quotas.csv");
  quotas << "id,role,estimate_kg,check_kg\n";
  for (const auto& p : c.participants) {
    if (p.role != market::carbon_role::pvp) continue;
    chain::encoder q;
    q.array(2).bin(keys[p.id].pub).uint(period);
    const auto answer = ask("quota", q.take());
    if (!answer) continue;
    auto d = chain::decoder::open(*answer);
    chain::detail::field_reader r(d.value());
    r.array(4);
    const bool found = r.boolean();
    const std::int64_t estimate = r.i64(), check = r.i64();
    if (!found) continue;
    quotas << p.id << ",pvp," << std::to_string(estimate) << "," << std::to_string(check) << "\n";
    out << "quota of PVP " << p.id << ": published " << estimate / 1000 << " t, check value " << check / 1000
        << " t" << (estimate != check ? " (the check value counts)" : "") << "\n";
  }
  std::ofstream trades(dir / "carbon_trades.csv");
  trades << "round,buyer,seller,phase,quantity_kg,price,turnover\n";
  chain::encoder rq;
  rq.array(1).uint(period);
  {
    const auto answer = ask("recorded", rq.take());
    auto decoded = answer ? chain::carbon::decode_auction_result(*answer)
                          : market::result<chain::carbon::auction_result_body>(
                                chain::chain_error("not-recorded", "no answer"));
    if (decoded) {
      const auto& result = decoded.value();
      out << "auction of " << period << " (phase buyer <- seller, t, price, turnover):\n";
      for (const auto& t : result.trades) {
        trades << period << "," << node_of[t.buyer] << "," << node_of[t.seller] << "," << int{t.phase} << ","
               << t.quantity_kg << "," << market::carbon_decimal(t.price_ucpt) << ","
               << market::carbon_decimal(t.turnover_uc) << "\n";
        out << "  " << int{t.phase} << " " << node_of[t.buyer] << " <- " << node_of[t.seller] << "  "
            << t.quantity_kg / 1000 << " t at " << market::carbon_decimal(t.price_ucpt) << ", "
            << market::carbon_decimal(t.turnover_uc) << "\n";
      }
    } else {
      err << "carbon lab: no auction recorded for " << period << "\n";
      status = 1;
    }
  }
  // Every replica at the same height and head (a height may still be
  // ending on some: ask again for a few seconds).
  std::set<std::string> heads;
  std::uint64_t height = 0;
  for (int attempt = 0; attempt < 50; ++attempt) {
    heads.clear();
    for (const auto& val : validators)
      self->request(val, std::chrono::seconds(10), agents::head_atom::value)
          .receive(
              [&](std::uint64_t h, const std::string& head) {
                height = h;
                heads.insert(std::to_string(h) + " " + head);
              },
              [&](caf::error&) { heads.insert("no answer"); });
    if (heads.size() == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (heads.size() == 1) {
    out << "every carbon replica at height " << height << ", head " << heads.begin()->substr(heads.begin()->find(' ') + 1, 16)
        << "\n";
  } else {
    out << "carbon replicas differ: " << heads.size() << " heads\n";
    status = 1;
  }
  stop_all();
  self->wait_for(validators);
  // Each replica again from its store alone: every block re-executed to its
  // state root, the same head for all.
  std::vector<chain::validator> set;
  for (const auto& key : genesis.validators) set.push_back({key, 1});
  std::set<chain::hash256> replayed;
  for (std::uint32_t i = 0; i < c.validators; ++i) {
    const auto store_dir = (dir / "carbon_chain" / ("c" + std::to_string(i))).string();
    auto store = chain::open_lmdb_store(store_dir);
    auto app = store ? chain::carbon::carbon_application::open(genesis, set, validator_keys[i].pub,
                                                               std::move(store).value())
                     : market::result<std::unique_ptr<chain::carbon::carbon_application>>(store.err());
    if (!app) {
      err << "carbon lab: " << store_dir << " does not verify: " << app.err().message << "\n";
      status = 1;
      continue;
    }
    replayed.insert(app.value()->head_hash());
  }
  if (replayed.size() == 1)
    out << "every carbon replica re-executed from its store to the same head\n";
  else if (status == 0) {
    out << "carbon replicas re-executed to " << replayed.size() << " heads\n";
    status = 1;
  }
  out << "results in " << dir.string() << "/ (carbon_quotas.csv, carbon_trades.csv), chains in "
      << (dir / "carbon_chain").string() << "/\n";
  return status;
}

int run_carbon_demo(const demo_options& o, std::ostream& out, std::ostream& err) {
  out << "voltaic demo --carbon: the carbon paper's IEEE 33-bus case study\n";
  return run_carbon_lab(case_study(), o.seed, o.out_dir, out, err);
}

}  // namespace voltaic::runtime
