// `voltaic demo --carbon`: the carbon paper's case study (He et al., Tables 3
// and 4; spec/carbon.md section 7) as agents in one process. Four carbon
// validators on LMDB, six PV prosumers claiming their quotas from their
// meters' monthly totals (node 18 publishes 99 t, its readings give 94 t),
// four carbon-and-electricity consumers filing verified emissions, the
// carbon clock running one period; then what the chain recorded: quotas
// (estimate and check value) and the auction's trades.
#include <caf/all.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <thread>

#include "run_config_toml.hpp"
#include "voltaic/agents/carbon_clock.hpp"
#include "voltaic/agents/carbon_participant.hpp"
#include "voltaic/agents/carbon_validator.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/carbon/carbon_ledger.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/market/carbon_file.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t period = 2020;
constexpr std::int64_t delta_g_per_kwh = 800;
// Lab key roles of the carbon demo (beside run_config_toml.hpp's).
constexpr std::uint64_t role_carbon_validator = 20, role_carbon_party = 21, role_carbon_meter = 22,
                        role_carbon_verifier = 23;

// One participant of Tables 3 and 4: quota (t) or emissions (t) and the
// back-solved limit price (carbon.md 7).
struct case_party {
  const char* node;
  market::carbon_role role;
  std::int64_t tonnes;      // PVP: check value; CEC: balance (negative: must buy)
  std::int64_t estimate_t;  // PVP: what it publishes
  const char* price;        // credits per tonne
};

const case_party case_study[] = {
    {"5", market::carbon_role::cec, -1455, 0, "7.06"},  {"11", market::carbon_role::cec, 341, 0, "5.06"},
    {"12", market::carbon_role::cec, -261, 0, "7.12"},  {"22", market::carbon_role::cec, 134, 0, "5.16"},
    {"6", market::carbon_role::pvp, 213, 213, "6.24"},  {"14", market::carbon_role::pvp, 456, 456, "2.16"},
    {"18", market::carbon_role::pvp, 94, 99, "3.62"},   {"20", market::carbon_role::pvp, 41, 41, "2.76"},
    {"24", market::carbon_role::pvp, 87, 87, "2.76"},   {"32", market::carbon_role::pvp, 350, 350, "1.76"},
};
constexpr std::int64_t allowance_kg = 1'000'000;  // each CEC's, per period

// Twelve monthly totals (mWh) in the paper's seasonal shape (node 14's
// months of carbon.json) giving `kg` at delta: kg * 10^9 / delta in all.
std::vector<std::int64_t> months_for(std::int64_t kg) {
  const double shape[12] = {31928381570.0, 36639126392.0, 43443535580.0, 47630864310.0, 54435273498.0, 56528937863.0,
                            65950427513.0, 64380179233.0, 52865025224.0, 46060616036.0, 37162542484.0, 32975213753.0};
  double sum = 0;
  for (double s : shape) sum += s;
  const std::int64_t total = kg * 1'000'000'000 / delta_g_per_kwh;
  std::vector<std::int64_t> m(12);
  std::int64_t given = 0;
  for (int k = 0; k < 11; ++k) given += m[k] = static_cast<std::int64_t>(static_cast<double>(total) * shape[k] / sum);
  m[11] = total - given;
  return m;
}

std::string csv_kg(std::int64_t kg) { return std::to_string(kg); }

}  // namespace

int run_carbon_demo(const demo_options& o, std::ostream& out, std::ostream& err) {
  const fs::path dir(o.out_dir);
  std::error_code ec;
  if (fs::exists(dir / "carbon_chain", ec)) {
    err << "voltaic demo --carbon: " << (dir / "carbon_chain").string()
        << " exists already; choose another --out or remove it\n";
    return 2;
  }
  fs::create_directories(dir / "carbon_chain", ec);
  if (ec) {
    err << "voltaic demo --carbon: cannot create " << (dir / "carbon_chain").string() << ": " << ec.message() << "\n";
    return 1;
  }
  const std::string chain_id = "voltaic-carbon-demo";
  chain::carbon::carbon_genesis genesis;
  genesis.chain_id = chain_id;
  genesis.deltas = {delta_g_per_kwh};
  std::vector<chain::key_pair> validator_keys;
  for (std::uint64_t i = 0; i < 4; ++i) {
    validator_keys.push_back(chain::derived_key(o.seed, role_carbon_validator, i));
    genesis.validators.push_back(validator_keys.back().pub);
  }
  const auto verifier = chain::derived_key(o.seed, role_carbon_verifier, 0);
  genesis.verifiers = {verifier.pub};
  std::map<std::string, chain::key_pair> keys, meters;
  std::map<chain::public_key, std::string> node_of;
  std::uint64_t k = 0;
  for (const auto& p : case_study) {
    keys[p.node] = chain::derived_key(o.seed, role_carbon_party, k);
    meters[p.node] = chain::derived_key(o.seed, role_carbon_meter, k++);
    node_of[keys[p.node].pub] = p.node;
    if (p.role == market::carbon_role::pvp) genesis.pvps.push_back({keys[p.node].pub, meters[p.node].pub});
    else genesis.cecs.push_back({keys[p.node].pub, allowance_kg});
  }

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::vector<caf::actor> validators;
  for (std::uint32_t i = 0; i < 4; ++i) {
    agents::carbon_validator_config vc;
    vc.name = "c" + std::to_string(i);
    vc.key = validator_keys[i];
    vc.index = i;
    vc.genesis = genesis;
    vc.store_dir = (dir / "carbon_chain" / vc.name).string();
    vc.sign_guard_path = vc.store_dir + ".signed";
    vc.timing.timeout_propose_ms = 300;
    vc.timing.gossip_ms = 200;
    // Slow blocks: after an empty block the next height waits ten minutes,
    // or until work arrives (a transaction wakes every validator).
    vc.empty_block_interval_ms = 600'000;
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
  for (const auto& p : case_study) {
    agents::carbon_participant_config pc;
    pc.name = p.node;
    pc.role = p.role;
    pc.key = keys[p.node];
    pc.chain_id = chain_id;
    pc.price = market::parse_scaled(p.price, 1'000'000).value();
    pc.validator = validators[v++ % validators.size()];
    if (p.role == market::carbon_role::pvp) {
      pc.meter = meters[p.node];
      pc.monthly_mwh = months_for(p.tonnes * 1000);
      pc.estimate_kg = p.estimate_t * 1000;
    } else {
      // The verifier signs the year's emissions: allowance minus the balance.
      const std::int64_t kg = allowance_kg - p.tonnes * 1000;
      pc.report = {keys[p.node].pub, period, kg, verifier.pub,
                   chain::sign(chain::domain::transaction, chain_id,
                               chain::carbon::emissions_message(keys[p.node].pub, period, kg), verifier)};
    }
    participants.push_back(agents::spawn_carbon_participant(system, pc));
  }
  agents::carbon_clock_config cc;
  cc.participants = participants;
  cc.validators = validators;
  auto clock = agents::spawn_carbon_clock(system, cc);

  int status = 0;
  auto stop_all = [&] {
    for (const auto& a : participants) self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(clock, caf::exit_reason::user_shutdown);
    for (const auto& a : validators) self->send_exit(a, caf::exit_reason::user_shutdown);
  };
  out << "voltaic demo --carbon: the IEEE 33-bus case study, 4 carbon validators, 6 PV prosumers, 4 CECs, period "
      << period << "\n";
  self->request(clock, std::chrono::minutes(3), agents::cperiod_atom::value, period)
      .receive(
          [&](std::uint64_t claims, std::uint64_t orders, const std::string& problem) {
            out << "claims and reports admitted: " << claims << ", orders: " << orders << "\n";
            if (!problem.empty()) out << "note: " << problem << "\n";
          },
          [&](caf::error& e) {
            err << "voltaic demo --carbon: the period did not end: " << to_string(e) << "\n";
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
  for (const auto& p : case_study) {
    if (p.role != market::carbon_role::pvp) continue;
    chain::encoder q;
    q.array(2).bin(keys[p.node].pub).uint(period);
    const auto answer = ask("quota", q.take());
    if (!answer) continue;
    auto d = chain::decoder::open(*answer);
    chain::detail::field_reader r(d.value());
    r.array(4);
    const bool found = r.boolean();
    const std::int64_t estimate = r.i64(), check = r.i64();
    if (!found) continue;
    quotas << p.node << ",pvp," << csv_kg(estimate) << "," << csv_kg(check) << "\n";
    out << "quota of PVP " << p.node << ": published " << estimate / 1000 << " t, check value " << check / 1000
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
      err << "voltaic demo --carbon: no auction recorded for " << period << "\n";
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
  out << "results in " << dir.string() << "/ (carbon_quotas.csv, carbon_trades.csv), chains in "
      << (dir / "carbon_chain").string() << "/\n";
  stop_all();
  return status;
}

}  // namespace voltaic::runtime
