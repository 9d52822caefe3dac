// voltaic load --config FILE --rate N --duration S: a load generator. 256
// senders (keys derived from --seed) sign energy-account offers, sent
// round-robin to the validators at N per second; any not committed within a
// few seconds is resubmitted to the next validator (its nonce makes it commit
// at most once). It watches the chain for them and reports the committed rate
// and the commit latency.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <ostream>
#include <thread>

#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/block.hpp"
#include "voltaic/chain/transaction.hpp"
#include "voltaic/chain/workload.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime {

namespace {

using steady = std::chrono::steady_clock;

double ms_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct pending_tx {
  std::string envelope;
  steady::time_point first_sent, last_sent;
  std::size_t sent_to = 0;
};

}  // namespace

int run_load(const load_options& o, std::ostream& out, std::ostream& err) {
  auto config = load_run_config(o.config);
  if (!config) {
    err << "voltaic load: " << config.err().message << "\n";
    return 2;
  }
  const run_config& c = config.value();
  constexpr std::size_t senders = 256;
  constexpr std::uint64_t load_sender_role = 0x10;  // apart from the workload's roles
  std::vector<chain::key_pair> keys;
  for (std::size_t i = 0; i < senders; ++i) keys.push_back(chain::derived_key(o.seed, load_sender_role, i));
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::vector<caf::actor> validators;
  for (const auto& v : c.validators) {
    auto remote = system.middleman().remote_actor(v.host, v.port);
    if (remote) validators.push_back(*remote);
  }
  if (validators.empty()) {
    err << "voltaic load: no validator of " << o.config << " answers\n";
    return 1;
  }

  // Nonces only need to increase: start from the clock so runs never collide.
  std::uint64_t nonce = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::map<chain::hash256, pending_tx> pending;
  std::vector<double> latencies;
  std::uint64_t sent = 0, refused = 0, resubmitted = 0, seen_height = 0;
  std::map<std::string, std::uint64_t> refusals;
  const auto start = steady::now();
  const auto end_sending = start + std::chrono::milliseconds(static_cast<std::int64_t>(o.duration_s * 1000));
  const auto give_up = end_sending + std::chrono::seconds(15);
  auto next_poll = start;
  steady::time_point last_commit = start;

  // Each transaction goes to the next validator in turn; if that one refuses
  // to take it (unreachable, slow, full) the others are tried at once, so a
  // sender's next nonce never overtakes one that no validator holds.
  auto submit = [&](pending_tx& p, bool again) {
    std::string last;
    for (std::size_t attempt = 0; attempt < validators.size(); ++attempt, ++p.sent_to) {
      const auto& target = validators[p.sent_to % validators.size()];
      std::string r;
      self->request(target, std::chrono::seconds(2), agents::tx_atom::value, p.envelope)
          .receive([&](const std::string& reply) { r = reply; },
                   [&](caf::error& e) { r = "unreachable: " + system.render(e); });
      // A resubmission may find its transaction waiting or just committed.
      const bool taken = r == "ok" || (again && (r.rfind("duplicate", 0) == 0 || r.rfind("nonce-stale", 0) == 0));
      if (taken) {
        p.last_sent = steady::now();
        return;
      }
      last = r;
      if (r.rfind("unreachable", 0) != 0 && r.rfind("pool-full", 0) != 0 && r.rfind("sender-over-quota", 0) != 0)
        break;  // a verdict on the transaction itself: another validator would agree
    }
    ++refused;
    ++refusals[last.substr(0, last.find(':'))];
    p.last_sent = steady::now();
  };
  auto poll = [&] {
    // New blocks from the first validator that answers.
    for (const auto& v : validators) {
      std::uint64_t head = 0;
      bool answered = false;
      self->request(v, std::chrono::seconds(2), agents::head_atom::value)
          .receive([&](std::uint64_t h, const std::string&) { head = h, answered = true; }, [&](caf::error&) {});
      if (!answered) continue;
      for (std::uint64_t h = seen_height + 1; h <= head; ++h) {
        std::string raw;
        self->request(v, std::chrono::seconds(2), agents::blockreq_atom::value, h)
            .receive([&](const std::string& r) { raw = r; }, [&](caf::error&) {});
        auto b = chain::decode_block(chain::bytes(raw.begin(), raw.end()));
        if (!b) break;
        const auto now = steady::now();
        for (const auto& e : b.value().entries) {
          auto it = pending.find(chain::entry_id(e));
          if (it == pending.end()) continue;
          latencies.push_back(ms_between(it->second.first_sent, now));
          last_commit = now;
          pending.erase(it);
        }
        seen_height = h;
      }
      return;
    }
  };

  const double interval_ms = 1000.0 / std::max(1.0, o.rate);
  while (steady::now() < give_up) {
    const auto now = steady::now();
    if (now < end_sending) {
      // Send what the rate allows up to now.
      const auto due = static_cast<std::uint64_t>(ms_between(start, now) / interval_ms) + 1;
      while (sent < due) {
        const auto& key = keys[sent % senders];
        chain::transaction t;
        t.signer = key.pub;
        t.nonce = nonce + sent / senders + 1;
        t.expiry_height = UINT64_MAX / 2;
        t.body = chain::energy_account_body{1'000'000, 150'000};  // 1 kWh at 0.15
        const auto stx = chain::sign_transaction(t, c.genesis.chain_id, key);
        pending_tx p{std::string(stx.envelope.begin(), stx.envelope.end()), steady::now(), {}, sent};
        submit(p, false);
        pending.emplace(stx.id, std::move(p));
        ++sent;
      }
    } else if (pending.empty()) {
      break;
    }
    if (now >= next_poll) {
      poll();
      // Latency is when the client sees the commit: poll often, so it is at most 10 ms late.
      next_poll = steady::now() + std::chrono::milliseconds(10);
      // Not committed after 3 s: the validator may have died; try the next.
      for (auto& [id, p] : pending)
        if (steady::now() - p.last_sent > std::chrono::seconds(3)) {
          ++p.sent_to;
          ++resubmitted;
          submit(p, true);
        }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
  };
  const double span_s = std::max(1e-3, ms_between(start, last_commit) / 1000.0);
  out << "load: sent " << sent << " signed transactions at " << o.rate << "/s for " << o.duration_s << " s to "
      << validators.size() << " validator(s)\n";
  out << "committed " << latencies.size() << " (" << pending.size() << " not committed, " << refused << " refused, "
      << resubmitted << " resubmissions); committed rate " << static_cast<std::uint64_t>(static_cast<double>(latencies.size()) / span_s)
      << " tx/s\n";
  for (const auto& [reason, n] : refusals) out << "refused " << reason << ": " << n << "\n";
  out << "commit latency p50 " << static_cast<std::uint64_t>(pct(0.50)) << " ms, p99 "
      << static_cast<std::uint64_t>(pct(0.99)) << " ms\n";
  out << "head " << seen_height << "\n";
  return pending.empty() ? 0 : 1;
}

}  // namespace voltaic::runtime
