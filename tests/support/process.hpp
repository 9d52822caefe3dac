#pragma once
// Runs a command line as a real child process and captures stdout, stderr and
// the exit status (tests of the `voltaic` program).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "support/paths.hpp"

namespace voltaic::test {

struct process_result {
  int status = -1;
  std::string out;
  std::string err;
};

inline process_result run_command(const std::string& command) {
  static int counter = 0;
  // Test cases run as parallel processes in one directory: name by pid.
  const std::string err_path =
      "process_stderr_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + ".txt";
  process_result r;
  FILE* pipe = popen((command + " 2>" + err_path).c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = read_text(err_path);
  std::remove(err_path.c_str());
  return r;
}

}  // namespace voltaic::test
