#pragma once
// A meter reading as `voltaic meterd` publishes it: the meter, a sequence
// number that grows by one per reading, the time, the cumulative import and
// export in Wh (or a gap: the meter could not be read, and no value is
// given), signed with one of the meter's CoE keys. The key's Merkle path to
// the meter's CoE tree root comes with it, so a subscriber checks both the
// signature and that the key is one of that meter's.
//
// Wire format (canonical MessagePack): [body (bin), signature (bin 64)];
// the body is [version = 1, meter, seq, time_ms, import_wh, export_wh,
// counter, gap, key_index, leaf_count, [siblings], signing_key, root].
// The signature is over the body's bytes in domain meter_reading.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <vector>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/hardware/meter_source.hpp"

namespace voltaic::hardware {

struct reading {
  chain::public_key meter{};  // the meter's identity key
  std::uint64_t seq = 0;
  std::uint64_t time_ms = 0;
  std::int64_t import_wh = 0;  // 0 in a gap
  std::int64_t export_wh = 0;  // 0 in a gap
  std::uint64_t counter = 0;   // the source's counter; 0 in a gap
  bool gap = false;
};

// The meter's CoE key that signs, and where it sits in the meter's tree.
struct coe_signer {
  chain::key_pair key;
  std::uint64_t index = 0;
  std::uint64_t leaf_count = 0;
  std::vector<chain::hash256> siblings;
  chain::hash256 root{};
};

// The signing context of readings (the domain tag already names the kind).
inline constexpr const char* reading_context = "voltaic-meterd";

chain::bytes sign_reading(const reading& r, const coe_signer& signer);

struct verified_reading {
  reading value;
  bool signature_ok = false;  // the signature verifies and the key is in the tree of `root`
  chain::hash256 root{};
};
// Decodes a published reading; an error when the bytes are not one at all.
// A reading whose signature or key path fails decodes with signature_ok false.
result<verified_reading> open_reading(const chain::bytes& wire);

}  // namespace voltaic::hardware
