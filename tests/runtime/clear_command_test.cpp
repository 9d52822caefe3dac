// `voltaic clear` as a real process: the Appendix B round trip, the JSON
// shape, malformed files and CSV output.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "support/json.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

using voltaic::test::json;
using voltaic::test::run_command;

namespace {

const std::string bin = VOLTAIC_BIN;
const std::string examples = voltaic::test::source_dir() + "/examples/data/";

const json& appendix_b() {
  static const json v = [] {
    const json all = json::parse(voltaic::test::read_text(voltaic::test::testvectors_path()));
    for (const auto& c : all["cases"].arr)
      if (c["name"].str == "appendix_b_score_matching") return c;
    throw std::runtime_error("no appendix B");
  }();
  return v;
}

std::string write(const std::string& name, const std::string& text) {
  std::ofstream(name, std::ios::binary) << text;
  return name;
}

}  // namespace

TEST_CASE("voltaic clear round-trips Appendix B from an orders CSV and a distances file") {
  const auto r = run_command(bin + " clear --mechanism dpda --orders " + examples +
                             "appendix_b_orders.csv --distances " + examples + "appendix_b_distances.csv --json");
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  const json out = json::parse(r.out);
  CHECK(out["mechanism"].str == "dpda");
  CHECK(out["policy"].str == "equal_share");
  CHECK(out["case"].num == 3);
  CHECK(out["x"].num == 4);
  CHECK(out["y"].num == 5);
  CHECK(out["price"].num == 16.5);
  CHECK_FALSE(out["price_adjusted"].b);
  CHECK(out["sellers"][0]["id"].str == "4");
  CHECK(out["sellers"][0]["offered_kwh"].num == 70.0);
  CHECK(out["sellers"][0]["allowed_kwh"].num == 69.25);
  CHECK(out["sellers"][0]["sold_kwh"].num == 69.25);
  CHECK(out["buyers"][0]["id"].str == "9");
  CHECK(out["buyers"][0]["requested_kwh"].num == 70.0);

  const auto& expected = appendix_b()["expected_trades_in_order"].arr;
  REQUIRE(out["trades"].size() == expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto& t = out["trades"][k];
    CHECK(t["buyer"].str == expected[k]["buyer"].str);
    CHECK(t["seller"].str == expected[k]["seller"].str);
    CHECK(t["energy_kwh"].num == doctest::Approx(expected[k]["energy"].num).epsilon(1e-12));
    CHECK(t["distance_m"].num == doctest::Approx(expected[k]["distance"].num).epsilon(1e-12));
    CHECK(std::fabs(t["score"].num - expected[k]["score"].num) < 1e-6);
    CHECK(t["charge"].num == doctest::Approx(0.002 * expected[k]["distance"].num).epsilon(1e-9));
  }
  for (const auto& [id, quote] : appendix_b()["expected_buyer_quotes"].obj)
    CHECK(std::fabs(out["quotes"]["buyers"][id].num - quote.num) <= 1e-6);
  for (const auto& [id, quote] : appendix_b()["expected_seller_quotes"].obj)
    CHECK(std::fabs(out["quotes"]["sellers"][id].num - quote.num) <= 1e-6);
  // Outcomes in input order, one per order.
  REQUIRE(out["outcomes"].size() == 15);
  CHECK(out["outcomes"][0]["id"].str == "3");
  CHECK(out["outcomes"][0]["reason"].str == "price_above_clearing");
  CHECK(out["outcomes"][0]["traded_kwh"].num == 0.0);
  // The text of the issue's example, byte for byte, for the first entries.
  CHECK(r.out.find(R"("trades":[{"buyer":"39","seller":"4","energy_kwh":16.0,"distance_m":121.0,)") !=
        std::string::npos);
  CHECK(r.out.find(R"("quotes":{"buyers":{"9":1155.328,"39":264.121,"12":990.116})") != std::string::npos);
}

TEST_CASE("voltaic clear prints byte-identical JSON for identical input") {
  const std::string cmd = bin + " clear --orders " + examples + "appendix_b_orders.csv --distances " + examples +
                          "appendix_b_distances.csv --json --policy water_fill";
  const auto a = run_command(cmd), b = run_command(cmd);
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
}

TEST_CASE("a malformed orders file gives one line with file and line, exit 2, and no stdout") {
  const auto path = write("clear_bad.csv", "id,side,price,energy_kwh\na,sell,0.1,5\nb,buy,cheap,5\n");
  const auto r = run_command(bin + " clear --orders " + path + " --json");
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "voltaic clear: clear_bad.csv:3: order 'b': price 'cheap' is not a decimal number\n");

  const auto missing = run_command(bin + " clear --orders does_not_exist.csv");
  CHECK(missing.status == 2);
  CHECK(missing.out.empty());
  CHECK(missing.err == "voltaic clear: does_not_exist.csv: cannot open the file for reading\n");
}

TEST_CASE("a book without a crossing prints case 0, empty lists and no_crossing for every order") {
  const auto path = write("clear_nocross.csv", "id,side,price,energy_kwh\ns,sell,0.3,5\nb,buy,0.1,5\n");
  const auto r = run_command(bin + " clear --orders " + path + " --json");
  REQUIRE(r.status == 0);
  const json out = json::parse(r.out);
  CHECK(out["case"].num == 0);
  CHECK(out["sellers"].size() == 0);
  CHECK(out["buyers"].size() == 0);
  CHECK(out["trades"].size() == 0);
  REQUIRE(out["outcomes"].size() == 2);
  for (const auto& o : out["outcomes"].arr) {
    CHECK(o["outcome"].str == "rejected");
    CHECK(o["reason"].str == "no_crossing");
  }
}

TEST_CASE("voltaic clear on the LV feeder places orders by bus and writes CSVs with --out") {
  const auto path = write("clear_feeder.csv",
                          "id,side,price,energy_kwh,distance_pref_m,bus\n"
                          "s1,sell,0.18,40,,34\ns2,sell,0.19,30,,47\ns3,sell,0.22,20,,70\n"
                          "b1,buy,0.24,25,,73\nb2,buy,0.21,30,,74\nb3,buy,0.17,10,,83\n");
  std::filesystem::remove_all("clear_out");
  const auto r = run_command(bin + " clear --orders " + path + " --feeder ieee-eu-lv --out clear_out");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("dpda (equal_share) on 6 orders") != std::string::npos);
  for (const char* name : {"clearing.csv", "trades.csv", "outcomes.csv", "quotes.csv"})
    CHECK(std::filesystem::exists(std::string("clear_out/") + name));
  const auto outcomes = voltaic::test::read_text("clear_out/outcomes.csv");
  CHECK(outcomes.rfind("id,side,price,energy_kwh,outcome,reason,traded_kwh\n", 0) == 0);

  const auto bad_bus = write("clear_badbus.csv", "id,side,price,energy_kwh,bus\ns1,sell,0.18,40,9999\n");
  const auto e = run_command(bin + " clear --orders " + bad_bus + " --feeder ieee-eu-lv");
  CHECK(e.status == 2);
  CHECK(e.err == "voltaic clear: clear_badbus.csv: order 's1': bus '9999' is not in the grid\n");
}

TEST_CASE("voltaic keygen writes a 0600 key file, prints the public key and refuses to overwrite") {
  std::filesystem::remove("keygen_test.key");
  const auto r = run_command(bin + " keygen --out keygen_test.key");
  REQUIRE(r.status == 0);
  CHECK(r.out.size() == 65);  // 64 hex digits and a newline
  const auto perms = std::filesystem::status("keygen_test.key").permissions();
  CHECK((perms & std::filesystem::perms::all) == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  const auto again = run_command(bin + " keygen --out keygen_test.key");
  CHECK(again.status == 1);
  CHECK(again.err.find("cannot create the key file") != std::string::npos);
}
