// voltaic — the command-line program. Subcommands live in commands.hpp; this
// file only parses options and dispatches.
#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>

#include "voltaic/runtime/commands.hpp"

namespace {

// A whole number from lo to hi, digits only: CLI11's number checks print
// their bounds as doubles (DBL_MAX in 300 digits), and "-1" given to an
// unsigned option would wrap to a huge value (hostile test F14).
CLI::Validator whole(std::uint64_t lo, std::uint64_t hi) {
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        std::uint64_t v = 0;
        const char* end = text.data() + text.size();
        const auto [stop, ec] = std::from_chars(text.data(), end, v);
        if (text.empty() || ec != std::errc{} || stop != end || v < lo || v > hi)
          return "'" + text + "' is not a whole number from " + range;
        return {};
      },
      "whole number " + range);
}

constexpr std::uint64_t int64_max = std::numeric_limits<std::int64_t>::max();

}  // namespace

int main(int argc, char** argv) {
  using namespace voltaic::runtime;
  CLI::App app{"voltaic — agents for peer-to-peer energy and carbon trading"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("voltaic " VOLTAIC_VERSION " (CAF ") + caf_version() + ")");

  clear_options clear;
  auto* clear_cmd = app.add_subcommand("clear", "Clear an order book from CSV (DPDA or McAfee, with score matching)");
  clear_cmd->add_option("--mechanism", clear.mechanism, "dpda or mcafee")
      ->check(CLI::IsMember({"dpda", "mcafee"}))->capture_default_str();
  clear_cmd->add_option("--policy", clear.policy, "DPDA surplus policy: equal_share or water_fill")
      ->check(CLI::IsMember({"equal_share", "water_fill"}))->capture_default_str();
  clear_cmd->add_option("--orders", clear.orders, "CSV: id,side,price,energy_kwh[,distance_pref_m][,bus]")->required();
  clear_cmd->add_option("--feeder", clear.feeder, "ieee-eu-lv, ieee33 or a feeder directory (distances by bus)");
  clear_cmd->add_option("--distances", clear.distances, "CSV: buyer,seller,distance_m");
  clear_cmd->add_option("--charge-per-m", clear.charge_per_m, "grid charge per metre, in credits")->capture_default_str();
  clear_cmd->add_flag("--json", clear.json, "print one JSON object");
  clear_cmd->add_option("--out", clear.out_dir, "write clearing, trades, outcomes and quotes CSVs to this directory");

  demo_options demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Trade the embedded default: 55 prosumers on the IEEE European LV feeder, 4 validators, 3 cycles");
  demo_cmd->add_option("--seed", demo.seed, "random seed")->capture_default_str()->check(whole(0, int64_max));
  demo_cmd->add_flag("--print-scenario", demo.print_scenario, "print the embedded scenario file and stop");
  demo_cmd->add_flag("--carbon", demo.carbon,
                     "the carbon paper's case study instead: carbon validators, PV prosumers and CECs, one period");
  demo_cmd->add_option("--out", demo.out_dir, "directory for results and chains")->capture_default_str();

  std::string status_config;
  auto* status_cmd = app.add_subcommand("status", "Each validator's height, head, peers and lag");
  status_cmd->add_option("--config", status_config, "run or scenario file (TOML)")->required();
  spb_compare_options spb_compare;
  auto* spb_cmd = app.add_subcommand("spb", "SPB's bilateral market: trades negotiated over backbone routers");
  spb_cmd->require_subcommand(1);
  auto* spb_compare_cmd = spb_cmd->add_subcommand(
      "compare", "The same trades settled by SPB (CTP and ERC) and by the escrow baseline, side by side");
  spb_compare_cmd->add_option("--trades", spb_compare.trades, "buyer-producer pairs, one deal each")
      ->capture_default_str()
      ->check(whole(1, 100'000));
  spb_compare_cmd->add_option("--seed", spb_compare.seed, "seed of keys and strategies")->capture_default_str()
      ->check(whole(0, int64_max));
  spb_compare_cmd->add_option("--routers", spb_compare.routers, "backbone routers")->capture_default_str()
      ->check(whole(1, 1'000));
  spb_compare_cmd->add_option("--validators", spb_compare.validators, "validators (in this process)")
      ->capture_default_str()
      ->check(whole(1, 100));
  spb_compare_cmd->add_option("--unreliable", spb_compare.unreliable, "producers that never deliver")
      ->capture_default_str()
      ->check(whole(0, 100'000));
  spb_compare_cmd->add_option("--lifetime-blocks", spb_compare.lifetime_blocks,
                              "blocks a hold or escrow lives before its buyer may take it back")
      ->capture_default_str()
      ->check(whole(2, 1'000'000));
  spb_compare_cmd->add_option("--concurrent", spb_compare.concurrent,
                              "deals under way at once (1: one after another, as the paper timed them); 0: all")
      ->capture_default_str()
      ->check(whole(0, 100'000));
  spb_compare_cmd->add_option("--kill-router-after", spb_compare.kill_router_after,
                              "fault injection: router 0 dies after carrying this many envelopes")
      ->check(whole(1, int64_max));
  spb_compare_cmd->add_option("--out", spb_compare.out_dir, "keep both chains here (spb/, escrow/)");
  spb_compare_cmd->add_flag("--json", spb_compare.json, "print {\"spb\": {...}, \"escrow\": {...}}");
  carbon_clear_options carbon_clear;
  auto* carbon_cmd = app.add_subcommand("carbon", "The carbon market: clear a carbon auction, analyse prices");
  carbon_cmd->require_subcommand(1);
  auto* carbon_clear_cmd =
      carbon_cmd->add_subcommand("clear", "Clear a carbon auction: CECs first among themselves, then against PV quota");
  carbon_clear_cmd->add_option("--participants", carbon_clear.participants, "CSV: id,role,quota_kg,price")->required();
  carbon_clear_cmd->add_flag("--json", carbon_clear.json, "print one JSON object");
  carbon_analyze_options carbon_analyze;
  double given_electricity = 0;
  auto* carbon_analyze_cmd = carbon_cmd->add_subcommand(
      "analyze", "Fit copulas to electricity and carbon prices and advise a carbon bid range");
  carbon_analyze_cmd->add_option("--prices", carbon_analyze.prices, "CSV: electricity,carbon")->required();
  auto* given_option = carbon_analyze_cmd->add_option("--given-electricity", given_electricity,
                                                      "electricity price to condition on (default: the median)");
  carbon_analyze_cmd->add_option("--samples", carbon_analyze.samples, "Monte Carlo samples")
      ->capture_default_str()->check(CLI::Range(std::size_t{2}, std::size_t{100'000'000}));
  carbon_analyze_cmd->add_option("--seed", carbon_analyze.seed, "seed of the sampler (GSL mt19937)")
      ->capture_default_str();
  carbon_analyze_cmd->add_flag("--json", carbon_analyze.json, "print one JSON object");

  experiment_options experiment;
  auto* experiment_cmd = app.add_subcommand(
      "experiment", "Run a grid of P-series books, behaviours and mechanisms; write runs, summary, claims and figures");
  experiment_cmd->add_option("file", experiment.config, "experiment file with an [experiment] section");
  experiment_cmd->add_flag("--thesis", experiment.thesis,
                           "the built-in grid of the thesis (X1, X2, both printed P-50 books; seeds 1-100)");
  experiment_cmd->add_option("--out", experiment.out_dir, "directory for runs.csv, summary.csv, claims.md, figures/")
      ->required();
  experiment_cmd->add_option("--jobs", experiment.jobs, "runs at once (default: every core)")
      ->check(CLI::Range(1u, 1024u));
  experiment_cmd->add_flag("--resume", experiment.resume, "finish the experiment in --out, skipping finished runs");

  std::string keygen_out;
  bool keygen_curve = false;
  auto* keygen_cmd = app.add_subcommand("keygen", "Create an Ed25519 key file and print its public key");
  keygen_cmd->add_option("--out", keygen_out, "key file to create (mode 0600; never overwritten)")->required();
  keygen_cmd->add_flag("--curve", keygen_curve,
                       "a ZeroMQ CURVE key pair instead (a meterd client; prints the public key in Z85)");

  std::string meterd_config;
  auto* meterd_cmd = app.add_subcommand("meterd", "Read a meter, sign, journal and publish its readings (Ctrl-C stops)");
  meterd_cmd->add_option("--config", meterd_config, "meter file (TOML), as `voltaic meter init` writes")->required();
  auto* meter_cmd = app.add_subcommand("meter", "Set up a meter for meterd, or watch one");
  meter_cmd->require_subcommand(1);
  meter_init_options meter_init;
  auto* meter_init_cmd = meter_cmd->add_subcommand("init", "Write a meter's configuration and keys into a directory");
  meter_init_cmd->add_option("--dir", meter_init.dir, "directory to create")->required();
  meter_init_cmd->add_option("--source", meter_init.source,
                             "modbus-tcp://HOST:PORT?unit=1&map=sdm630, modbus-rtu:///dev/ttyUSB0?baud=9600&unit=1&"
                             "map=sdm120, s0://gpiochip0/17?pulses_per_kwh=1000 or trace:///path/file.csv")
      ->required();
  meter_init_cmd->add_option("--publish", meter_init.publish, "ZeroMQ endpoint to publish on, e.g. tcp://*:7600")
      ->required();
  meter_init_cmd->add_option("--coe-keys", meter_init.coe_keys, "CoE keys to sign with, in turn")
      ->capture_default_str()->check(whole(1, 4'096));
  meter_tail_options meter_tail;
  auto* meter_tail_cmd = meter_cmd->add_subcommand("tail", "Subscribe to a meterd and print its readings, checked");
  meter_tail_cmd->add_option("--connect", meter_tail.connect, "meterd endpoint, e.g. tcp://pi-house3:7600")->required();
  meter_tail_cmd->add_option("--server-key", meter_tail.server_key, "meterd's CURVE public key (Z85)")->required();
  meter_tail_cmd->add_option("--client-key", meter_tail.client_key, "this client's CURVE key-pair file")->required();
  meter_tail_cmd->add_option("--count", meter_tail.count, "stop after this many readings (0: never)")
      ->capture_default_str()->check(whole(0, int64_max));
  meter_tail_cmd->add_option("--from", meter_tail.from, "first sequence number wanted")->capture_default_str()
      ->check(whole(1, int64_max));
  meter_tail_cmd->add_option("--wait", meter_tail.wait_s, "give up (exit 1) after this many seconds in all")
      ->check(CLI::Range(0.0, 86'400.0));
  meter_tail_cmd->add_flag("--json", meter_tail.json, "one JSON object per reading");

  auto* chain_cmd = app.add_subcommand("chain", "Build, verify and inspect a chain store");
  chain_cmd->require_subcommand(1);
  chain_bench_options bench;
  auto* bench_cmd = chain_cmd->add_subcommand("bench", "Create a chain of signed transactions of every kind and time it");
  bench_cmd->add_option("--dir", bench.dir, "empty directory for the chain store")->required();
  bench_cmd->add_option("--blocks", bench.blocks, "number of blocks")->required()->check(whole(1, 1'000'000));
  bench_cmd->add_option("--txs-per-block", bench.txs_per_block, "transactions per block")->required()
      ->check(whole(1, 65'536));
  bench_cmd->add_option("--validators", bench.validators, "validators in the genesis (proposers rotate)")
      ->capture_default_str()->check(whole(1, 1'024));
  bench_cmd->add_option("--seed", bench.seed, "seed of the generated keys and trades")
      ->capture_default_str()->check(whole(0, int64_max));
  bench_cmd->add_flag("--spb-only", bench.spb_only, "only CTPs, ERCs and timeouts (measures bytes per trade)");
  bench_cmd->add_option("--replicas", bench.replicas,
                        "also print the raw pipeline limit (sign once, verify and commit on this many replicas)")
      ->check(whole(1, 1'024));
  std::string verify_dir;
  auto* verify_cmd = chain_cmd->add_subcommand("verify", "Re-check a chain from genesis");
  verify_cmd->add_option("DIR", verify_dir, "chain directory")->required();
  chain_inspect_options inspect;
  auto* inspect_cmd = chain_cmd->add_subcommand("inspect", "Show a chain's summary, a block or a transaction");
  inspect_cmd->add_option("DIR", inspect.dir, "chain directory")->required();
  auto* height_opt = inspect_cmd->add_option("--height", inspect.height, "show the block at this height")
      ->check(whole(0, int64_max));
  inspect_cmd->add_option("--tx", inspect.tx, "show the transaction with this id (hex)")->excludes(height_opt);
  inspect_cmd->add_flag("--json", inspect.json, "print JSON");

  run_options run;
  auto* run_cmd = app.add_subcommand("run", "Run the validators a config assigns to this process (Ctrl-C stops)");
  run_cmd->add_option("CONFIG", run.config, "deployment file (TOML)")->required();
  run_cmd->add_option("--only", run.only,
                      "what runs here (default: all): validators (v0,v1); in a scenario also houses by name or "
                      "range (p3, p0..p27), a meter the file places apart (p3.meter), dso, clock, recorder, or "
                      "agents (all but the validators and placed meters); or the carbon market's carbon "
                      "validators (carbon.c0), participants by bus (carbon.18), carbon.clock, or carbon (the clock "
                      "and every participant)")
      ->delimiter(',');
  run_cmd->add_option("--out", run.out_dir, "directory for a scenario's results and chains")->capture_default_str();
  run_cmd->add_option("--crash-after", run.crash_after,
                      "fault injection: the market clock's process ends abruptly after this cycle and phase "
                      "(3:matching), as if killed");
  run_cmd->add_flag("--double-sign", run.double_sign,
                    "fault injection for labs: this process's validators sign two different prevotes per step");
  load_options load;
  auto* load_cmd = app.add_subcommand("load", "Send signed transactions and report committed rate and latency");
  load_cmd->add_option("--config", load.config, "deployment file (TOML)")->required();
  load_cmd->add_option("--rate", load.rate, "transactions per second")->capture_default_str()
      ->check(whole(1, 10'000'000));
  load_cmd->add_option("--duration", load.duration_s, "seconds of sending")->capture_default_str()
      ->check(CLI::Range(0.001, 86'400.0));
  load_cmd->add_option("--seed", load.seed, "seed of the 256 sender keys")->capture_default_str()
      ->check(whole(0, int64_max));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  if (*clear_cmd) return run_clear(clear, std::cout, std::cerr);
  if (*demo_cmd) return demo.carbon ? run_carbon_demo(demo, std::cout, std::cerr) : run_demo(demo, std::cout, std::cerr);
  if (*experiment_cmd) return run_experiment(experiment, std::cout, std::cerr);
  if (*carbon_clear_cmd) return run_carbon_clear(carbon_clear, std::cout, std::cerr);
  if (*spb_compare_cmd) return run_spb_compare(spb_compare, std::cout, std::cerr);
  if (*status_cmd) return run_status(status_config, std::cout, std::cerr);
  if (*carbon_analyze_cmd) {
    if (*given_option) carbon_analyze.given_electricity = given_electricity;
    return run_carbon_analyze(carbon_analyze, std::cout, std::cerr);
  }
  if (*keygen_cmd)
    return keygen_curve ? run_keygen_curve(keygen_out, std::cout, std::cerr) : run_keygen(keygen_out, std::cout, std::cerr);
  if (*meterd_cmd) return run_meterd_command(meterd_config, std::cout, std::cerr);
  if (*meter_init_cmd) return run_meter_init(meter_init, std::cout, std::cerr);
  if (*meter_tail_cmd) return run_meter_tail(meter_tail, std::cout, std::cerr);
  if (*run_cmd) return run_node(run, std::cout, std::cerr);
  if (*load_cmd) return run_load(load, std::cout, std::cerr);
  if (*bench_cmd) return run_chain_bench(bench, std::cout, std::cerr);
  if (*verify_cmd) return run_chain_verify(verify_dir, std::cout, std::cerr);
  if (*inspect_cmd) return run_chain_inspect(inspect, std::cout, std::cerr);
  return 2;
}
