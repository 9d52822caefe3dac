// A trading lab whose two houses' smart meters settle from `voltaic meterd`
// readings instead of the meter model: the seller's meter is a real Modbus
// TCP server (an SDM630's registers) that shows 80 % of the agreed energy
// exported, the buyer's a trace that shows all of it imported. The seller
// pays the market.md 5.4 penalty on the 20 % it did not deliver.
#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <thread>

#include "meterd_process.hpp"
#include "modbus_test_server.hpp"
#include "support/csv_rows.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "voltaic/market/units.hpp"

using namespace voltaic;
using namespace std::chrono_literals;

namespace {

const std::string bin = VOLTAIC_BIN;

std::int64_t mwh(const std::string& kwh) { return market::parse_scaled(kwh, market::mwh_per_kwh).value(); }
std::int64_t uc(const std::string& credits) { return market::parse_scaled(credits, market::uc_per_credit).value(); }

// Four prosumers, one market, one cycle; with this seed one seller sells to
// one buyer (a DPDA book of two never trades: its one pair is the reduced one).
std::string scenario(const std::string& extra) {
  return "[chain]\nid = \"meterd-lab\"\n\n[scenario]\nvalidators = 1\nprosumers = 4\ncycles = 1\nseed = 3\n" +
         extra;
}

struct lab_run {
  std::vector<test::csv_row> trades, settlements;
};

lab_run run_lab(const std::string& dir, const std::string& text) {
  std::ofstream(dir + "/lab.toml") << text;
  auto r = test::run_command(bin + " run " + dir + "/lab.toml --out " + dir + "/out");
  REQUIRE_MESSAGE(r.status == 0, r.out << r.err);
  return {test::read_csv_rows(dir + "/out/trades.csv"), test::read_csv_rows(dir + "/out/settlements.csv")};
}

const test::csv_row& settlement_of(const lab_run& run, const std::string& party) {
  for (const auto& s : run.settlements)
    if (s.at("party") == party) return s;
  FAIL("no settlement of " << party);
  return run.settlements.front();
}

}  // namespace

TEST_CASE("two houses settle from meterd readings, Modbus and trace: a seller that meters 80 % pays the penalty") {
  test::temp_dir dir("hw-lab");
  const std::string d = dir.path().string();
  std::filesystem::create_directories(d + "/model");

  // The meter model first: who sells, who buys, and how much they agree.
  const lab_run model = run_lab(d + "/model", scenario(""));
  REQUIRE(model.trades.size() == 1);
  const std::string seller = model.trades[0].at("seller"), buyer = model.trades[0].at("buyer");
  const std::int64_t agreed = mwh(model.trades[0].at("energy_kwh"));
  REQUIRE(agreed > 0);
  const std::int64_t exported_wh = (agreed * 8 / 10 + 500) / 1'000;  // 80 %, in the meter's whole Wh

  // The seller's meter: an SDM630 whose export counter moves by 80 % of the
  // agreed energy once meterd has read it before.
  test::modbus_test_server sdm(32301);
  REQUIRE(sdm.start());
  const auto map = hardware::builtin_register_map("sdm630").value();
  sdm.set(map.import_energy, 4.0);
  sdm.set(map.export_energy, 100.0);
  const std::string seller_key = test::init_meter(d + "/seller", "modbus-tcp://127.0.0.1:32301?map=sdm630", "tcp://127.0.0.1:32302");
  // The buyer's: a trace that imports the whole agreed energy (to the Wh above).
  std::ofstream(d + "/buyer.csv") << "time_ms,import_wh,export_wh\n0,1000,0\n100," << 1'000 + (agreed + 999) / 1'000
                                  << ",0\n";
  const std::string buyer_key = test::init_meter(d + "/buyer", "trace://" + d + "/buyer.csv", "tcp://127.0.0.1:32303");
  test::running_meterd seller_meterd(d + "/seller/meter.toml", d + "/seller.log");
  test::running_meterd buyer_meterd(d + "/buyer/meter.toml", d + "/buyer.log");
  std::this_thread::sleep_for(1500ms);  // a few readings at the old counters
  sdm.set(map.export_energy, 100.0 + static_cast<double>(exported_wh) / 1'000.0);
  std::this_thread::sleep_for(1000ms);

  std::filesystem::create_directories(d + "/hw");
  const lab_run hw = run_lab(
      d + "/hw", scenario("\n[[meterd]]\nparty = \"" + seller + "\"\nendpoint = \"tcp://127.0.0.1:32302\"\nserver_key = \"" +
                          seller_key + "\"\nclient_key_file = \"" + d + "/seller/client.key\"\n" +
                          "\n[[meterd]]\nparty = \"" + buyer + "\"\nendpoint = \"tcp://127.0.0.1:32303\"\nserver_key = \"" +
                          buyer_key + "\"\nclient_key_file = \"" + d + "/buyer/client.key\"\n"));
  REQUIRE(hw.trades.size() == 1);
  CHECK(mwh(hw.trades[0].at("energy_kwh")) == agreed);  // the same market: meters change only the settlement

  const test::csv_row& s = settlement_of(hw, seller);
  CHECK(mwh(s.at("agreed_kwh")) == agreed);
  CHECK(mwh(s.at("metered_kwh")) == exported_wh * 1'000);
  // 5.4: |E_ref - E_meter| * penalty, the scenario's default 0.05 per kWh.
  const std::int64_t short_mwh = agreed - exported_wh * 1'000;
  const std::int64_t expected_penalty = (short_mwh * 50'000 + 500'000) / 1'000'000;
  CHECK(std::llabs(uc(s.at("penalty")) - expected_penalty) <= 1);
  CHECK(uc(s.at("penalty")) > 0);

  const test::csv_row& b = settlement_of(hw, buyer);
  CHECK(mwh(b.at("metered_kwh")) == agreed);
  CHECK(uc(b.at("penalty")) == 0);
  // The model run settled both in full.
  CHECK(uc(settlement_of(model, seller).at("penalty")) == 0);
}
