#include "voltaic/hardware/reading_server.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>

#include "voltaic/hardware/reading_link.hpp"

namespace voltaic::hardware {

namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";
constexpr std::size_t readings_per_turn = 64;

std::string raw_key(const std::string& z85) {
  std::string raw(32, '\0');
  zmq_z85_decode(reinterpret_cast<std::uint8_t*>(raw.data()), z85.c_str());
  return raw;
}

std::uint64_t read_seq(const zmq::message_t& m) {
  std::uint64_t seq = 0;
  const auto* p = static_cast<const std::uint8_t*>(m.data());
  for (std::size_t i = 0; i < 8; ++i) seq = (seq << 8) | p[i];
  return seq;
}

}  // namespace

reading_server::reading_server(const reading_journal& journal, std::vector<std::string> allowed)
    : journal_(journal), context_(std::make_unique<zmq::context_t>(1)) {
  for (const auto& k : allowed) allowed_.insert(raw_key(k));
}

reading_server::~reading_server() {
  // Sockets before the context, or its destructor waits for them.
  router_.reset();
  zap_.reset();
  context_.reset();
}

result<std::unique_ptr<reading_server>> reading_server::start(const std::string& endpoint,
                                                              const curve_key_pair& server_keys,
                                                              const std::vector<std::string>& allowed_clients,
                                                              const reading_journal& journal) {
  std::unique_ptr<reading_server> s(new reading_server(journal, allowed_clients));
  try {
    s->zap_ = std::make_unique<zmq::socket_t>(*s->context_, zmq::socket_type::rep);
    s->zap_->set(zmq::sockopt::linger, 0);
    s->zap_->bind(zap_endpoint);
    s->router_ = std::make_unique<zmq::socket_t>(*s->context_, zmq::socket_type::router);
    zmq::socket_t& r = *s->router_;
    r.set(zmq::sockopt::linger, 0);
    r.set(zmq::sockopt::curve_server, 1);
    r.set(zmq::sockopt::curve_secretkey, server_keys.secret_z85);
    r.set(zmq::sockopt::zap_domain, "voltaic-meterd");
    r.set(zmq::sockopt::router_mandatory, 1);
    r.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(link::largest_request));
    r.set(zmq::sockopt::handshake_ivl, static_cast<int>(link::handshake_timeout.count()));
    r.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return make_error(errc::io_error, "cannot publish on " + endpoint + ": " + e.what());
  }
  return s;
}

void reading_server::answer_zap() {
  // ZAP (RFC 27): version, request id, domain, address, identity, mechanism,
  // then the credentials: for CURVE, the client's 32-byte public key.
  std::vector<zmq::message_t> request;
  if (!zmq::recv_multipart(*zap_, std::back_inserter(request), zmq::recv_flags::dontwait)) return;
  const bool well_formed = request.size() >= 7 && request[0].to_string_view() == "1.0";
  const bool admitted = well_formed && request[5].to_string_view() == "CURVE" && request[6].size() == 32 &&
                        allowed_.count(std::string(request[6].to_string_view())) > 0;
  if (!admitted) ++refused_;
  std::vector<zmq::const_buffer> reply = {zmq::buffer(std::string_view("1.0")),
                                          request.size() > 1 ? zmq::buffer(request[1].data(), request[1].size())
                                                             : zmq::buffer(std::string_view("")),
                                          zmq::buffer(std::string_view(admitted ? "200" : "400")),
                                          zmq::buffer(std::string_view(admitted ? "OK" : "not an allowed client")),
                                          zmq::buffer(std::string_view("")), zmq::buffer(std::string_view(""))};
  zmq::send_multipart(*zap_, reply);
}

void reading_server::take_request() {
  std::vector<zmq::message_t> frames;
  if (!zmq::recv_multipart(*router_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
  // [routing id, "want", seq]; anything else is dropped.
  if (frames.size() != 3 || frames[1].to_string_view() != link::want || frames[2].size() != 8) return;
  subscriber& s = subscribers_[std::string(frames[0].to_string_view())];
  s.next_seq = std::max<std::uint64_t>(1, read_seq(frames[2]));
  s.heard = std::chrono::steady_clock::now();
}

void reading_server::send_readings() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    subscriber& s = it->second;
    bool gone = now - s.heard > link::forget_subscriber_after;
    if (!gone && s.next_seq <= journal_.last_seq()) {
      auto batch = journal_.read_from(s.next_seq, readings_per_turn);
      if (batch)
        for (const auto& wire : batch.value()) {
          try {
            std::array<zmq::const_buffer, 3> msg = {zmq::buffer(it->first), zmq::buffer(link::reading),
                                                    zmq::buffer(wire.data(), wire.size())};
            if (!zmq::send_multipart(*router_, msg, zmq::send_flags::dontwait)) break;  // its queue is full
            ++s.next_seq;
          } catch (const zmq::error_t&) {  // EHOSTUNREACH: the subscriber has gone
            gone = true;
            break;
          }
        }
    }
    it = gone ? subscribers_.erase(it) : std::next(it);
  }
}

void reading_server::serve_for(std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    send_readings();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::array<zmq::pollitem_t, 2> items = {zmq::pollitem_t{zap_->handle(), 0, ZMQ_POLLIN, 0},
                                            zmq::pollitem_t{router_->handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items.data(), items.size(), std::min(left, std::chrono::milliseconds(100)));
    } catch (const zmq::error_t&) {  // EINTR: a signal (the stop) arrived; the caller looks
      return;
    }
    if (items[0].revents & ZMQ_POLLIN) answer_zap();
    if (items[1].revents & ZMQ_POLLIN) take_request();
  }
}

}  // namespace voltaic::hardware
