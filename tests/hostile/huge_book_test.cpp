// F8 of the hostile test: `voltaic clear` on large books. Memory must grow
// with the orders, not with buyers x sellers, and a book larger than the
// memory allowed is refused with one clear line. The limits are real:
// each run is under `ulimit -v`, so a buyers x sellers table (tens of GB
// here) or a std::bad_alloc would fail these tests.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "voltaic/market/rng.hpp"

namespace fs = std::filesystem;
using voltaic::test::run_command;

namespace {

const std::string bin = VOLTAIC_BIN;

// Half buyers, half sellers, cooperative prices around 0.2023, 30-200 kWh;
// with buses of the LV feeder when `buses` is not empty.
void write_book(const fs::path& file, int orders, const std::vector<std::string>& buses) {
  voltaic::market::rng r(2024);
  std::ofstream out(file);
  out << "id,side,price,energy_kwh" << (buses.empty() ? "" : ",bus") << "\n";
  for (int k = 0; k < orders; ++k) {
    const bool sell = k % 2 == 1;
    const auto price_ten_thousandths = sell ? r.between(1719, 2124) : r.between(1922, 2326);
    out << (sell ? "s" : "b") << k << (sell ? ",sell," : ",buy,") << "0." << price_ten_thousandths << ","
        << r.between(30, 199) << "." << r.between(100, 999);
    if (!buses.empty()) out << "," << buses[static_cast<std::size_t>(r.between(0, static_cast<std::int64_t>(buses.size()) - 1))];
    out << "\n";
  }
}

// Runs voltaic under an address-space limit of `kib`.
voltaic::test::process_result limited(long kib, const std::string& args) {
  return run_command("ulimit -v " + std::to_string(kib) + "; " + bin + " " + args);
}

}  // namespace

TEST_CASE("huge books: memory grows with the orders, and too large a book is refused in one line (F8)") {
  const fs::path dir = fs::temp_directory_path() / ("voltaic-huge-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string d = dir.string();
  write_book(dir / "book.csv", 100'000, {});
  // Buses of the feeder's prosumers: the loads' third column.
  std::vector<std::string> buses;
  {
    std::ifstream loads(std::string(VOLTAIC_SOURCE_DIR) + "/data/feeders/ieee_eu_lv/Loads.csv");
    std::string line;
    for (int n = 0; std::getline(loads, line); ++n) {
      if (n < 3) continue;
      std::size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
      if (c != std::string::npos) buses.push_back(line.substr(b + 1, c - b - 1));
    }
  }
  REQUIRE(buses.size() == 55);
  write_book(dir / "placed.csv", 100'000, buses);

  SUBCASE("100,000 orders on the LV feeder clear within 1 GB of address space") {
    const auto r = limited(1'000'000, "clear --orders " + d + "/placed.csv --feeder ieee-eu-lv --out " + d + "/out");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(r.out.find("results written to") != std::string::npos);
    CHECK(fs::file_size(dir / "out" / "outcomes.csv") > 100'000);
  }
  SUBCASE("a distances file naming one pair: a clear error, no buyers x sellers table") {
    std::ofstream(dir / "pairs.csv") << "buyer,seller,distance_m\nb0,s1,10\n";
    const auto r = limited(1'000'000, "clear --orders " + d + "/book.csv --distances " + d + "/pairs.csv");
    CHECK(r.status == 2);
    CHECK_MESSAGE(r.err.find("no distance between buyer") != std::string::npos, r.err);
  }
  SUBCASE("a book larger than the memory allowed is refused before it is read") {
    const auto r = limited(40'000, "clear --orders " + d + "/book.csv");
    CHECK(r.status == 2);
    CHECK_MESSAGE(r.err.find("book.csv: a book of 2 MiB needs about") != std::string::npos, r.err);
    CHECK(r.err.find("this process may use; split the book or free memory") != std::string::npos);
    CHECK(r.err.find("bad_alloc") == std::string::npos);
  }
  fs::remove_all(dir);
}
