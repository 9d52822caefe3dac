#include "experiment_rows.hpp"

#include <algorithm>
#include <charconv>

#include "voltaic/market/feeder.hpp"
#include "voltaic/market/p_series.hpp"
#include "voltaic/market/report.hpp"

namespace voltaic::runtime {

namespace {

std::vector<std::string> split(std::string_view line, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = line.find(sep, start);
    out.emplace_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

std::string runs_header() {
  std::string h(runs_key_header);
  for (auto name : runs_metric_names) h.append(",").append(name);
  return h;
}

market::result<experiment_world> make_world(const experiment_grid& grid, const std::string& data_root) {
  experiment_world w;
  w.options.matching.charge_per_m = 2'000;  // C_d = 0.002 per m (experiments.md 3)
  if (grid.feeder == "none") return w;
  auto f = market::load_feeder(grid.feeder, data_root);
  if (!f) return f.err();
  const auto& buses = f.value().load_buses;
  if (buses.empty()) return market::make_error(market::errc::invalid_argument, grid.feeder + " has no load buses");
  std::vector<std::uint32_t> at;
  for (std::size_t k = 0; k < market::p_positions; ++k) {
    auto index = f.value().grid.bus_index(buses[k % buses.size()]);
    if (!index) return index.err();
    at.push_back(index.value());
  }
  auto table = f.value().grid.distance_matrix(at);
  if (!table) return table.err();
  w.distances = std::move(table).value();
  w.grid = std::make_shared<const market::grid>(std::move(f.value().grid));
  return w;
}

market::result<std::vector<market::order>> book_of(const experiment_run& run) {
  if (market::is_p_fixture(run.series)) return market::p_fixture_book(run.series);
  auto scenario = market::find_p_scenario(run.series);
  if (!scenario) return scenario.err();
  return market::generate_p_book(scenario.value(), run.behaviour, run.seed);
}

std::string runs_row(const experiment_run& run, std::uint32_t cycle, const market::run_metrics& m) {
  using market::format_double;
  using market::format_scaled;
  constexpr auto kwh = market::mwh_per_kwh;
  std::string r = run.series;
  r.append(",").append(market::to_string(run.behaviour));
  r.append(",").append(market::to_string(run.mechanism));
  r.append(",").append(market::to_string(run.policy));
  r.append(",").append(std::to_string(run.seed));
  r.append(",").append(std::to_string(cycle));
  for (const std::string& v :
       {std::to_string(m.case_number), format_scaled(m.p0, market::uc_per_credit), std::to_string(m.sellers),
        std::to_string(m.buyers), std::to_string(m.trading_sellers), std::to_string(m.trading_buyers),
        format_double(m.participation), format_scaled(m.traded, kwh), std::to_string(m.trades),
        format_scaled(m.imbalance, kwh), format_double(m.reduction_per_seller_kwh), std::to_string(m.buyers_short),
        format_scaled(m.short_energy, kwh), format_double(m.welfare_sellers), format_double(m.welfare_buyers),
        format_double(m.social_welfare), format_double(m.surplus_sellers), format_double(m.surplus_buyers),
        format_double(m.mean_cost), format_double(m.max_cost), format_double(m.min_cost),
        format_double(m.mean_distance_m)})
    r.append(",").append(v);
  return r;
}

market::result<std::string> market_engine_row(const experiment_run& run, const experiment_world& world) {
  auto book = book_of(run);
  if (!book) return book.err();
  auto options = world.options;
  options.clearing = {run.mechanism, run.policy};
  auto cycle = market::run_cycle(book.value(), world.distances, options);
  if (!cycle) return cycle.err();
  return runs_row(run, 1, market::metrics_of(book.value(), cycle.value()));
}

double run_row::operator[](std::string_view metric) const {
  const auto* end = std::end(runs_metric_names);
  const auto* at = std::find(std::begin(runs_metric_names), end, metric);
  return at == end ? 0.0 : values.at(static_cast<std::size_t>(at - std::begin(runs_metric_names)));
}

market::result<std::vector<run_row>> parse_runs(const std::string& text, const std::string& origin) {
  std::vector<run_row> rows;
  const auto lines = split(text, '\n');
  if (lines.empty() || lines[0] != runs_header())
    return market::make_error(market::errc::malformed_file, origin + ":1: not a runs.csv header");
  const std::size_t columns = 6 + std::size(runs_metric_names);
  for (std::size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    const auto bad = [&](const std::string& what) {
      return market::make_error(market::errc::malformed_file, origin + ":" + std::to_string(n + 1) + ": " + what);
    };
    const auto cells = split(lines[n], ',');
    if (cells.size() != columns)
      return bad("expected " + std::to_string(columns) + " columns, found " + std::to_string(cells.size()));
    run_row r{cells[0], cells[1], cells[2], cells[3], 0, 0, {}};
    auto whole = [](const std::string& s, auto& v) {
      const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
      return res.ec == std::errc{} && res.ptr == s.data() + s.size();
    };
    if (!whole(cells[4], r.seed) || !whole(cells[5], r.cycle)) return bad("seed and cycle must be whole numbers");
    for (std::size_t k = 6; k < cells.size(); ++k) {
      double v = 0;
      if (!whole(cells[k], v)) return bad("'" + cells[k] + "' is not a number");
      r.values.push_back(v);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace voltaic::runtime
