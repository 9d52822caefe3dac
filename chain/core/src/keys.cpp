#include "voltaic/chain/core/keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace voltaic::chain {

const char* domain_tag(domain d) {
  switch (d) {
    case domain::transaction: return "voltaic/tx/1";
    case domain::consensus_vote: return "voltaic/vote/1";
    case domain::meter_reading: return "voltaic/meter/1";
    case domain::routing_envelope: return "voltaic/route/1";
    case domain::cross_chain_proof: return "voltaic/xchain/1";
    case domain::certificate_of_existence: return "voltaic/coe/1";
    case domain::energy_receipt: return "voltaic/erc/1";
    case domain::order: return "voltaic/order/1";
    case domain::query: return "voltaic/query/1";
  }
  return "voltaic/unknown";
}

namespace {

// tag || 0x00 || chain id length (1 byte) || chain id || message. The length
// prefix keeps ("ab", "c...") and ("a", "bc...") apart.
bytes signed_bytes(domain d, std::string_view chain_id, const bytes& message) {
  const std::string_view tag = domain_tag(d);
  bytes out;
  out.reserve(tag.size() + 2 + chain_id.size() + message.size());
  out.insert(out.end(), tag.begin(), tag.end());
  out.push_back(0);
  out.push_back(static_cast<std::uint8_t>(chain_id.size() > 255 ? 255 : chain_id.size()));
  out.insert(out.end(), chain_id.begin(), chain_id.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(chain_id.size(), 255)));
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

}  // namespace

key_pair generate_key_pair() {
  crypto_ready();
  key_pair k;
  crypto_sign_keypair(k.pub.data(), k.secret.data());
  return k;
}

key_pair key_pair_from_seed(const std::array<std::uint8_t, 32>& seed) {
  crypto_ready();
  key_pair k;
  crypto_sign_seed_keypair(k.pub.data(), k.secret.data(), seed.data());
  return k;
}

signature sign(domain d, std::string_view chain_id, const bytes& message, const key_pair& key) {
  crypto_ready();
  const bytes m = signed_bytes(d, chain_id, message);
  signature sig{};
  crypto_sign_detached(sig.data(), nullptr, m.data(), m.size(), key.secret.data());
  return sig;
}

bool verify(domain d, std::string_view chain_id, const bytes& message, const signature& sig,
            const public_key& key) {
  crypto_ready();
  const bytes m = signed_bytes(d, chain_id, message);
  return crypto_sign_verify_detached(sig.data(), m.data(), m.size(), key.data()) == 0;
}

status write_private_file(const std::string& path, const std::string& text) {
  // O_EXCL: never overwrite a key; 0600 from the start, not after a chmod.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    return market::make_error(market::errc::io_error,
                              path + ": cannot create the key file (" + std::strerror(errno) + ")");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(path.c_str());
    return market::make_error(market::errc::io_error, path + ": cannot write the key file");
  }
  return {};
}

result<std::string> read_private_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return market::make_error(market::errc::io_error,
                              path + ": cannot open the key file (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    return market::make_error(market::errc::io_error,
                              path + ": the key file is accessible to other users; run chmod 600 " + path);
  }
  std::string text(max_bytes, '\0');
  std::size_t got = 0;
  for (ssize_t n; got < max_bytes && (n = ::read(fd, text.data() + got, max_bytes - got)) > 0;)
    got += static_cast<std::size_t>(n);
  ::close(fd);
  text.resize(got);
  return text;
}

std::string key_line(const key_pair& key) { return "voltaic-ed25519-secret " + to_hex(key.secret) + "\n"; }

result<key_pair> parse_key_line(std::string_view text, const std::string& path) {
  const std::string_view prefix = "voltaic-ed25519-secret ";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  key_pair k;
  if (text.substr(0, prefix.size()) != prefix || text.size() != prefix.size() + 128 ||
      sodium_hex2bin(k.secret.data(), k.secret.size(), text.data() + prefix.size(), 128, nullptr, nullptr,
                     nullptr) != 0)
    return market::make_error(market::errc::invalid_field, path + ": not a voltaic Ed25519 key file");
  // Rebuild the pair from its seed: a file whose public half was altered is
  // refused rather than trusted.
  std::array<std::uint8_t, 32> seed{};
  crypto_sign_ed25519_sk_to_seed(seed.data(), k.secret.data());
  const key_pair rebuilt = key_pair_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  if (rebuilt.secret != k.secret)
    return market::make_error(market::errc::invalid_field, path + ": the key file is inconsistent (damaged?)");
  return rebuilt;
}

status save_key_file(const std::string& path, const key_pair& key) { return write_private_file(path, key_line(key)); }

result<key_pair> load_key_file(const std::string& path) {
  auto text = read_private_file(path, 256);
  if (!text) return text.err();
  return parse_key_line(text.value(), path);
}

}  // namespace voltaic::chain
