#include "in_child.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

namespace voltaic::runtime {

namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

child_outcome run_in_child(const child_work& work) {
  child_outcome r;
  void* page = ::mmap(nullptr, sizeof(std::uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  int fds[2];
  if (page == MAP_FAILED || ::pipe(fds) != 0) {
    r.err = "cannot set up a child process\n";
    return r;
  }
  auto* shared = static_cast<volatile std::uint64_t*>(page);
  *shared = 0;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::munmap(page, sizeof(std::uint64_t));
    r.err = "cannot fork\n";
    return r;
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::ostringstream out, err;
    const int code = work(out, err, [shared](std::uint64_t v) { *shared = v; });
    // [code, length of out] then out and err.
    std::string text = std::to_string(code) + " " + std::to_string(out.str().size()) + "\n" + out.str() + err.str();
    write_all(fds[1], text);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.progress = *shared;
  ::munmap(page, sizeof(std::uint64_t));
  std::istringstream head(text);
  std::size_t out_size = 0;
  const auto line_end = text.find('\n');
  if (!WIFEXITED(status) || line_end == std::string::npos || !(head >> r.code >> out_size) ||
      line_end + 1 + out_size > text.size()) {
    r.crashed = true;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.code = 1;
    return r;
  }
  r.out = text.substr(line_end + 1, out_size);
  r.err = text.substr(line_end + 1 + out_size);
  return r;
}

std::string crash_text(const child_outcome& c) {
  return "the file is damaged (" + (c.signal ? "signal " + std::to_string(c.signal) : std::string("no verdict")) + ")";
}

}  // namespace voltaic::runtime
