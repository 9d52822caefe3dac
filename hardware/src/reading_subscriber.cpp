#include "voltaic/hardware/reading_subscriber.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <array>

#include "voltaic/hardware/reading_link.hpp"

namespace voltaic::hardware {

reading_subscriber::~reading_subscriber() {
  dealer_.reset();
  context_.reset();
}

result<std::unique_ptr<reading_subscriber>> reading_subscriber::connect(const std::string& endpoint,
                                                                        const std::string& server_public_z85,
                                                                        const curve_key_pair& client_keys,
                                                                        std::uint64_t from_seq) {
  if (!is_curve_key(server_public_z85))
    return make_error(errc::invalid_field, "'" + server_public_z85 + "' is not a CURVE public key (40 characters of Z85)");
  std::unique_ptr<reading_subscriber> s(new reading_subscriber());
  s->next_seq_ = std::max<std::uint64_t>(1, from_seq);
  try {
    s->context_ = std::make_unique<zmq::context_t>(1);
    s->dealer_ = std::make_unique<zmq::socket_t>(*s->context_, zmq::socket_type::dealer);
    zmq::socket_t& d = *s->dealer_;
    d.set(zmq::sockopt::linger, 0);
    d.set(zmq::sockopt::curve_serverkey, server_public_z85);
    d.set(zmq::sockopt::curve_publickey, client_keys.public_z85);
    d.set(zmq::sockopt::curve_secretkey, client_keys.secret_z85);
    d.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(link::largest_reading));
    d.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return make_error(errc::io_error, "cannot connect to " + endpoint + ": " + e.what());
  }
  s->ask();
  return s;
}

void reading_subscriber::ask() {
  std::array<std::uint8_t, 8> seq{};
  for (int i = 7; i >= 0; --i) seq[static_cast<std::size_t>(7 - i)] = static_cast<std::uint8_t>(next_seq_ >> (8 * i));
  std::array<zmq::const_buffer, 2> msg = {zmq::buffer(link::want), zmq::buffer(seq)};
  // Queued until the handshake is done; dropped only if the queue is full,
  // and then asked again after a quiet spell.
  zmq::send_multipart(*dealer_, msg, zmq::send_flags::dontwait);
  asked_ = std::chrono::steady_clock::now();
}

result<std::optional<verified_reading>> reading_subscriber::next(std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    // Quiet since we asked or last heard: meterd may have restarted.
    if (now - std::max(asked_, heard_) >= link::ask_again_after) ask();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    if (left.count() <= 0) return std::optional<verified_reading>();
    std::array<zmq::pollitem_t, 1> items = {zmq::pollitem_t{dealer_->handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items.data(), items.size(), std::min(left, std::chrono::milliseconds(200)));
    } catch (const zmq::error_t&) {  // EINTR: a signal (the stop) arrived; the caller looks
      return std::optional<verified_reading>();
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*dealer_, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
    heard_ = std::chrono::steady_clock::now();
    if (frames.size() != 2 || frames[0].to_string_view() != link::reading)
      return make_error(errc::malformed_file, "a message from meterd that is not a reading");
    const auto* p = static_cast<const std::uint8_t*>(frames[1].data());
    auto opened = open_reading(chain::bytes(p, p + frames[1].size()));
    if (!opened) return make_error(opened.err().code, "a reading that does not decode: " + opened.err().message);
    const std::uint64_t seq = opened.value().value.seq;
    if (seq < next_seq_) continue;  // already seen (sent again after we asked)
    if (seq > next_seq_) {  // some were lost: ask from the first missing, once per spell of them
      if (std::chrono::steady_clock::now() - asked_ > std::chrono::milliseconds(200)) ask();
      continue;
    }
    ++next_seq_;
    return std::optional<verified_reading>(std::move(opened).value());
  }
}

}  // namespace voltaic::hardware
