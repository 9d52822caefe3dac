#pragma once
// Loopback ports for labs of real processes, and waiting on their logs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "support/paths.hpp"

namespace voltaic::test {

// Whether loopback ports [first, first + n) can be listened on now.
inline bool ports_free(int first, int n) {
  for (int port = first; port < first + n; ++port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) return false;
  }
  return true;
}

// Whether `text` shows up in the file `log` within a minute (a loaded machine starts slowly).
inline bool shows_up(const std::string& log, const std::string& text) {
  for (int i = 0; i < 3000; ++i) {
    if (read_text(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace voltaic::test
