// voltaic — the command-line program. Subcommands live in commands.hpp; this
// file only parses options and dispatches.
#include <CLI/CLI.hpp>

#include <iostream>

#include "voltaic/runtime/commands.hpp"

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
  auto* demo_cmd = app.add_subcommand("demo", "Clear the embedded default: 55 prosumers on the IEEE European LV feeder");
  demo_cmd->add_option("--seed", demo.seed, "random seed")->capture_default_str();
  demo_cmd->add_option("--participants", demo.participants, "number of prosumers")->capture_default_str();
  demo_cmd->add_option("--strategy", demo.strategy, "truthful, cooperative, non_cooperative or adaptive")
      ->capture_default_str();
  demo_cmd->add_option("--mechanism", demo.mechanism, "dpda or mcafee")->capture_default_str();
  demo_cmd->add_option("--out", demo.out_dir, "directory for orders and results")->capture_default_str();

  std::string keygen_out;
  auto* keygen_cmd = app.add_subcommand("keygen", "Create an Ed25519 key file and print its public key");
  keygen_cmd->add_option("--out", keygen_out, "key file to create (mode 0600; never overwritten)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  if (*clear_cmd) return run_clear(clear, std::cout, std::cerr);
  if (*demo_cmd) return run_demo(demo, std::cout, std::cerr);
  if (*keygen_cmd) return run_keygen(keygen_out, std::cout, std::cerr);
  return 2;
}
