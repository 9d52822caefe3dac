#include "memory_budget.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

namespace voltaic::runtime {

namespace {

// A "Name:   1234 kB" line of a /proc file, in bytes; max when absent.
std::uint64_t proc_kib(const char* file, const std::string& name) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, name.size(), name) != 0) continue;
    std::istringstream fields(line.substr(name.size()));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return std::numeric_limits<std::uint64_t>::max();
}

}  // namespace

std::uint64_t memory_available_bytes() {
  std::uint64_t available = proc_kib("/proc/meminfo", "MemAvailable:");
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const std::uint64_t mapped = proc_kib("/proc/self/status", "VmSize:");
    const std::uint64_t cap = limit.rlim_cur;
    available = std::min(available, mapped < cap ? cap - mapped : 0);
  }
  return available;
}

std::string mebibytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace voltaic::runtime
