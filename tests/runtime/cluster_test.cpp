// Four validators in four processes on loopback (`voltaic run`), under load
// from `voltaic load`: they commit at least 200 blocks; a SIGKILLed validator
// is not missed and catches up after a restart; with two of four stopped the
// chain halts without forking and resumes when one returns; transactions sent
// to a killed validator are resubmitted and committed exactly once; every
// replica verifies and all agree on every block; a peer sending garbage (or a
// header claiming a 4 GiB frame) is disconnected while the chain goes on.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <deque>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "support/background.hpp"
#include "support/process.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/energy/verify.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

extern char** environ;

using voltaic::test::run_command;
namespace fs = std::filesystem;
using namespace voltaic;

namespace {

const std::string bin = VOLTAIC_BIN;

struct cluster {
  fs::path dir;
  std::vector<std::string> names{"v0", "v1", "v2", "v3"};
  std::map<std::string, pid_t> pids;
  int base = 0;
  int port_of(int i) const { return base + i; }

  explicit cluster(const std::string& tag) {
    dir = fs::temp_directory_path() / ("voltaic-cluster-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "keys");
    auto key = [&](const std::string& k) {
      const auto r = run_command(bin + " keygen --out " + (dir / "keys" / (k + ".key")).string());
      REQUIRE(r.status == 0);
      return r.out.substr(0, 64);
    };
    base = 21000 + (::getpid() % 400) * 10;
    std::ofstream toml(dir / "lab.toml");
    toml << "[chain]\nid = \"cluster\"\ndir = \"chain\"\n\n[consensus]\ntimeout_propose_ms = 300\ngossip_ms = 150\n\n";
    toml << "[genesis]\nauthority = \"" << key("authority") << "\"\nauthority_key_file = \"keys/authority.key\"\n";
    toml << "dso = \"" << key("dso") << "\"\n\n";
    for (std::size_t i = 0; i < names.size(); ++i)
      toml << "[[validator]]\nname = \"" << names[i] << "\"\npublic_key = \"" << key(names[i]) << "\"\nkey_file = \"keys/"
           << names[i] << ".key\"\nport = " << base + static_cast<int>(i) << "\n\n";
  }
  ~cluster() {
    for (auto& [name, pid] : pids) stop(name, SIGKILL);
    fs::remove_all(dir);
  }

  void start(const std::string& name, const std::string& extra = {}) {
    std::vector<std::string> argv{bin, "run", (dir / "lab.toml").string(), "--only", name};
    if (!extra.empty()) argv.push_back(extra);
    const pid_t pid = voltaic::test::start_process(argv, (dir / (name + ".log")).string());
    REQUIRE(pid > 0);
    pids[name] = pid;
  }
  // Sends `sig` and waits (see wait_stopped).
  void stop(const std::string& name, int sig) {
    auto it = pids.find(name);
    if (it == pids.end()) return;
    ::kill(it->second, sig);
    wait_stopped(name, sig);
  }
  // Signals every replica in turn, `gap` apart, as an operator stopping a
  // cluster would, then waits for each: none waits for the others to end.
  void stop_all(int sig, std::chrono::milliseconds gap) {
    for (const auto& [name, pid] : pids) {
      ::kill(pid, sig);
      std::this_thread::sleep_for(gap);
    }
    for (const auto& n : names) wait_stopped(n, sig);
  }
  // Waits for a replica sent `sig`; one that has not ended after 20 s is a
  // failure (and is killed, so the test itself never hangs).
  void wait_stopped(const std::string& name, int sig) {
    auto it = pids.find(name);
    if (it == pids.end()) return;
    const auto s = voltaic::test::stop_process(it->second, 0, 20);
    CHECK_MESSAGE(s.ended, name << " did not stop within 20 s");
    if (sig == SIGTERM)
      CHECK_MESSAGE((WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0), name << " did not exit cleanly");
    pids.erase(it);
  }
  // A replica's head, read from its store while it runs (LMDB allows readers
  // in other processes).
  std::uint64_t head(const std::string& name) const {
    chain::lmdb_options ro;
    ro.read_only = true;
    auto store = chain::open_lmdb_store((dir / "chain" / name).string(), ro);
    if (!store) return 0;
    auto h = store.value()->head_height();
    return h && h.value() ? *h.value() : 0;
  }
  // The last lines of every replica's log, for a failure message.
  std::string log_tails() const {
    std::string all;
    for (const auto& n : names) {
      std::ifstream in(dir / (n + ".log"));
      std::deque<std::string> last;
      for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (last.size() > 12) last.pop_front();
      }
      all += "--- " + n + ".log (head " + std::to_string(head(n)) + ")\n";
      for (const auto& l : last) all += l + "\n";
    }
    return all;
  }
  bool wait_until(const std::function<bool()>& ok, int seconds) const {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ok();
  }
  // Every replica must verify with certificates required and hold the same
  // block at every height; f(name, block) sees each replica's blocks.
  template <class F>
  void for_each_verified_block(F f) const {
    std::map<std::uint64_t, chain::hash256> hash_at;
    for (const auto& n : names) {
      auto store = chain::open_lmdb_store((dir / "chain" / n).string());
      REQUIRE(store.ok());
      chain::verify_options vo;
      vo.require_certificates = true;
      const auto v = chain::verify_chain(*store.value(), {}, vo);
      CHECK_MESSAGE(v.ok, n << ": " << v.reason);
      for (std::uint64_t h = 1; h <= v.height; ++h) {
        auto raw = store.value()->block_bytes(h);
        REQUIRE(raw.ok());
        auto b = chain::decode_block(*raw.value());
        REQUIRE(b.ok());
        auto [it, fresh] = hash_at.emplace(h, b.value().hash);
        CHECK_MESSAGE(it->second == b.value().hash, n << " differs at height " << h);
        f(n, b.value());
      }
    }
  }
  voltaic::test::process_result load(int rate, int seconds) const {
    return run_command(bin + " load --config " + (dir / "lab.toml").string() + " --rate " + std::to_string(rate) +
                       " --duration " + std::to_string(seconds));
  }
};

// Connects to a validator's port, reads its greeting, sends `junk`, and
// returns the seconds until the validator closes the connection (-1 if it
// stays open for 15 s).
double seconds_until_closed(int port, const std::string& junk) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -2;
  }
  timeval tv{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  (void)::recv(fd, buf, sizeof buf, 0);  // the BASP greeting
  (void)!::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
  const auto start = std::chrono::steady_clock::now();
  double closed = -1;
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) {
      closed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      break;
    }
    if (n < 0) break;  // timeout
  }
  ::close(fd);
  return closed;
}

}  // namespace

TEST_CASE("four validators in four processes: load, crashes, halts, catch-up, identical verified chains") {
  cluster c("main");
  for (const auto& n : c.names) c.start(n);

  auto sent_by = [](const voltaic::test::process_result& r) {
    const auto at = r.out.find("sent ");
    return at == std::string::npos ? 0ull : std::stoull(r.out.substr(at + 5));
  };
  // Consensus is running once every replica has committed a block.
  REQUIRE(c.wait_until([&] { return c.head("v0") >= 2 && c.head("v1") >= 2 && c.head("v2") >= 2 && c.head("v3") >= 2; }, 60));
  // Under load, at least 200 blocks.
  auto first = c.load(300, 8);
  CHECK_MESSAGE(first.status == 0, first.out << first.err);
  REQUIRE(c.wait_until([&] { return c.head("v0") >= 200; }, 120));

  // Garbage on a validator's port: a header claiming a 4 GiB payload, and
  // bytes that are no protocol at all. The validator hangs up; the chain goes on.
  const std::uint64_t before_garbage = c.head("v0");
  const double huge = seconds_until_closed(c.port_of(0), std::string(4096, '\xff'));
  CHECK(huge >= 0);
  std::string ramp;
  for (int i = 0; i < 2048; ++i) ramp.push_back(static_cast<char>(i));
  const double junk = seconds_until_closed(c.port_of(0), ramp);
  CHECK(junk >= 0);
  CHECK_MESSAGE(c.wait_until([&] { return c.head("v0") >= before_garbage + 5; }, 30), c.log_tails());

  // SIGKILL one validator during load: the others go on, and every
  // transaction (some sent to the dead one) is committed.
  const std::uint64_t before_kill = c.head("v0");
  c.stop("v3", SIGKILL);
  auto during = c.load(200, 5);
  CHECK_MESSAGE(during.status == 0, during.out << during.err);
  const std::uint64_t sent = sent_by(first) + sent_by(during);
  CHECK(sent > 3'000);
  CHECK(c.head("v0") > before_kill + 5);
  // Restarted, it catches up to the others' head.
  c.start("v3");
  CHECK_MESSAGE(c.wait_until([&] { return c.head("v3") >= c.head("v0") && c.head("v0") > 0; }, 60), c.log_tails());

  // Two of four stopped: no quorum, the chain halts.
  c.stop("v2", SIGTERM);
  c.stop("v3", SIGTERM);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::uint64_t halted = std::max(c.head("v0"), c.head("v1"));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CHECK(std::max(c.head("v0"), c.head("v1")) <= halted + 1);  // at most the block already decided in flight
  // One comes back: it resumes.
  c.start("v2");
  CHECK_MESSAGE(c.wait_until([&] { return c.head("v0") > halted + 5; }, 60), c.log_tails());
  c.start("v3");
  CHECK_MESSAGE(c.wait_until([&] { return c.head("v3") >= c.head("v0"); }, 60), c.log_tails());
  // All four stopped and started again: each may have signed in the current
  // height's round 0 already; they go on in later rounds.
  for (const auto& n : c.names) c.stop(n, SIGTERM);
  const std::uint64_t all_stopped = c.head("v0");
  for (const auto& n : c.names) c.start(n);
  CHECK_MESSAGE(c.wait_until([&] { return c.head("v0") > all_stopped + 3; }, 60), c.log_tails());
  for (const auto& n : c.names) c.stop(n, SIGTERM);

  // Every replica verifies with certificates required; blocks agree at every height.
  std::set<chain::hash256> offer_ids;
  std::uint64_t offer_entries = 0;
  c.for_each_verified_block([&](const std::string& n, const chain::block& b) {
    if (n != "v0") return;
    for (const auto& e : b.entries) {
      auto stx = chain::decode_envelope(e);
      if (stx && stx.value().tx.kind() == chain::tx_kind::energy_account_add) {
        ++offer_entries;
        offer_ids.insert(stx.value().id);
      }
    }
  });
  // Exactly once: every transaction the load sent (some resubmitted after the
  // kill) is on the chain, none twice. The two loads use one seed, so the
  // second continues the senders' nonces from the clock.
  CHECK(offer_entries == sent);
  CHECK(offer_ids.size() == sent);
}

TEST_CASE("four processes stopped one after another under load and restarted, again and again: the chain goes on") {
  // Stopped mid-height, validators can hold a lock on a value nobody
  // committed; before the consensus journal its bytes died with them, they
  // refused every other value, and the chain stopped for good (about one
  // restart in ten, in a lab script, `f2e0439`).
  cluster c("restarts");
  for (const auto& n : c.names) c.start(n);
  REQUIRE(c.wait_until([&] { return c.head("v0") >= 2 && c.head("v3") >= 2; }, 60));
  const std::string lab = (c.dir / "lab.toml").string();
  for (int restart = 0; restart < 8; ++restart) {
    const pid_t load = voltaic::test::start_process(
        {bin, "load", "--config", lab, "--rate", "2000", "--duration", "30"}, (c.dir / "load.log").string());
    REQUIRE(load > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1'000 + (restart * 137) % 800));
    c.stop_all(SIGTERM, std::chrono::milliseconds((restart * 29) % 80));
    (void)voltaic::test::stop_process(load, SIGKILL, 5);
    const std::uint64_t stopped_at = std::max({c.head("v0"), c.head("v1"), c.head("v2"), c.head("v3")});
    for (const auto& n : c.names) c.start(n);
    CHECK_MESSAGE(c.wait_until([&] { return c.head("v0") > stopped_at + 3; }, 30),
                  "restart " << restart << " at height " << stopped_at << "\n" << c.log_tails());
  }
  for (const auto& n : c.names) c.stop(n, SIGTERM);
  c.for_each_verified_block([](const std::string&, const chain::block&) {});
}

TEST_CASE("four processes: a validator that double-signs causes no fork, and its evidence is on chain once") {
  cluster c("equivocate");
  for (const auto& n : {"v0", "v1", "v2"}) c.start(n);
  c.start("v3", "--double-sign");  // signs two different prevotes at every step
  REQUIRE(c.wait_until([&] { return c.head("v0") >= 2 && c.head("v3") >= 2; }, 60));
  auto load = c.load(100, 4);
  CHECK_MESSAGE(load.status == 0, load.out << load.err);
  // Evidence against validator 3 reaches the chain.
  auto evidence_in = [&](const std::string& name) {
    chain::lmdb_options ro;
    ro.read_only = true;
    auto store = chain::open_lmdb_store((c.dir / "chain" / name).string(), ro);
    if (!store) return std::size_t{0};
    auto l = chain::ledger::open(std::move(store).value(), nullptr);
    if (!l) return std::size_t{0};
    std::size_t against_3 = 0;
    for (const auto& [key, height] : l.value()->state().evidence.items()) against_3 += std::get<0>(key) == 3;
    return against_3;
  };
  CHECK_MESSAGE(c.wait_until([&] { return evidence_in("v0") > 0; }, 60), c.log_tails());
  const std::uint64_t at = c.head("v0");
  CHECK_MESSAGE(c.wait_until([&] { return c.head("v0") >= at + 5; }, 30), c.log_tails());  // the chain goes on
  for (const auto& n : c.names) c.stop(n, SIGTERM);

  // No fork: every replica verifies with certificates and all agree at every height;
  // each equivocation step is recorded once (its key is the step).
  std::map<std::string, std::size_t> evidence_entries;
  std::map<std::string, std::set<std::tuple<std::uint64_t, std::uint32_t, std::uint8_t>>> steps;
  c.for_each_verified_block([&](const std::string& n, const chain::block& b) {
    for (const auto& e : b.entries) {
      auto stx = chain::decode_envelope(e);
      if (!stx || stx.value().tx.kind() != chain::tx_kind::evidence) continue;
      const auto& body = std::get<chain::evidence_body>(stx.value().tx.body);
      CHECK(body.voter == 3);
      ++evidence_entries[n];
      steps[n].insert({body.height, body.round, body.vote_kind});
    }
  });
  for (const auto& n : c.names) {
    CHECK(evidence_entries[n] > 0);
    CHECK(evidence_entries[n] == steps[n].size());
  }
}
