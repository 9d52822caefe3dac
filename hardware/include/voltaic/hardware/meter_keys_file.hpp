#pragma once
// A meter's key material in one file (mode 0600, never overwritten): its
// identity key, then its CoE keys (spec/protocols.md section 3), one key
// per line after the header `voltaic-meter-keys 1`. The CoE keys' Merkle
// tree is rebuilt from them; its root is what a subscriber pins.
// Thread-safety: plain values; files are not locked.

#include <cstddef>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/hardware/signed_reading.hpp"

namespace voltaic::hardware {

struct meter_key_material {
  chain::key_pair identity;
  std::vector<chain::key_pair> coe;
};

meter_key_material make_meter_key_material(std::size_t coe_keys);
status save_meter_keys(const std::string& path, const meter_key_material& keys);
result<meter_key_material> load_meter_keys(const std::string& path);

// The root of the CoE keys' tree.
chain::hash256 coe_root(const meter_key_material& keys);
// A signer with CoE key `index` (taken modulo the key count).
coe_signer coe_signer_of(const meter_key_material& keys, std::size_t index);

}  // namespace voltaic::hardware
