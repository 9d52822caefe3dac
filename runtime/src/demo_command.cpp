// voltaic demo: the embedded default scenario — 55 prosumers on the IEEE
// European LV feeder (one per load bus), their smart meters, a DSO and four
// validators in one process, trading three cycles on the simulated clock.
// One seller's meter reads short (it pays the imbalance penalty) and one
// buyer's meter never reports (its holds expire and are returned).
#include <ostream>

#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/trading_run.hpp"

namespace voltaic::runtime {

const char* demo_scenario_text() {
  return R"([chain]
id = "voltaic-demo"

[consensus]
timeout_propose_ms = 300
gossip_ms = 200

[scenario]
feeder = "ieee-eu-lv"
validators = 4
markets = 1
prosumers = 55
strategies = ["cooperative", "cooperative", "adaptive", "non_cooperative"]
mechanism = "dpda"
policy = "equal_share"
cycles = 3
clock = "simulated"
seed = 1
reference_price = "0.2023"
charge_per_m = "0.002"
penalty = "0.05"
initial_credits = "1000"
short_sellers = 1
short_delivery = "0.8"
silent_buyers = 1
ctp_lifetime_blocks = 12
)";
}

int run_demo(const demo_options& o, std::ostream& out, std::ostream& err) {
  std::string text = demo_scenario_text();
  if (o.seed != 1) text.replace(text.find("seed = 1"), 8, "seed = " + std::to_string(o.seed));
  if (o.print_scenario) {
    out << text;
    return 0;
  }
  auto scenario = parse_scenario(text, "embedded demo scenario");
  if (!scenario) {
    err << "voltaic demo: " << scenario.err().message << "\n";
    return 1;
  }
  return run_trading(scenario.value(), trading_part{}, o.out_dir, out, err);
}

}  // namespace voltaic::runtime
