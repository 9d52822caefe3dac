// Order and distance files: good files load; every kind of bad line is
// reported with file, line and what is wrong.
#include <doctest/doctest.h>

#include <fstream>

#include "support/paths.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/order_file.hpp"

using namespace voltaic::market;

namespace {

std::string write(const std::string& name, const std::string& text) {
  std::ofstream(name, std::ios::binary) << text;
  return name;
}

std::string load_error(const std::string& text) {
  auto r = load_orders_csv(write("loaders_test_orders.csv", text));
  REQUIRE_FALSE(r.ok());
  return r.err().message;
}

}  // namespace

TEST_CASE("an orders CSV loads with row order as seq and optional preference and bus") {
  auto r = load_orders_csv(write("loaders_ok.csv",
                                 "id,side,price,energy_kwh,distance_pref_m,bus\n"
                                 "a,sell,0.18,30.5,100,34\n"
                                 "# a comment\n"
                                 "\n"
                                 "b,buy,0.21,12,,47\n"));
  REQUIRE(r.ok());
  const auto& f = r.value();
  REQUIRE(f.book.size() == 2);
  CHECK(f.book[0].price == 180'000);
  CHECK(f.book[0].energy == 30'500'000);
  CHECK(f.book[0].distance_pref == 100'000);
  CHECK(f.book[1].distance_pref == distance_anywhere);
  CHECK(f.book[1].seq == 1);
  CHECK(f.buses == std::vector<std::string>{"34", "47"});
}

TEST_CASE("malformed order lines are named by file and line") {
  const std::string h = "id,side,price,energy_kwh\n";
  CHECK(load_error(h + "a,sell,0.1,1\nb,hold,0.1,1\n") ==
        "loaders_test_orders.csv:3: order 'b': side must be buy or sell, not 'hold'");
  CHECK(load_error(h + "a,sell,nan,1\n") ==
        "loaders_test_orders.csv:2: order 'a': price 'nan' is not a decimal number");
  CHECK(load_error(h + "a,sell,0.1,-1\n") ==
        "loaders_test_orders.csv:2: order 'a': energy must be positive (at least 1 mWh)");
  CHECK(load_error(h + "a,sell,-0.1,1\n") == "loaders_test_orders.csv:2: order 'a': price is negative");
  CHECK(load_error(h + "a,sell,0.1,1\na,buy,0.1,1\n") ==
        "loaders_test_orders.csv:3: order 'a': duplicate id (first on line 2)");
  CHECK(load_error(h + "a,sell,0.1\n") == "loaders_test_orders.csv:2: expected 4 fields, found 3");
  CHECK(load_error("id,side,energy_kwh\n").find(":1: the header has no column 'price'") != std::string::npos);
  CHECK(load_error("") == "loaders_test_orders.csv: the file is empty (expected a header)");
  CHECK(load_error(h + "a,sell,0.1,inf\n").find(":2: order 'a': energy_kwh") != std::string::npos);
}

TEST_CASE("pair distances give buyers rows and sellers columns, unknown ids are errors") {
  auto f = load_orders_csv(write("loaders_pairs.csv", "id,side,price,energy_kwh\ns1,sell,0.1,1\nb1,buy,0.2,1\n"));
  REQUIRE(f.ok());
  auto book = f.value().book;
  auto d = load_pair_distances(write("loaders_d.csv", "buyer,seller,distance_m\nb1,s1,12.5\n"), book);
  REQUIRE(d.ok());
  CHECK(d.value().at(static_cast<std::size_t>(book[1].location), static_cast<std::size_t>(book[0].location)) == 12'500);
  auto bad = load_pair_distances(write("loaders_d2.csv", "buyer,seller,distance_m\ns1,b1,3\n"), book);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message == "loaders_d2.csv:2: 's1' is not a buyer of the order book");
}

TEST_CASE("orders placed on the LV feeder get grid distances, a missing bus is an error") {
  auto feeder = load_ieee_eu_lv(voltaic::test::feeder_dir("ieee_eu_lv"));
  REQUIRE(feeder.ok());
  auto f = load_orders_csv(write("loaders_bus.csv", "id,side,price,energy_kwh,bus\ns,sell,0.1,1,34\nb,buy,0.2,1,47\n"));
  REQUIRE(f.ok());
  auto book = f.value().book;
  auto table = locate_on_grid(feeder.value().grid, book, f.value().buses);
  REQUIRE(table.ok());
  CHECK(table.value().at(static_cast<std::size_t>(book[1].location), static_cast<std::size_t>(book[0].location)) ==
        feeder.value().grid.distance("47", "34").value());
  auto unknown = locate_on_grid(feeder.value().grid, book, {"34", "nowhere"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().message == "order 'b': bus 'nowhere' is not in the grid");
}

TEST_CASE("a large orders file, read in two halves, keeps row order and names bad lines in either half") {
  // About 7 MB with comments and blank lines in both halves, so the halves'
  // line numbers are not simply row numbers.
  const std::size_t rows = 300'000;
  auto book_text = [&](std::size_t bad_row, const std::string& bad_line) {
    std::string text = "# a large book\nid,side,price,energy_kwh\n";
    for (std::size_t k = 0; k < rows; ++k) {
      if (k % 1000 == 0) text += "\n# rows from " + std::to_string(k) + "\n";
      text += k == bad_row ? bad_line : "o" + std::to_string(k) + (k % 2 ? ",sell,0.18," : ",buy,0.21,") + "12.5";
      text += '\n';
    }
    return text;
  };
  // Line of row k: 2 header lines, then 2 more lines before each thousand.
  auto line_of_row = [](std::size_t k) { return 3 + k + 2 * (k / 1000 + 1); };

  auto r = load_orders_csv(write("loaders_large.csv", book_text(rows, "")));
  REQUIRE(r.ok());
  REQUIRE(r.value().book.size() == rows);
  for (std::size_t k : {std::size_t{0}, rows / 2 - 1, rows / 2, rows / 2 + 1, rows - 1}) {
    CHECK(r.value().book[k].id == "o" + std::to_string(k));
    CHECK(r.value().book[k].seq == k);
  }

  for (std::size_t bad : {std::size_t{1234}, rows - 5}) {
    CAPTURE(bad);
    CHECK(load_error(book_text(bad, "x,hold,0.1,1")) == "loaders_test_orders.csv:" +
                                                           std::to_string(line_of_row(bad)) +
                                                           ": order 'x': side must be buy or sell, not 'hold'");
  }
  // An error in the first half is the one named, even when the second has one too.
  std::string two_bad = book_text(10, "y,sell,0.1");
  two_bad += "z,sell,nan,1\n";
  CHECK(load_error(two_bad) == "loaders_test_orders.csv:" + std::to_string(line_of_row(10)) + ": expected 4 fields, found 3");
  // A duplicate across the halves names both lines.
  CHECK(load_error(book_text(rows - 1, "o7,sell,0.18,1")) ==
        "loaders_test_orders.csv:" + std::to_string(line_of_row(rows - 1)) + ": order 'o7': duplicate id (first on line " +
            std::to_string(line_of_row(7)) + ")");
}
