#pragma once
// How much memory this process may still take: the smaller of the kernel's
// MemAvailable and the address-space limit (ulimit -v) less what is mapped.
// Commands use it to refuse an input too large to process before they
// start, rather than end in std::bad_alloc or the OOM killer.
#include <cstdint>
#include <string>

namespace voltaic::runtime {

std::uint64_t memory_available_bytes();

// "123 MiB": for messages.
std::string mebibytes(std::uint64_t bytes);

}  // namespace voltaic::runtime
