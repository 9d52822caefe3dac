// `voltaic meter init`, `voltaic meterd` and `voltaic meter tail` as real
// processes against a real Modbus TCP server (libmodbus) holding an SDM630's
// registers on loopback.
#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "meterd_process.hpp"
#include "modbus_test_server.hpp"
#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "voltaic/hardware/curve_keys.hpp"
#include "voltaic/hardware/reading_subscriber.hpp"

using namespace voltaic;
using namespace std::chrono_literals;
using test::init_meter;
using test::parse_tail;
using test::running_meterd;
using test::tail_line;

namespace {

const std::string bin = VOLTAIC_BIN;

hardware::register_field sdm630_import() { return hardware::builtin_register_map("sdm630").value().import_energy; }
hardware::register_field sdm630_export() { return hardware::builtin_register_map("sdm630").value().export_energy; }

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("SDM630 registers come out of meter tail as signed readings, and the meter gone for 10 s gives gaps, never values") {
  test::temp_dir dir("hw-meterd-modbus");
  const std::string d = dir.path().string(), log = d + "/meterd.log";
  test::modbus_test_server meter(32201);
  REQUIRE(meter.start());
  meter.set(sdm630_import(), 12.5);
  meter.set(sdm630_export(), 3.25);
  const std::string key = init_meter(d + "/m", "modbus-tcp://127.0.0.1:32201?unit=1&map=sdm630", "tcp://127.0.0.1:32202");
  running_meterd meterd(d + "/m/meter.toml", log);

  const std::string tail = bin + " meter tail --connect tcp://127.0.0.1:32202 --server-key '" + key +
                           "' --client-key " + d + "/m/client.key --json --wait 30 --count ";
  auto first = test::run_command(tail + "3");
  REQUIRE_MESSAGE(first.status == 0, first.err << "; meterd said: " << test::read_text(log));
  for (const tail_line& l : parse_tail(first.out)) {
    CHECK(l.import_wh == 12'500);
    CHECK(l.export_wh == 3'250);
    CHECK_FALSE(l.gap);
    CHECK(l.signature_ok);
  }

  meter.set(sdm630_import(), 13.0);
  std::this_thread::sleep_for(1s);
  meter.stop();
  std::this_thread::sleep_for(10s);
  REQUIRE(meter.start());

  // Every reading from the first, until two have come after the gaps (the
  // backoff has reached 5 s while the meter was away).
  auto client = hardware::load_curve_keys(d + "/m/client.key");
  REQUIRE(client.ok());
  auto sub = hardware::reading_subscriber::connect("tcp://127.0.0.1:32202", key, client.value());
  REQUIRE(sub.ok());
  std::size_t gaps = 0, after_gaps = 0;
  for (std::uint64_t seq = 1; after_gaps < 2 && seq < 400; ++seq) {
    auto next = sub.value()->next(10s);
    REQUIRE(next.ok());
    REQUIRE_MESSAGE(next.value().has_value(), "no reading for 10 s after " << seq - 1);
    const hardware::reading& l = next.value()->value;
    CHECK(l.seq == seq);
    CHECK(next.value()->signature_ok);
    if (l.gap) {
      ++gaps;
      CHECK(l.import_wh == 0);
      CHECK(l.export_wh == 0);
    } else {
      CHECK_MESSAGE((l.import_wh == 12'500 || l.import_wh == 13'000), "an invented value: " << l.import_wh);
      CHECK(l.export_wh == 3'250);
      if (gaps > 0) after_gaps += l.import_wh == 13'000;
    }
  }
  CHECK(gaps >= 30);  // 10 s at 200 ms, less the reconnecting
  CHECK(after_gaps >= 2);
  meterd.stop();
  const std::string said = test::read_text(log);
  CHECK(count_of(said, "publishing gaps until it answers") == 1);
  CHECK(count_of(said, "the meter answers again") == 1);
}

TEST_CASE("meterd killed with SIGKILL and restarted loses no journaled reading and repeats none") {
  test::temp_dir dir("hw-meterd-kill");
  const std::string d = dir.path().string(), log = d + "/meterd.log";
  std::ofstream(d + "/trace.csv") << "time_ms,import_wh,export_wh\n0,100,0\n1000,150,0\n2000,200,40\n";
  const std::string key = init_meter(d + "/m", "trace://" + d + "/trace.csv", "tcp://127.0.0.1:32211");
  auto client = hardware::load_curve_keys(d + "/m/client.key");
  REQUIRE(client.ok());
  auto sub = hardware::reading_subscriber::connect("tcp://127.0.0.1:32211", key, client.value());
  REQUIRE(sub.ok());

  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;  // (seq, time_ms), as the live subscriber got them
  auto take = [&](std::size_t until) {
    while (seen.size() < until) {
      auto next = sub.value()->next(10s);
      REQUIRE(next.ok());
      REQUIRE_MESSAGE(next.value().has_value(), "no reading for 10 s after " << seen.size());
      CHECK(next.value()->signature_ok);
      seen.emplace_back(next.value()->value.seq, next.value()->value.time_ms);
    }
  };
  {
    running_meterd first(d + "/m/meter.toml", log);
    take(8);
    first.kill();
  }
  std::this_thread::sleep_for(1500ms);
  {
    running_meterd second(d + "/m/meter.toml", log);
    take(20);
  }

  // The restart took up the journal where the killed one left it...
  const std::string said = test::read_text(log);
  std::smatch m;
  const std::string second_start = said.substr(said.rfind("meterd: trace"));
  REQUIRE(std::regex_search(second_start, m, std::regex("journal .* holds (\\d+) reading")));
  CHECK(std::stoull(m[1]) >= 8);
  // ... and a fresh subscriber reads from the journal exactly what the live
  // one got: no sequence number was used twice, none skipped.
  auto again = test::run_command(bin + " meter tail --connect tcp://127.0.0.1:32211 --server-key '" + key +
                                 "' --client-key " + d + "/m/client.key --json --count 1 --wait 2");
  CHECK(again.status == 1);  // meterd is stopped: nobody answers
  for (std::size_t k = 0; k < seen.size(); ++k) {
    CHECK(seen[k].first == k + 1);
    if (k > 0) CHECK(seen[k].second > seen[k - 1].second);  // a reused number would go back in time
  }
  running_meterd replay(d + "/m/meter.toml", log);
  auto from_journal = test::run_command(bin + " meter tail --connect tcp://127.0.0.1:32211 --server-key '" + key +
                                        "' --client-key " + d + "/m/client.key --json --count 20 --wait 20");
  replay.stop();
  REQUIRE_MESSAGE(from_journal.status == 0, from_journal.err);
  const auto replayed = parse_tail(from_journal.out);
  for (std::size_t k = 0; k < replayed.size() && k < seen.size(); ++k) {
    CAPTURE(k);
    CHECK(replayed[k].seq == seen[k].first);
    CHECK(replayed[k].time_ms == seen[k].second);
  }
}

TEST_CASE("a malformed register map, an unreachable meter and a bad meter file each give one clear line") {
  test::temp_dir dir("hw-meterd-bad");
  const std::string d = dir.path().string();
  std::ofstream(d + "/map.toml") << "[import]\naddress = 72\ntype = \"double\"\n[export]\naddress = 74\n";
  init_meter(d + "/m", "modbus-tcp://127.0.0.1:32298?map=" + d + "/map.toml", "tcp://127.0.0.1:32221");
  auto bad_map = test::run_command(bin + " meterd --config " + d + "/m/meter.toml");
  CHECK(bad_map.status == 2);
  CHECK(bad_map.err == "voltaic meterd: " + d + "/map.toml: [import] type: 'double' (expected uint16, int16, uint32, "
                                               "int32 or float32)\n");

  // Nothing listens on 32299: meterd runs, says so once, and publishes gaps.
  const std::string key = init_meter(d + "/u", "modbus-tcp://127.0.0.1:32299", "tcp://127.0.0.1:32222");
  running_meterd meterd(d + "/u/meter.toml", d + "/u.log");
  auto gaps = test::run_command(bin + " meter tail --connect tcp://127.0.0.1:32222 --server-key '" + key +
                                "' --client-key " + d + "/u/client.key --json --count 4 --wait 20");
  meterd.stop();
  REQUIRE_MESSAGE(gaps.status == 0, gaps.err);
  for (const tail_line& l : parse_tail(gaps.out)) CHECK(l.gap);
  const std::string said = test::read_text(d + "/u.log");
  CHECK(count_of(said, "meterd: modbus-tcp 127.0.0.1:32299 unit 1 (sdm630): cannot connect: Connection refused; "
                       "publishing gaps until it answers\n") == 1);

  std::string text = test::read_text(d + "/u/meter.toml");
  std::ofstream(d + "/u/meter.toml") << std::regex_replace(text, std::regex("interval_ms = 200"), "interval_ms = 0");
  auto bad_file = test::run_command(bin + " meterd --config " + d + "/u/meter.toml");
  CHECK(bad_file.status == 2);
  CHECK(bad_file.err.rfind("voltaic meterd: " + d + "/u/meter.toml:", 0) == 0);
  CHECK(bad_file.err.find("interval_ms") != std::string::npos);
  CHECK(count_of(bad_file.err, "\n") == 1);
  auto bad_uri = test::run_command(bin + " meter init --dir " + d + "/v --source modbus-tcp://h --publish tcp://*:1");
  CHECK(bad_uri.status == 2);
  CHECK(bad_uri.err == "voltaic meter init: source 'modbus-tcp://h': expected HOST:PORT\n");
}
