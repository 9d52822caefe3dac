#include "voltaic/hardware/meter_daemon.hpp"

#include <algorithm>
#include <chrono>

#include "voltaic/hardware/meter_keys_file.hpp"
#include "voltaic/hardware/reading_journal.hpp"
#include "voltaic/hardware/reading_server.hpp"

namespace voltaic::hardware {

struct meter_daemon::parts {
  meterd_config config;
  meter_key_material keys;
  std::vector<coe_signer> signers;
  std::size_t clients = 0;
  std::unique_ptr<meter_source> source;
  std::unique_ptr<reading_journal> journal;
  std::unique_ptr<reading_server> server;
};

meter_daemon::meter_daemon(std::unique_ptr<parts> p) : parts_(std::move(p)) {}
meter_daemon::~meter_daemon() = default;

result<std::unique_ptr<meter_daemon>> meter_daemon::open(const meterd_config& config) {
  auto p = std::make_unique<parts>();
  p->config = config;
  auto keys = load_meter_keys(config.key_file);
  if (!keys) return keys.err();
  p->keys = std::move(keys).value();
  for (std::size_t k = 0; k < p->keys.coe.size(); ++k) p->signers.push_back(coe_signer_of(p->keys, k));
  auto server_keys = load_curve_keys(config.curve_secret_key_file);
  if (!server_keys) return server_keys.err();
  auto allowed = load_allowed_clients(config.allowed_clients_file);
  if (!allowed) return allowed.err();
  if (allowed.value().empty())
    return make_error(errc::invalid_field, config.allowed_clients_file + ": no client key: nobody could subscribe");
  p->clients = allowed.value().size();
  auto source = open_meter_source(config.source);
  if (!source) return source.err();
  p->source = std::move(source).value();
  auto journal = reading_journal::open(config.journal_dir);
  if (!journal) return journal.err();
  p->journal = std::move(journal).value();
  auto server = reading_server::start(config.endpoint, server_keys.value(), allowed.value(), *p->journal);
  if (!server) return server.err();
  p->server = std::move(server).value();
  return std::unique_ptr<meter_daemon>(new meter_daemon(std::move(p)));
}

status meter_daemon::run(const std::atomic<bool>& stop, std::ostream& log) {
  parts& p = *parts_;
  log << "meterd: " << p.source->describe() << " every " << p.config.interval_ms << " ms, publishing on "
      << p.config.endpoint << " for " << p.clients << " client(s); journal " << p.config.journal_dir << " holds "
      << p.journal->last_seq() << " reading(s)" << std::endl;
  const auto interval = std::chrono::milliseconds(p.config.interval_ms);
  auto next_read = std::chrono::steady_clock::now();
  bool reachable = true;
  while (!stop) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_read) {
      next_read += interval;
      if (next_read < now) next_read = now + interval;  // a read that took longer than the interval
      reading r;
      r.meter = p.keys.identity.pub;
      r.seq = p.journal->last_seq() + 1;
      auto sample = p.source->read();
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
      const chain::bytes wire = sign_reading(r, p.signers[r.seq % p.signers.size()]);
      if (auto st = p.journal->append(r.seq, wire); !st) return st;
    }
    const auto until_read =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_read - std::chrono::steady_clock::now());
    p.server->serve_for(std::clamp(until_read, std::chrono::milliseconds(0), std::chrono::milliseconds(200)));
  }
  return {};
}

}  // namespace voltaic::hardware
