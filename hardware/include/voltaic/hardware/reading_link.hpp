#pragma once
// The link between `voltaic meterd` and its subscribers (ZeroMQ, CURVE):
// meterd binds a ROUTER; a subscriber connects a DEALER and sends
// ["want", seq (8 bytes, big-endian)]; meterd then sends it every journaled
// reading from seq on, in order, as ["reading", signed reading] frames, and
// the next ones as they come. A subscriber takes only the reading it expects
// next: on a jump it asks again from there, and after two quiet seconds it
// asks again (meterd may have restarted), so it sees every reading once, in
// order, across crashes of either side.
// Thread-safety: constants only.

#include <chrono>
#include <cstddef>
#include <string_view>

namespace voltaic::hardware::link {

inline constexpr std::string_view want = "want";
inline constexpr std::string_view reading = "reading";
inline constexpr std::chrono::milliseconds ask_again_after{2'000};
inline constexpr std::chrono::milliseconds handshake_timeout{5'000};
inline constexpr std::chrono::seconds forget_subscriber_after{60};
// Bytes of one frame, enforced before it is read: the CURVE handshake's
// commands (up to about 300 bytes) must fit, a subscriber's request is 12.
inline constexpr std::size_t largest_request = 512;
inline constexpr std::size_t largest_reading = 16'384;  // bytes

}  // namespace voltaic::hardware::link
