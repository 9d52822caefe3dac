// The embedded default for now: a 55-prosumer market on the IEEE European LV
// feeder, one prosumer per load bus, cleared once with grid distances. The
// agent lab of issue 5 replaces this with trading cycles over the chain.
#include <ostream>

#include "voltaic/market/feeder.hpp"
#include "voltaic/market/order_file.hpp"
#include "voltaic/market/report.hpp"
#include "voltaic/market/scenario.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

int run_demo(const demo_options& o, std::ostream& out, std::ostream& err) {
  auto fail = [&](const std::string& m, int status) {
    err << "voltaic demo: " << m << "\n";
    return status;
  };
  auto feeder = market::load_feeder("ieee-eu-lv", feeder_data_root());
  if (!feeder) return fail(feeder.err().message, 1);
  auto strategy = market::parse_strategy(o.strategy);
  if (!strategy) return fail(strategy.err().message, 2);
  auto mech = market::parse_mechanism(o.mechanism);
  if (!mech) return fail(mech.err().message, 2);

  market::scenario_params params;
  params.participants = o.participants;
  params.strategy = strategy.value();
  params.seed = o.seed;
  auto sc = market::generate_scenario(params, feeder.value().load_buses);
  if (!sc) return fail(sc.err().message, 2);
  auto& book = sc.value().book;
  auto distances = market::locate_on_grid(feeder.value().grid, book, sc.value().buses);
  if (!distances) return fail(distances.err().message, 1);
  market::cycle_options opt;
  opt.clearing.mechanism = mech.value();
  auto cycle = market::run_cycle(book, distances.value(), opt);
  if (!cycle) return fail(cycle.err().message, 1);

  out << "voltaic demo: " << book.size() << " " << o.strategy << " prosumers on the IEEE European LV feeder ("
      << feeder.value().grid.bus_count() << " buses, grid version " << feeder.value().grid.version_hash().substr(0, 16)
      << "), reference price 0.2023 per kWh, seed " << o.seed << "\n";
  out << market::to_text(book, cycle.value());

  std::string orders = "id,side,price,energy_kwh,distance_pref_m,bus\n";
  for (std::size_t k = 0; k < book.size(); ++k)
    orders += book[k].id + "," + market::to_string(book[k].side) + "," +
              market::format_scaled(book[k].price, market::uc_per_credit) + "," +
              market::format_scaled(book[k].energy, market::mwh_per_kwh) + ",," + sc.value().buses[k] + "\n";
  std::vector<market::csv_table> tables{{"orders.csv", orders}};
  for (auto& t : market::to_csv_tables(book, cycle.value())) tables.push_back(std::move(t));
  tables.push_back({"result.json", market::to_json(book, cycle.value()) + "\n"});
  if (auto st = write_tables(o.out_dir, tables); !st) return fail(st.err().message, 1);
  out << "orders and results written to " << o.out_dir << "/ (orders.csv, clearing.csv, trades.csv, "
      << "outcomes.csv, quotes.csv, result.json)\n";
  out << "replay with: voltaic clear --orders " << o.out_dir << "/orders.csv --feeder ieee-eu-lv\n";
  return 0;
}

}  // namespace voltaic::runtime
