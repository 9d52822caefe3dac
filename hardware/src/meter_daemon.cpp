#include "voltaic/hardware/meter_daemon.hpp"

#include <algorithm>
#include <chrono>

#include "voltaic/hardware/meter_keys_file.hpp"
#include "voltaic/hardware/reading_journal.hpp"
#include "voltaic/hardware/reading_server.hpp"

namespace voltaic::hardware {

status run_meterd(const meterd_config& config, const std::atomic<bool>& stop, std::ostream& log) {
  auto keys = load_meter_keys(config.key_file);
  if (!keys) return keys.err();
  std::vector<coe_signer> signers;
  for (std::size_t k = 0; k < keys.value().coe.size(); ++k) signers.push_back(coe_signer_of(keys.value(), k));
  auto server_keys = load_curve_keys(config.curve_secret_key_file);
  if (!server_keys) return server_keys.err();
  auto allowed = load_allowed_clients(config.allowed_clients_file);
  if (!allowed) return allowed.err();
  if (allowed.value().empty())
    return make_error(errc::invalid_field, config.allowed_clients_file + ": no client key: nobody could subscribe");
  auto source = open_meter_source(config.source);
  if (!source) return source.err();
  auto journal = reading_journal::open(config.journal_dir);
  if (!journal) return journal.err();
  auto server = reading_server::start(config.endpoint, server_keys.value(), allowed.value(), *journal.value());
  if (!server) return server.err();

  log << "meterd: " << source.value()->describe() << " every " << config.interval_ms << " ms, publishing on "
      << config.endpoint << " for " << allowed.value().size() << " client(s); journal " << config.journal_dir
      << " holds " << journal.value()->last_seq() << " reading(s)" << std::endl;
  const auto interval = std::chrono::milliseconds(config.interval_ms);
  auto next_read = std::chrono::steady_clock::now();
  bool reachable = true;
  while (!stop) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_read) {
      next_read += interval;
      if (next_read < now) next_read = now + interval;  // a read that took longer than the interval
      reading r;
      r.meter = keys.value().identity.pub;
      r.seq = journal.value()->last_seq() + 1;
      auto sample = source.value()->read();
      if (sample) {
        r.time_ms = sample.value().time_ms;
        r.import_wh = sample.value().import_wh;
        r.export_wh = sample.value().export_wh;
        r.counter = sample.value().counter;
        if (!reachable) log << "meterd: the meter answers again" << std::endl;
        reachable = true;
      } else {
        r.time_ms = wall_clock_ms();
        r.gap = true;
        if (reachable) log << "meterd: " << sample.err().message << "; publishing gaps until it answers" << std::endl;
        reachable = false;
      }
      // Journaled before it is served: what a subscriber saw survives a crash.
      const chain::bytes wire = sign_reading(r, signers[r.seq % signers.size()]);
      if (auto st = journal.value()->append(r.seq, wire); !st) return st;
    }
    const auto until_read = std::chrono::duration_cast<std::chrono::milliseconds>(next_read - std::chrono::steady_clock::now());
    server.value()->serve_for(std::clamp(until_read, std::chrono::milliseconds(0), std::chrono::milliseconds(200)));
  }
  return {};
}

}  // namespace voltaic::hardware
