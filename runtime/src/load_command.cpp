// voltaic load --config FILE --rate N --duration S: connects to the
// validators of a run file and runs the load client (load_client.hpp), then
// reports the committed rate and the commit latency.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <ostream>

#include "load_client.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime {

int run_load(const load_options& o, std::ostream& out, std::ostream& err) {
  auto config = load_run_config(o.config);
  if (!config) {
    err << "voltaic load: " << config.err().message << "\n";
    return 2;
  }
  const run_config& c = config.value();
  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  cfg.load<caf::io::middleman>();
  // One actor: work sharing sleeps on a condition variable, where the
  // default work stealing polls and took most of the client's CPU away from
  // the validators it shares the machine with.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", std::size_t{1});
  caf::actor_system system{cfg};
  std::vector<caf::actor> validators;
  std::vector<endpoint> endpoints;
  std::size_t reached = 0;
  for (const auto& v : c.validators) {
    auto remote = system.middleman().remote_actor(v.host, v.port);
    validators.push_back(remote ? *remote : caf::actor{});
    endpoints.push_back(endpoint{v.host, v.port});
    reached += remote ? 1 : 0;
  }
  if (reached == 0) {
    err << "voltaic load: no validator of " << o.config << " answers\n";
    return 1;
  }
  load_report r = run_load_client(system, o, c.genesis.chain_id, std::move(validators), std::move(endpoints));

  std::sort(r.latencies.begin(), r.latencies.end());
  auto pct = [&](double q) {
    return r.latencies.empty()
               ? 0.0
               : r.latencies[std::min(r.latencies.size() - 1, static_cast<std::size_t>(q * static_cast<double>(r.latencies.size())))];
  };
  out << "load: sent " << r.sent << " signed transactions at " << o.rate << "/s for " << o.duration_s << " s to "
      << reached << " validator(s)\n";
  out << "committed " << r.latencies.size() << " (" << r.not_committed << " not committed, " << r.refused
      << " refused, " << r.resubmitted << " resubmissions, " << r.resigned
      << " signed again); committed rate "
      << static_cast<std::uint64_t>(static_cast<double>(r.latencies.size()) / r.span_s) << " tx/s\n";
  for (const auto& [reason, n] : r.refusals) out << "refused " << reason << ": " << n << "\n";
  out << "commit latency p50 " << static_cast<std::uint64_t>(pct(0.50)) << " ms, p99 "
      << static_cast<std::uint64_t>(pct(0.99)) << " ms\n";
  out << "head " << r.seen_height << "\n";
  return r.not_committed == 0 ? 0 : 1;
}

}  // namespace voltaic::runtime
