#pragma once
// Real child processes that run in the background (validators, agents):
// start with output to a log file, stop with a signal and a deadline.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace voltaic::test {

// Starts `argv` (argv[0] is the program) with stdout and stderr appended to `log`.
inline pid_t start_process(std::vector<std::string> argv, const std::string& log) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  if (::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

struct stopped {
  bool ended = false;  // within the deadline (else it was killed)
  int status = 0;      // as from waitpid
};

// Sends `sig` (0: none, just wait) and waits up to `seconds`; SIGKILLs it after that.
inline stopped stop_process(pid_t pid, int sig, int seconds) {
  if (sig) ::kill(pid, sig);
  stopped s;
  for (int i = 0; i < seconds * 10 && !s.ended; ++i) {
    s.ended = ::waitpid(pid, &s.status, WNOHANG) == pid;
    if (!s.ended) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!s.ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &s.status, 0);
  }
  return s;
}

}  // namespace voltaic::test
