#include <doctest/doctest.h>

#include <algorithm>

#include "support/paths.hpp"
#include "voltaic/market/feeder.hpp"

using namespace voltaic;
using market::distance_mm;

namespace {

market::feeder eu_lv() {
  auto f = market::load_ieee_eu_lv(test::feeder_dir("ieee_eu_lv"));
  REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.err().message));
  return std::move(f).value();
}

market::feeder ieee33() {
  auto f = market::load_ieee33(test::feeder_dir("ieee33"));
  REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.err().message));
  return std::move(f).value();
}

// All-pairs shortest paths by Floyd-Warshall over in-service lines: an
// independent oracle for the searches under test.
std::vector<std::vector<distance_mm>> floyd_warshall(const market::grid& g) {
  const std::size_t n = g.bus_count();
  constexpr distance_mm inf = INT64_MAX / 4;
  std::vector<std::vector<distance_mm>> d(n, std::vector<distance_mm>(n, inf));
  for (std::size_t v = 0; v < n; ++v) d[v][v] = 0;
  for (const auto& l : g.lines())
    if (l.in_service) {
      d[l.from][l.to] = std::min(d[l.from][l.to], l.length);
      d[l.to][l.from] = std::min(d[l.to][l.from], l.length);
    }
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
  return d;
}

}  // namespace

TEST_CASE("the IEEE European LV feeder loads 906 buses, 905 lines and 55 prosumer buses") {
  const auto f = eu_lv();
  CHECK(f.grid.bus_count() == 906);
  CHECK(f.grid.lines().size() == 905);
  CHECK(f.load_buses.size() == 55);
  CHECK(f.load_buses.front() == "34");
  CHECK(f.grid.is_radial());
  CHECK(f.grid.distance("1", "2").value() == 1098);  // LINE1: 1.098 m
}

TEST_CASE("on the radial LV feeder the deque search equals Dijkstra and Floyd-Warshall") {
  const auto f = eu_lv();
  std::vector<std::uint32_t> loads;
  for (const auto& b : f.load_buses) loads.push_back(f.grid.bus_index(b).value());
  const auto oracle = floyd_warshall(f.grid);
  for (auto a : loads) {
    const auto radial = f.grid.distances_from_radial(a);
    const auto dijkstra = f.grid.distances_from_dijkstra(a);
    CHECK(radial == dijkstra);
    for (auto b : loads) CHECK(radial[b] == oracle[a][b]);
  }
  const auto m = f.grid.distance_matrix(loads);
  REQUIRE(m.ok());
  for (std::size_t r = 0; r < loads.size(); ++r) {
    CHECK(m.value().at(r, r) == 0);
    for (std::size_t c = 0; c < loads.size(); ++c) {
      CHECK(m.value().at(r, c) == m.value().at(c, r));
      if (r != c) CHECK(m.value().at(r, c) > 0);
    }
  }
}

TEST_CASE("closing a tie switch on IEEE 33 meshes the grid and shortens the affected distances") {
  auto f = ieee33();
  CHECK(f.grid.bus_count() == 33);
  CHECK(f.grid.lines().size() == 37);
  CHECK(f.grid.is_radial());
  const auto before = f.grid.canonical_text();
  const distance_mm d_before = f.grid.distance("12", "22").value();
  const distance_mm d_unaffected_before = f.grid.distance("2", "3").value();

  REQUIRE(f.grid.set_in_service("12", "22", true).ok());
  CHECK_FALSE(f.grid.is_radial());
  CHECK(f.grid.canonical_text() != before);  // a new grid version
  const distance_mm d_after = f.grid.distance("12", "22").value();
  CHECK(d_after < d_before);
  CHECK(f.grid.distance("2", "3").value() == d_unaffected_before);

  // Dijkstra on the meshed grid agrees with Floyd-Warshall everywhere.
  const auto oracle = floyd_warshall(f.grid);
  for (std::uint32_t a = 0; a < f.grid.bus_count(); ++a) {
    const auto d = f.grid.distances_from(a);
    for (std::uint32_t b = 0; b < f.grid.bus_count(); ++b) CHECK(d[b] == oracle[a][b]);
  }
  // Opening it again restores the original version.
  REQUIRE(f.grid.set_in_service("12", "22", false).ok());
  CHECK(f.grid.canonical_text() == before);
  CHECK(f.grid.distance("12", "22").value() == d_before);
}

TEST_CASE("an unknown bus or an island is a clear error, not an infinite distance") {
  auto f = ieee33();
  auto unknown = f.grid.distance("1", "99");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().code == market::errc::unknown_bus);
  CHECK(unknown.err().message == "bus '99' is not in the grid");

  REQUIRE(f.grid.set_in_service("1", "2", false).ok());
  auto island = f.grid.distance("1", "18");
  REQUIRE_FALSE(island.ok());
  CHECK(island.err().code == market::errc::disconnected);
  CHECK(island.err().message.find("'1'") != std::string::npos);
}

TEST_CASE("a feeder loaded by name or by directory is the same grid") {
  const std::string root = test::source_dir() + "/data/feeders";
  auto by_name = market::load_feeder("ieee-eu-lv", root);
  auto by_dir = market::load_feeder(root + "/ieee_eu_lv", root);
  REQUIRE(by_name.ok());
  REQUIRE(by_dir.ok());
  CHECK(by_name.value().grid.canonical_text() == by_dir.value().grid.canonical_text());
  auto missing = market::load_feeder("/nonexistent", root);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.err().message.find("/nonexistent") != std::string::npos);
}
