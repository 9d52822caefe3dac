#pragma once
// Work that reads a store which may be damaged, run in a forked child: a
// damaged memory-mapped LMDB file can kill its reader with SIGBUS, and the
// command must report that as damage, never die of it (private to runtime/).

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace voltaic::runtime {

struct child_outcome {
  int code = 1;
  std::string out, err;  // what the child wrote
  bool crashed = false;  // killed by a signal, or ended without a word
  int signal = 0;
  std::uint64_t progress = 0;  // the last value the child published
};

using child_work =
    std::function<int(std::ostream& out, std::ostream& err, const std::function<void(std::uint64_t)>& publish)>;

// Runs `work` in a child process and collects what it wrote and returned.
// `publish` shares a number with the parent as the child goes (how far it
// got before a crash). Fork early or from one thread: the child only runs `work`.
child_outcome run_in_child(const child_work& work);

// "the file is damaged (signal 7)" or "... (no verdict)", for a crash.
std::string crash_text(const child_outcome& c);

}  // namespace voltaic::runtime
