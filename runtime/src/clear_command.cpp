#include <filesystem>
#include <future>
#include <new>
#include <ostream>

#include "clear_json.hpp"
#include "memory_budget.hpp"
#include "trade_renderer.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/order_file.hpp"
#include "voltaic/market/report.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

int fail(std::ostream& err, const std::string& message, int status = 2) {
  err << "voltaic clear: " << message << "\n";
  return status;
}

// Peak memory of a clearing per byte of its orders file (with --out), as
// measured on generated books of 10^5 and 10^6 orders (docs/PERFORMANCE.md),
// rounded up.
constexpr std::uint64_t bytes_per_file_byte = 20;

int clear_book(const clear_options& o, std::ostream& out, std::ostream& err);

}  // namespace

int run_clear(const clear_options& o, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  const auto file_bytes = std::filesystem::file_size(o.orders, ec);
  if (!ec) {
    const std::uint64_t needed = file_bytes * bytes_per_file_byte, available = memory_available_bytes();
    if (needed > available)
      return fail(err, o.orders + ": a book of " + mebibytes(file_bytes) + " needs about " + mebibytes(needed) +
                           " to clear, more than the " + mebibytes(available) +
                           " this process may use; split the book or free memory");
  }
  try {
    return clear_book(o, out, err);
  } catch (const std::bad_alloc&) {
    return fail(err, o.orders + ": out of memory while clearing this book (" + mebibytes(memory_available_bytes()) +
                         " available); split the book or free memory");
  }
}

namespace {

int clear_book(const clear_options& o, std::ostream& out, std::ostream& err) {
  market::cycle_options opt;
  auto mech = market::parse_mechanism(o.mechanism);
  if (!mech) return fail(err, mech.err().message);
  auto policy = market::parse_surplus_policy(o.policy);
  if (!policy) return fail(err, policy.err().message);
  opt.clearing = {mech.value(), policy.value()};
  auto charge = market::parse_scaled(o.charge_per_m, market::uc_per_credit);
  if (!charge || charge.value() < 0)
    return fail(err, "--charge-per-m must be a decimal number >= 0, not '" + o.charge_per_m + "'");
  opt.matching.charge_per_m = charge.value();
  if (!o.feeder.empty() && !o.distances.empty())
    return fail(err, "give either --feeder or --distances, not both");

  auto file = market::load_orders_csv(o.orders);
  if (!file) return fail(err, file.err().message);
  auto& book = file.value().book;

  market::distance_table distances = market::distance_table::uniform(0);
  if (!o.distances.empty()) {
    auto d = market::load_pair_distances(o.distances, book);
    if (!d) return fail(err, d.err().message);
    distances = std::move(d).value();
  } else if (!o.feeder.empty()) {
    auto f = market::load_feeder(o.feeder, feeder_data_root());
    if (!f) return fail(err, f.err().message);
    auto d = market::locate_on_grid(f.value().grid, book, file.value().buses);
    if (!d) return fail(err, o.orders + ": " + d.err().message);
    distances = std::move(d).value();
  }

  // The trades are rendered on the second core while the walk still runs.
  trade_renderer renderer(book, {!o.out_dir.empty(), !o.json});
  opt.matching.on_trades = [&](const market::trade* first, std::size_t count) { renderer.take(first, count); };
  auto cycle = market::run_cycle(book, distances, opt);
  renderer.finish();
  if (!cycle) return fail(err, o.orders + ": " + cycle.err().message);

  // The tables and the report only read the result: the quotes table (with
  // the trades table already rendered) on one core, the other two tables and
  // the report on the other.
  using market::report_table;
  const auto& result = cycle.value();
  std::future<market::status> side_tables;
  if (!o.out_dir.empty()) {
    // No table yet: the directory, before two threads write into it.
    if (auto st = write_tables(o.out_dir, book, result, {}); !st) return fail(err, st.err().message, 1);
    side_tables = std::async(std::launch::async, [&]() -> market::status {
      if (auto st = write_text_file(o.out_dir, market::to_csv_table_name(report_table::trades),
                                    {market::trade_table_header, renderer.table_rows()});
          !st)
        return st;
      return write_tables(o.out_dir, book, result, {report_table::quotes});
    });
    if (auto st = write_tables(o.out_dir, book, result, {report_table::clearing, report_table::outcomes}); !st) {
      side_tables.wait();
      return fail(err, st.err().message, 1);
    }
  }
  // The report's parts, printed in turn: joined, the trade lines would be
  // copied once more.
  std::vector<std::string> report;
  if (o.json) {
    report.push_back(clear_json(book, result) + "\n");
  } else {
    report.push_back(market::text_summary_head(book, result));
    report.push_back(std::move(renderer.text_lines()));
    report.push_back(market::text_summary_rejected(book, result));
  }
  if (side_tables.valid())
    if (auto st = side_tables.get(); !st) return fail(err, st.err().message, 1);
  for (const std::string& part : report) out << part;
  if (!o.out_dir.empty() && !o.json) out << "results written to " << o.out_dir << "/\n";
  return 0;
}

}  // namespace

}  // namespace voltaic::runtime
