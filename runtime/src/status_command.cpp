// voltaic status --config FILE: asks every validator of a run or scenario
// file for its height, head and peers, and prints one row each with its lag
// behind the highest; a validator that does not answer within two seconds
// is "unreachable" (exit 1).
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <iomanip>
#include <optional>
#include <ostream>

#include "trading/lab_setup.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

namespace {

struct validator_row {
  std::string name, address;
  std::optional<std::uint64_t> height, peers;
  std::string head;
};

}  // namespace

int run_status(const std::string& config, std::ostream& out, std::ostream& err) {
  market::result<run_config> rc = market::make_error(market::errc::invalid_argument, "");
  if (is_scenario_file(config)) {
    auto sc = load_scenario(config);
    rc = sc ? market::result<run_config>(sc.value().run) : market::result<run_config>(sc.err());
  } else {
    rc = load_run_config(config);
  }
  if (!rc) {
    err << "voltaic status: " << rc.err().message << "\n";
    return 2;
  }
  caf::actor_system_config cfg;
  trading::configure_networked_system(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::vector<validator_row> rows;
  for (const auto& v : rc.value().validators) {
    validator_row row{v.name, v.host + ":" + std::to_string(v.port), {}, {}, ""};
    if (v.port != 0) {
      caf::actor found;
      self->request(system.middleman().actor_handle(), std::chrono::seconds(2), caf::connect_atom::value, v.host,
                    v.port)
          .receive([&](const caf::node_id&, caf::strong_actor_ptr& ptr,
                       const std::set<std::string>&) { found = caf::actor_cast<caf::actor>(ptr); },
                   [](caf::error&) {});
      if (found) {
        self->request(found, std::chrono::seconds(2), agents::head_atom::value)
            .receive([&](std::uint64_t h, const std::string& head) { row.height = h, row.head = head.substr(0, 16); },
                     [](caf::error&) {});
        self->request(found, std::chrono::seconds(2), agents::peercount_atom::value)
            .receive([&](std::uint64_t n) { row.peers = n; }, [](caf::error&) {});
      }
    }
    rows.push_back(std::move(row));
  }
  std::uint64_t top = 0;
  for (const auto& r : rows) top = std::max(top, r.height.value_or(0));
  out << std::left << std::setw(12) << "validator" << std::setw(24) << "address" << std::setw(10) << "height"
      << std::setw(18) << "head" << std::setw(7) << "peers"
      << "lag\n";
  bool all = true;
  for (const auto& r : rows) {
    out << std::setw(12) << r.name << std::setw(24) << r.address;
    if (!r.height) {
      all = false;
      out << std::setw(10) << "-" << std::setw(18) << "-" << std::setw(7) << "-"
          << "unreachable\n";
      continue;
    }
    out << std::setw(10) << *r.height << std::setw(18) << r.head << std::setw(7)
        << (r.peers ? std::to_string(*r.peers) : std::string("-")) << top - *r.height << "\n";
  }
  trading::end_process(out, err, all ? 0 : 1);
}

}  // namespace voltaic::runtime
