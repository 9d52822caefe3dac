#pragma once
// ZeroMQ CURVE keys (Z85 text, 40 characters) for the link between
// `voltaic meterd` and its subscribers: a key-pair file (mode 0600, never
// overwritten) and the file of client public keys a meterd admits, one per
// line (a line that starts with '#' and is no key is a comment: '#' is
// also a Z85 digit).
// Thread-safety: plain values; files are not locked.

#include <string>
#include <vector>

#include "voltaic/hardware/meter_source.hpp"

namespace voltaic::hardware {

struct curve_key_pair {
  std::string public_z85;
  std::string secret_z85;
};

curve_key_pair generate_curve_keys();
bool is_curve_key(const std::string& z85);
status save_curve_keys(const std::string& path, const curve_key_pair& keys);
result<curve_key_pair> load_curve_keys(const std::string& path);
result<std::vector<std::string>> load_allowed_clients(const std::string& path);

}  // namespace voltaic::hardware
