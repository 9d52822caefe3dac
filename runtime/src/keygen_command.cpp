#include <ostream>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

int run_keygen(const std::string& out_path, std::ostream& out, std::ostream& err) {
  if (!chain::crypto_ready()) {
    err << "voltaic keygen: libsodium could not start\n";
    return 1;
  }
  const chain::key_pair key = chain::generate_key_pair();
  if (auto st = chain::save_key_file(out_path, key); !st) {
    err << "voltaic keygen: " << st.err().message << "\n";
    return 1;
  }
  out << chain::to_hex(key.pub) << "\n";
  return 0;
}

}  // namespace voltaic::runtime
