#pragma once
// The subcommands of the `voltaic` program. Each takes its parsed options,
// writes results to `out` and one sentence per problem to `err`, and returns
// the exit status (0 success, 1 failure of the work, 2 bad input).
// Thread-safety: one command at a time.

#include <cstdint>
#include <iosfwd>
#include <iterator>
#include <optional>
#include <initializer_list>
#include <string_view>
#include <string>
#include <vector>

#include "voltaic/market/error.hpp"
#include "voltaic/market/report.hpp"

namespace voltaic::runtime {

struct clear_options {
  std::string mechanism = "dpda";
  std::string policy = "equal_share";
  std::string orders;
  std::string feeder;        // ieee-eu-lv, ieee33 or a directory
  std::string distances;     // CSV buyer,seller,distance_m
  std::string charge_per_m = "0.002";
  bool json = false;
  std::string out_dir;
};

int run_clear(const clear_options& options, std::ostream& out, std::ostream& err);

struct experiment_options {
  std::string config;  // an [experiment] file, or empty with `thesis`
  bool thesis = false;  // the built-in grid of spec/experiments.md section 4
  std::string out_dir;
  unsigned jobs = 0;  // 0: every core
  bool resume = false;
};

// Runs an experiment grid and writes runs.csv, summary.csv, claims.md and
// figures/ into out_dir (docs/EXPERIMENTS.md). Exit 2 for a bad file or
// options, 1 when a run or an output fails (finished runs are kept).
int run_experiment(const experiment_options& options, std::ostream& out, std::ostream& err);

struct spb_compare_options {
  std::uint64_t trades = 20;   // buyer-producer pairs, one deal each
  std::uint64_t seed = 1;
  std::uint64_t routers = 4;
  std::uint64_t validators = 4;
  std::uint64_t unreliable = 0;  // producers that never deliver (their buyers' holds expire)
  std::uint64_t lifetime_blocks = 300;  // of a hold or escrow, from the height it is committed at
  std::uint64_t kill_router_after = 0;  // fault injection: router 0 dies after carrying this many envelopes
  std::uint64_t concurrent = 0;         // deals under way at once; 0: all
  bool json = false;
  std::string out_dir;  // where the two chains go; empty: a temporary directory, removed after
};

// The same trades (agents, routers, validators, wall clock) once settled by
// SPB and once by the escrow baseline, side by side: per mode tx_per_trade,
// chain_bytes_per_100_trades, mean_delay_ms, trades_per_s. Exit 1 when a
// mode fails (a deal unsettled, money not conserved).
int run_spb_compare(const spb_compare_options& options, std::ostream& out, std::ostream& err);

struct carbon_clear_options {
  std::string participants;  // id,role,quota_kg,price (spec/carbon.md section 4)
  bool json = false;
};

// Clears the carbon auction of a participants file; exit 2 with
// "FILE:LINE: what" on malformed input, nothing on stdout.
int run_carbon_clear(const carbon_clear_options& options, std::ostream& out, std::ostream& err);

struct carbon_analyze_options {
  std::string prices;  // electricity,carbon (spec/carbon.md 5.7)
  std::optional<double> given_electricity;
  std::size_t samples = 10'000;
  std::uint64_t seed = 1;
  bool json = false;
};

// Fits the copulas, chooses one and prints the recommended carbon bid range.
int run_carbon_analyze(const carbon_analyze_options& options, std::ostream& out, std::ostream& err);

struct demo_options {
  std::uint64_t seed = 1;
  std::string out_dir = "voltaic-demo";
  bool print_scenario = false;  // print the embedded scenario file and stop
  bool carbon = false;          // the carbon paper's case study instead (agents, carbon chain)
};

int run_demo(const demo_options& options, std::ostream& out, std::ostream& err);
int run_carbon_demo(const demo_options& options, std::ostream& out, std::ostream& err);

// Writes a new Ed25519 key file (mode 0600, never overwriting) and prints
// the public key in hex.
int run_keygen(const std::string& out_path, std::ostream& out, std::ostream& err);
// The same for a ZeroMQ CURVE key pair (a meterd client); prints the public key (Z85).
int run_keygen_curve(const std::string& out_path, std::ostream& out, std::ostream& err);

// `voltaic meterd --config meter.toml` (runtime/meter_config.hpp): runs until
// SIGINT or SIGTERM; exit 2 for a bad file, 1 for a fault that ends it.
int run_meterd_command(const std::string& config_path, std::ostream& out, std::ostream& err);

struct meter_init_options {
  std::string dir;
  std::string source;   // a source URI (hardware/meter_source_config.hpp)
  std::string publish;  // e.g. tcp://*:7600
  std::int64_t coe_keys = 8;
};
// Writes DIR/meter.toml, the meter's keys (meter.keys), a CURVE server key
// pair (server.curve), one client key pair (client.key) and the list that
// admits it (allowed_clients); prints the server's public key.
int run_meter_init(const meter_init_options& options, std::ostream& out, std::ostream& err);

struct meter_tail_options {
  std::string connect;
  std::string server_key;  // Z85
  std::string client_key;  // a CURVE key-pair file
  std::int64_t count = 0;  // 0: until Ctrl-C
  std::uint64_t from = 1;
  double wait_s = 0;  // > 0: exit 1 when no reading comes for this long in all
  bool json = false;
};
// Subscribes and prints one line per reading, its signature checked.
int run_meter_tail(const meter_tail_options& options, std::ostream& out, std::ostream& err);

struct chain_bench_options {
  std::string dir;
  std::uint64_t blocks = 10;
  std::uint32_t txs_per_block = 100;
  std::uint32_t validators = 1;
  std::uint64_t seed = 1;
  bool spb_only = false;  // only CTPs, ERCs and timeouts
  std::uint32_t replicas = 0;  // > 0: also print the raw pipeline limit for this many replicas
};

// Builds a chain of signed, valid transactions of every kind in memory, then
// times a replica executing and durably committing it into `dir`, next to
// the raw signature-verification rate of the same transactions.
int run_chain_bench(const chain_bench_options& options, std::ostream& out, std::ostream& err);

// Re-checks the chain in `dir` from genesis: prints `ok <height> <head-hash>`
// (exit 0) or `bad height <h>: <reason>` (exit 1). A store damaged so badly
// that reading it crashes is reported the same way.
int run_chain_verify(const std::string& dir, std::ostream& out, std::ostream& err);

// Each validator of a run or scenario file: height, head, peers and lag
// behind the highest, as a table; exit 1 when one is unreachable, 2 for a
// bad file. Ends the process (it held handles to other processes).
int run_status(const std::string& config, std::ostream& out, std::ostream& err);

struct chain_inspect_options {
  std::string dir;
  std::int64_t height = -1;  // a block, or -1
  std::string tx;            // a transaction id in hex, or empty
  bool json = false;
};

// Prints the chain's summary, one block, or one transaction.
int run_chain_inspect(const chain_inspect_options& options, std::ostream& out, std::ostream& err);

struct run_options {
  std::string config;              // TOML, see run_config.hpp
  std::vector<std::string> only;   // validators to run here; empty: all
  std::string out_dir = "voltaic-out";  // a scenario's outputs
  bool double_sign = false;        // fault injection: this process's validators equivocate
  std::string crash_after;         // fault injection: "3:matching" ends this process there, as if killed
};

// Runs validators until SIGINT or SIGTERM, then ends the process (after every
// miner has stopped and its last block is durable).
int run_node(const run_options& options, std::ostream& out, std::ostream& err);

struct load_options {
  std::string config;
  double rate = 1'000;      // transactions per second
  double duration_s = 10;   // seconds of sending
  std::uint64_t seed = 1;   // of the senders' keys
};

// Sends signed transactions to the validators of a config and reports the
// committed rate and the commit latency (p50, p99). Exit 1 if some never
// committed.
int run_load(const load_options& options, std::ostream& out, std::ostream& err);

// Creates `dir` and writes each table into it as a file.
market::status write_tables(const std::string& dir, const std::vector<market::csv_table>& tables);
// The same for those of a cycle's report tables named (every one by
// default), each written as it is built.
market::status write_tables(const std::string& dir, const std::vector<market::order>& book,
                            const market::cycle_result& cycle,
                            const std::vector<market::report_table>& which_tables = {
                                std::begin(market::all_report_tables), std::end(market::all_report_tables)});
// Writes `dir`/`name` (the directory must exist) from its parts in order.
market::status write_text_file(const std::string& dir, const std::string& name,
                               std::initializer_list<std::string_view> parts);

// Where the feeders live: $VOLTAIC_DATA_DIR, else the source tree or the
// installed share directory.
std::string feeder_data_root();

// The CAF version this program was built against ("0.17.6").
std::string caf_version();

}  // namespace voltaic::runtime
