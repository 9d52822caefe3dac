// Test helper for the crash-safety test: commits blocks into a chain store in
// a loop and appends each height to a record file after its commit returns.
// Usage: chain_crash_child DIR RECORD_FILE
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

using namespace voltaic::chain;

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  workload_options wo;
  wo.txs_per_block = 1;
  wo.accounts = 16;
  wo.meter_keys = 4;
  workload wl(wo);
  auto store = open_lmdb_store(argv[1]);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.err().message.c_str());
    return 1;
  }
  auto l = ledger::open(std::move(store).value(), &wl.genesis());
  if (!l) {
    std::fprintf(stderr, "%s\n", l.err().message.c_str());
    return 1;
  }
  const int record = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (record < 0) return 1;
  for (;;) {
    const auto& st = l.value()->state();
    const std::uint64_t h = st.height + 1;
    auto built = l.value()->propose(wl.next_block(st), wl.genesis().time_ms + h, wl.proposer(h).pub);
    if (!built) {
      std::fprintf(stderr, "%s\n", built.err().message.c_str());
      return 1;
    }
    const std::string line = std::to_string(h) + "\n";
    if (::write(record, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
  }
}
