#pragma once
// Counts heap bytes in use and their peak for the benchmark process by
// replacing the global allocation functions. Include in exactly one
// translation unit of a benchmark program.
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace voltaic::bench {

inline std::atomic<std::size_t> heap_in_use{0};
inline std::atomic<std::size_t> heap_peak{0};

inline void note_alloc(void* p) {
  if (!p) return;
  const std::size_t now = heap_in_use += malloc_usable_size(p);
  std::size_t peak = heap_peak.load(std::memory_order_relaxed);
  while (now > peak && !heap_peak.compare_exchange_weak(peak, now)) {
  }
}

// Starts a new peak measurement from the bytes in use now.
inline void reset_peak() { heap_peak = heap_in_use.load(); }
inline double peak_mib_since(std::size_t baseline) {
  return static_cast<double>(heap_peak.load() - baseline) / (1024.0 * 1024.0);
}

}  // namespace voltaic::bench

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  voltaic::bench::note_alloc(p);
  return p;
}
// The replaced operator new allocates with malloc, so free is the match.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
  if (!p) return;
  voltaic::bench::heap_in_use -= malloc_usable_size(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
