// The envelope checker: batches come back in the order they went in, each
// envelope checked as the application's check (here the electricity chain's
// check_transaction / check_order) would on the caller's thread, whatever the
// mix of lanes, sizes and bad envelopes.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "voltaic/chain/energy/cycle_desk.hpp"
#include "voltaic/chain/energy/state_machine.hpp"
#include "voltaic/chain/node/envelope_checker.hpp"
#include "offers.hpp"

using namespace voltaic::chain;
namespace market = voltaic::market;

namespace {

bytes transaction_envelope(const workload& wl, std::size_t sender, std::uint64_t nonce) {
  return voltaic::test::offer(wl, sender, nonce).envelope;
}

bytes order_envelope(const std::string& chain_id, std::uint64_t i) {
  order_terms t;
  t.cycle = 1;
  t.side = i % 2 ? market::side::buy : market::side::sell;
  t.price_ucpkwh = 150'000 + static_cast<std::int64_t>(i);
  t.energy_mwh = 1'000'000;
  return sign_order(t, chain_id, derived_key(9, 1, i)).envelope;
}

using voltaic::chain::node::lane;

// The electricity chain's checks, as energy_application::check makes them.
envelope_checker::check_fn energy_checks(const std::string& chain_id) {
  return [chain_id](envelope_checker::batch& b, std::size_t i) {
    if (b.what == lane::messages) b.checked[i] = check_order(b.envelopes[i], chain_id, b.known.get());
    else b.checked[i] = check_transaction(b.envelopes[i], chain_id, b.known.get());
  };
}

// Waits for the checker's signal and takes what is done.
struct collector {
  std::mutex m;
  std::condition_variable cv;
  int signals = 0;
  void signal() {
    std::lock_guard<std::mutex> lock(m);
    ++signals;
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("envelope checker: batches come back in submission order, each checked as on the caller's thread") {
  workload wl(workload_options{});
  const std::string chain_id = wl.genesis().chain_id;
  collector c;
  envelope_checker checker(energy_checks(chain_id), [&c] { c.signal(); });
  std::vector<std::vector<bytes>> sent;
  std::vector<lane> kinds;
  std::uint64_t n = 0;
  for (int b = 0; b < 40; ++b) {
    auto batch = std::make_unique<envelope_checker::batch>();
    batch->what = b % 3 == 0 ? lane::messages : lane::transactions;
    const std::size_t size = 1 + static_cast<std::size_t>(b * 7 % 23);
    for (std::size_t i = 0; i < size; ++i, ++n) {
      bytes e = batch->what == lane::messages ? order_envelope(chain_id, n)
                                                              : transaction_envelope(wl, n % 40, n + 1);
      if (n % 11 == 3) e[e.size() - 1] ^= 1;  // forged: in the signature
      if (n % 13 == 5) e.resize(e.size() / 2);  // truncated
      batch->envelopes.push_back(e);
    }
    sent.push_back(batch->envelopes);
    kinds.push_back(batch->what);
    checker.submit(std::move(batch));
  }
  std::vector<std::unique_ptr<envelope_checker::batch>> back;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (back.size() < sent.size()) {
    for (auto& b : checker.take_checked()) back.push_back(std::move(b));
    std::unique_lock<std::mutex> lock(c.m);
    c.cv.wait_for(lock, std::chrono::milliseconds(50));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  CHECK(c.signals >= 1);
  std::size_t forged = 0, garbled = 0;
  for (std::size_t b = 0; b < sent.size(); ++b) {
    CAPTURE(b);
    REQUIRE(back[b]->envelopes == sent[b]);
    REQUIRE(back[b]->what == kinds[b]);
    for (std::size_t i = 0; i < sent[b].size(); ++i) {
      if (kinds[b] == lane::messages) {
        const auto here = check_order(sent[b][i], chain_id);
        const auto& there = std::any_cast<const checked_order&>(back[b]->checked.at(i));
        CHECK(here.order.has_value() == there.order.has_value());
        CHECK(here.signature_holds == there.signature_holds);
        garbled += !there.order;
        forged += there.order && !there.signature_holds;
      } else {
        const auto here = check_transaction(sent[b][i], chain_id);
        const auto& there = std::any_cast<const checked_transaction&>(back[b]->checked.at(i));
        CHECK(here.tx.has_value() == there.tx.has_value());
        CHECK(here.signature_holds == there.signature_holds);
        CHECK(here.memo_key == there.memo_key);
        garbled += !there.tx;
        forged += there.tx && !there.signature_holds;
      }
    }
  }
  CHECK(forged > 5);   // the mix really held bad envelopes of both sorts
  CHECK(garbled > 5);
  CHECK(checker.take_checked().empty());
}

TEST_CASE("envelope checker: destroyed with batches still waiting, it drops them and stops") {
  workload wl(workload_options{});
  collector c;
  {
    envelope_checker checker(energy_checks(wl.genesis().chain_id), [&c] { c.signal(); });
    for (int b = 0; b < 20; ++b) {
      auto batch = std::make_unique<envelope_checker::batch>();
      for (std::uint64_t i = 0; i < 200; ++i) batch->envelopes.push_back(transaction_envelope(wl, i % 40, i + 1));
      checker.submit(std::move(batch));
    }
  }  // 4,000 checks queued: the destructor must not wait for them all, nor leave its thread running
  int at_destruction = 0;
  {
    std::lock_guard<std::mutex> lock(c.m);
    at_destruction = c.signals;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::lock_guard<std::mutex> lock(c.m);
  CHECK(c.signals == at_destruction);  // nothing runs after the checker is gone
}

TEST_CASE("envelope checker without a thread of its own: a batch is checked within submit, and no one is called") {
  workload wl(workload_options{});
  int signals = 0;
  envelope_checker checker(energy_checks(wl.genesis().chain_id), [&signals] { ++signals; }, false);
  auto batch = std::make_unique<envelope_checker::batch>();
  batch->envelopes = {transaction_envelope(wl, 1, 1), transaction_envelope(wl, 2, 1)};
  batch->envelopes[1][batch->envelopes[1].size() - 1] ^= 1;
  checker.submit(std::move(batch));
  auto back = checker.take_checked();
  REQUIRE(back.size() == 1);
  REQUIRE(back[0]->checked.size() == 2);
  CHECK(std::any_cast<const checked_transaction&>(back[0]->checked[0]).signature_holds);
  CHECK_FALSE(std::any_cast<const checked_transaction&>(back[0]->checked[1]).signature_holds);
  CHECK(signals == 0);
}

TEST_CASE("envelope checker: a signature its owner already knows is not checked again") {
  workload wl(workload_options{});
  const auto known = std::make_shared<verified_set>(10);
  auto forged = transaction_envelope(wl, 3, 1);
  forged[forged.size() - 1] ^= 1;
  // Only a check skipped because of the memo can find this one holding.
  known->insert(check_transaction(forged, wl.genesis().chain_id).memo_key);
  envelope_checker checker(energy_checks(wl.genesis().chain_id), [] {}, false);
  auto batch = std::make_unique<envelope_checker::batch>();
  batch->envelopes = {forged};
  batch->known = known;
  checker.submit(std::move(batch));
  auto back = checker.take_checked();
  REQUIRE(back.size() == 1);
  CHECK(std::any_cast<const checked_transaction&>(back[0]->checked[0]).signature_holds);
}

TEST_CASE("a verified set is bounded: once full it starts over") {
  verified_set set(3);
  std::vector<hash256> h(4);
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = blake2b_256(std::to_string(i));
  for (std::size_t i = 0; i < 3; ++i) set.insert(h[i]);
  CHECK(set.size() == 3);
  CHECK(set.contains(h[0]));
  set.insert(h[3]);
  CHECK(set.size() == 1);
  CHECK_FALSE(set.contains(h[0]));
  CHECK(set.contains(h[3]));
}
