// Fuzz target: a stored state record, as every record kind would read it.
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/ledger_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace voltaic::chain;
  const bytes value(data, data + size);
  const std::pair<char, std::size_t> kinds[] = {{'a', 32}, {'c', 8}, {'e', 32}, {'o', 16}, {'r', 16},
                                                {'s', 49}, {'g', 0},  {'p', 0},  {'n', 0}};
  for (const auto& [prefix, key_size] : kinds) {
    ledger_state st;
    bytes key(1 + key_size, 0);
    key[0] = static_cast<std::uint8_t>(prefix);
    (void)st.load_record(prefix == 'c' ? state_table::ctps : state_table::state, key, value);
  }
  return 0;
}
