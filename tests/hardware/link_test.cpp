// The CURVE link of meterd in process, on loopback: an admitted client gets
// every journaled reading in order; a client whose key is not listed and a
// client without CURVE get nothing at all.
#include <doctest/doctest.h>

#include <zmq.hpp>

#include <atomic>
#include <fstream>
#include <thread>

#include "support/temp_dir.hpp"
#include "voltaic/hardware/meter_keys_file.hpp"
#include "voltaic/hardware/reading_server.hpp"
#include "voltaic/hardware/reading_subscriber.hpp"

using namespace voltaic::hardware;

namespace {

// A server on `endpoint` over a journal of `readings` readings, serving on
// its own thread while the test runs.
struct served_journal {
  voltaic::test::temp_dir dir{"hw-link"};
  meter_key_material keys = make_meter_key_material(3);
  curve_key_pair server_keys = generate_curve_keys();
  curve_key_pair client_keys = generate_curve_keys();
  std::unique_ptr<reading_journal> journal;
  std::unique_ptr<reading_server> server;
  std::atomic<bool> stop{false};
  std::thread serving;

  served_journal(const std::string& endpoint, std::uint64_t readings) {
    journal = std::move(reading_journal::open((dir.path() / "journal").string()).value());
    for (std::uint64_t seq = 1; seq <= readings; ++seq) {
      reading r;
      r.meter = keys.identity.pub;
      r.seq = seq;
      r.import_wh = static_cast<std::int64_t>(seq) * 10;
      REQUIRE(journal->append(seq, sign_reading(r, coe_signer_of(keys, seq))).ok());
    }
    auto s = reading_server::start(endpoint, server_keys, {client_keys.public_z85}, *journal);
    REQUIRE(s.ok());
    server = std::move(s).value();
    serving = std::thread([this] {
      while (!stop) server->serve_for(std::chrono::milliseconds(50));
    });
  }
  ~served_journal() {
    stop = true;
    serving.join();
  }
};

}  // namespace

TEST_CASE("an admitted CURVE client gets every journaled reading once, in order, from where it asks") {
  const std::string endpoint = "tcp://127.0.0.1:32101";
  served_journal served(endpoint, 40);
  for (std::uint64_t from : {std::uint64_t{1}, std::uint64_t{25}}) {
    auto sub = reading_subscriber::connect(endpoint, served.server_keys.public_z85, served.client_keys, from);
    REQUIRE(sub.ok());
    for (std::uint64_t seq = from; seq <= 40; ++seq) {
      auto next = sub.value()->next(std::chrono::seconds(5));
      REQUIRE(next.ok());
      REQUIRE(next.value().has_value());
      CHECK(next.value()->value.seq == seq);
      CHECK(next.value()->value.import_wh == static_cast<std::int64_t>(seq) * 10);
      CHECK(next.value()->signature_ok);
    }
    auto none = sub.value()->next(std::chrono::milliseconds(500));
    REQUIRE(none.ok());
    CHECK_FALSE(none.value().has_value());
  }
}

TEST_CASE("a client whose key is not allowed, and a client without CURVE, get nothing") {
  const std::string endpoint = "tcp://127.0.0.1:32102";
  served_journal served(endpoint, 5);

  const curve_key_pair stranger = generate_curve_keys();
  auto sub = reading_subscriber::connect(endpoint, served.server_keys.public_z85, stranger);
  REQUIRE(sub.ok());
  auto got = sub.value()->next(std::chrono::seconds(3));
  REQUIRE(got.ok());
  CHECK_FALSE(got.value().has_value());

  zmq::context_t context(1);
  zmq::socket_t plain(context, zmq::socket_type::dealer);
  plain.set(zmq::sockopt::linger, 0);
  plain.connect(endpoint);
  const std::uint8_t from_one[8] = {0, 0, 0, 0, 0, 0, 0, 1};
  plain.send(zmq::buffer(std::string_view("want")), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  plain.send(zmq::buffer(from_one, 8), zmq::send_flags::dontwait);
  zmq::pollitem_t item{plain.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(2'000));
  CHECK((item.revents & ZMQ_POLLIN) == 0);

  // The admitted client still gets its readings beside them.
  auto admitted = reading_subscriber::connect(endpoint, served.server_keys.public_z85, served.client_keys);
  REQUIRE(admitted.ok());
  auto first = admitted.value()->next(std::chrono::seconds(5));
  REQUIRE(first.ok());
  REQUIRE(first.value().has_value());
  CHECK(first.value()->value.seq == 1);
  served.stop = true;
  served.serving.join();
  served.serving = std::thread([] {});
  CHECK(served.server->refused() >= 1);  // the stranger, refused by the ZAP handler
}

TEST_CASE("the allowed clients file: keys one per line, comments, a key holding '#', a bad line named") {
  voltaic::test::temp_dir dir("hw-allowed");
  const std::string path = (dir.path() / "allowed").string();
  curve_key_pair hash_key = generate_curve_keys();
  for (int k = 0; k < 100'000 && hash_key.public_z85.find('#') == std::string::npos; ++k)
    hash_key = generate_curve_keys();
  REQUIRE(hash_key.public_z85.find('#') != std::string::npos);  // '#' is a Z85 digit
  const curve_key_pair other = generate_curve_keys();
  std::ofstream(path) << "# clients\n\n" << hash_key.public_z85 << "\n  " << other.public_z85 << "  \n";
  auto keys = load_allowed_clients(path);
  REQUIRE(keys.ok());
  CHECK(keys.value() == std::vector<std::string>{hash_key.public_z85, other.public_z85});
  std::ofstream(path) << other.public_z85 << "\nnot-a-key\n";
  CHECK(load_allowed_clients(path).err().message ==
        path + ":2: 'not-a-key' is not a CURVE public key (40 characters of Z85)");
}
