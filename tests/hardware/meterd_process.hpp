#pragma once
// `voltaic meter init`, `voltaic meterd` and `voltaic meter tail --json` as
// the hardware tests drive them: a meter set up with readings every 200 ms,
// a meterd process stopped however the test case ends, tail's lines parsed.
#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/background.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace voltaic::test {

// `meter init` into `dir` by `program` (a command line: the voltaic binary,
// or qemu and an arm64 one), readings every 200 ms; every file it writes is
// 0600. Returns meterd's server key.
inline std::string init_meter(const std::string& dir, const std::string& source, const std::string& publish,
                              const std::string& program = VOLTAIC_BIN) {
  auto r = run_command(program + " meter init --dir " + dir + " --source '" + source + "' --publish " + publish);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  for (const std::string file : {"meter.toml", "meter.keys", "server.curve", "client.key", "allowed_clients"}) {
    CAPTURE(file);
    CHECK((std::filesystem::status(dir + "/" + file).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  }
  const std::string text = read_text(dir + "/meter.toml");
  std::ofstream(dir + "/meter.toml") << std::regex_replace(text, std::regex("interval_ms = 1000"), "interval_ms = 200");
  return r.out.substr(0, 40);
}

// A meterd process (`program` then its arguments), stopped when the test
// case ends however it ends: a failed REQUIRE must not leave it on the port.
struct running_meterd {
  pid_t pid;
  running_meterd(const std::string& config, const std::string& log,
                 std::vector<std::string> program = {VOLTAIC_BIN}) {
    program.insert(program.end(), {"meterd", "--config", config});
    pid = start_process(program, log);
    REQUIRE(pid > 0);
  }
  ~running_meterd() { stop(); }
  running_meterd(const running_meterd&) = delete;
  running_meterd& operator=(const running_meterd&) = delete;
  void stop() {
    if (pid > 0) stop_process(pid, SIGTERM, 10);
    pid = -1;
  }
  void kill() {
    ::kill(pid, SIGKILL);
    stop_process(pid, 0, 5);
    pid = -1;
  }
};

struct tail_line {
  std::uint64_t seq = 0;
  std::uint64_t time_ms = 0;
  std::int64_t import_wh = -1, export_wh = -1;
  bool gap = false, signature_ok = false;
};

// `meter tail --json` output, a line per reading; each must have the exact shape.
inline std::vector<tail_line> parse_tail(const std::string& out) {
  std::vector<tail_line> lines;
  std::istringstream in(out);
  std::string line;
  std::smatch m;
  const std::regex shape(
      R"re(\{"export_wh":(-?\d+),"gap":(true|false),"import_wh":(-?\d+),"meter":"[0-9a-f]{64}","seq":(\d+),"signature_ok":(true|false),"time_ms":(\d+)\})re");
  while (std::getline(in, line)) {
    REQUIRE_MESSAGE(std::regex_match(line, m, shape), line);
    lines.push_back(
        {std::stoull(m[4]), std::stoull(m[6]), std::stoll(m[3]), std::stoll(m[1]), m[2] == "true", m[5] == "true"});
  }
  return lines;
}

}  // namespace voltaic::test
