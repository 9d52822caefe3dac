// `voltaic carbon clear` as a real process: every case of carbon.json as
// exactly the JSON spec/carbon.md section 4 specifies, and malformed files
// refused with exit 2, nothing on stdout and one line FILE:LINE: what.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

const std::string bin = VOLTAIC_BIN;

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

TEST_CASE("voltaic carbon clear --json prints exactly the expected object for every case of carbon.json") {
  voltaic::test::temp_dir dir("carbon-clear");
  const auto vectors = nlohmann::json::parse(
      voltaic::test::read_text(voltaic::test::source_dir() + "/tests/data/testvectors/carbon.json"));
  for (const auto& c : vectors["clear_cases"]) {
    const std::string name = c["name"];
    INFO(name);
    const auto file = write(dir.path() / (name + ".csv"), c["csv"].get<std::string>());
    const auto r = voltaic::test::run_command(bin + " carbon clear --participants " + file + " --json");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    const auto got = nlohmann::json::parse(r.out);  // key order and spacing are free, array order is not
    CHECK(got == c["expected"]);
    // Without --json: a table naming every trade.
    const auto table = voltaic::test::run_command(bin + " carbon clear --participants " + file);
    CHECK(table.status == 0);
    for (const auto& t : c["expected"]["trades"])
      CHECK(table.out.find(t["buyer"].get<std::string>() + " -> " + t["seller"].get<std::string>()) !=
            std::string::npos);
  }
}

TEST_CASE("voltaic carbon clear refuses malformed participants with exit 2, nothing on stdout and one FILE:LINE line") {
  voltaic::test::temp_dir dir("carbon-bad");
  const auto bad = write(dir.path() / "bad.csv", "id,role,quota_kg,price\n5,cec,-1455000,7.06\n22,pvp,-3,5\n");
  const auto r = voltaic::test::run_command(bin + " carbon clear --participants " + bad + " --json");
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err == bad + ":3: participant '22': a PV prosumer's quota cannot be negative\n");
  const auto missing = voltaic::test::run_command(bin + " carbon clear --participants " +
                                                  (dir.path() / "none.csv").string() + " --json");
  CHECK(missing.status == 2);
  CHECK(missing.out.empty());
  CHECK(missing.err == (dir.path() / "none.csv").string() + ":0: cannot read the file\n");
}
