#include "voltaic/hardware/curve_keys.hpp"

#include <zmq.h>

#include <fstream>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::hardware {

namespace {
constexpr const char* header = "voltaic-curve-keypair 1";
}

curve_key_pair generate_curve_keys() {
  char pub[41] = {0}, sec[41] = {0};
  zmq_curve_keypair(pub, sec);
  return {pub, sec};
}

bool is_curve_key(const std::string& z85) {
  if (z85.size() != 40) return false;
  std::uint8_t raw[32];
  return zmq_z85_decode(raw, z85.c_str()) != nullptr;
}

status save_curve_keys(const std::string& path, const curve_key_pair& keys) {
  return chain::write_private_file(path, std::string(header) + "\npublic " + keys.public_z85 + "\nsecret " +
                                             keys.secret_z85 + "\n");
}

result<curve_key_pair> load_curve_keys(const std::string& path) {
  auto text = chain::read_private_file(path, 512);
  if (!text) return text.err();
  const std::string& t = text.value();
  const std::string expected_start = std::string(header) + "\npublic ";
  const std::size_t secret_at = expected_start.size() + 40 + std::string("\nsecret ").size();
  curve_key_pair keys;
  if (t.compare(0, expected_start.size(), expected_start) == 0 && t.size() >= secret_at + 40) {
    keys.public_z85 = t.substr(expected_start.size(), 40);
    keys.secret_z85 = t.substr(secret_at, 40);
  }
  if (!is_curve_key(keys.public_z85) || !is_curve_key(keys.secret_z85))
    return make_error(errc::invalid_field, path + ": not a CURVE key-pair file (as `voltaic keygen --curve` writes)");
  return keys;
}

result<std::vector<std::string>> load_allowed_clients(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errc::io_error, path + ": cannot open the allowed clients file");
  std::vector<std::string> keys;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    const std::string key = line.substr(first, last - first + 1);
    // '#' is a Z85 digit too: a line is a comment only when it is no key.
    if (!is_curve_key(key) && key[0] == '#') continue;
    if (!is_curve_key(key))
      return make_error(errc::invalid_field, path + ":" + std::to_string(number) + ": '" + key +
                                                 "' is not a CURVE public key (40 characters of Z85)");
    keys.push_back(key);
  }
  return keys;
}

}  // namespace voltaic::hardware
