#include "experiment_lab.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "voltaic/market/csv.hpp"
#include "voltaic/market/order_file.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;

market::error lab_fault(const std::string& what) { return market::make_error(market::errc::malformed_file, what); }

// `program run scenario --out dir`, its output in dir/run.log.
market::status run_lab_process(const std::string& program, const fs::path& scenario, const fs::path& dir) {
  const std::string log = (dir / "run.log").string();
  const pid_t pid = ::fork();
  if (pid < 0) return lab_fault("cannot start " + program);
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execl(program.c_str(), program.c_str(), "run", scenario.c_str(), "--out", dir.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return lab_fault("the lab process failed (exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                     "; see " + log + ")");
  return market::status{};
}

// A CSV's rows by their cycle column, in file order.
market::result<std::map<std::uint64_t, std::vector<std::vector<std::string>>>> rows_by_cycle(
    const fs::path& path, const std::vector<std::string_view>& columns) {
  auto table = market::named_columns::open(path.string(), columns);
  if (!table) return table.err();
  std::map<std::uint64_t, std::vector<std::vector<std::string>>> rows;
  std::vector<std::string> v;
  for (;;) {
    auto more = table.value().next(v);
    if (!more) return more.err();
    if (!more.value()) return rows;
    auto cycle = market::parse_scaled(v[0], 1);
    if (!cycle || cycle.value() < 1) return table.value().at_line(market::errc::invalid_number, "bad cycle");
    rows[static_cast<std::uint64_t>(cycle.value())].push_back(v);
  }
}

market::result<std::int64_t> scaled(const std::string& text, std::int64_t scale, const std::string& what) {
  auto v = market::parse_scaled(text, scale);
  if (!v) return lab_fault(what + " '" + text + "': " + v.err().message);
  return v.value();
}

}  // namespace

std::string lab_scenario_text(const experiment_run& run, const experiment_grid& grid) {
  return "# A lab run of voltaic experiment (engine = \"lab\").\n[chain]\nid = \"voltaic-experiment\"\n\n"
         "[scenario]\nfeeder = \"" + grid.feeder + "\"\nseries = \"" + run.series + "\"\nstrategies = [\"" +
         market::to_string(run.behaviour) + "\"]\nmechanism = \"" + market::to_string(run.mechanism) +
         "\"\npolicy = \"" + market::to_string(run.policy) + "\"\ncycles = " + std::to_string(grid.cycles) +
         "\nclock = \"simulated\"\nseed = " + std::to_string(run.seed) + "\n";
}

market::result<std::string> lab_engine_rows(const experiment_run& run, const experiment_grid& grid,
                                            const experiment_world& world, const std::string& program,
                                            const std::string& work_dir) {
  const fs::path dir(work_dir);
  std::error_code ec;
  fs::remove_all(dir, ec);  // what a killed attempt left
  fs::create_directories(dir, ec);
  if (ec) return lab_fault("cannot create " + dir.string() + ": " + ec.message());
  const fs::path scenario = dir / "scenario.toml";
  {
    std::ofstream f(scenario);
    f << lab_scenario_text(run, grid);
    if (!f.flush()) return lab_fault("cannot write " + scenario.string());
  }
  if (auto s = run_lab_process(program, scenario, dir); !s) return s.err();
  fs::remove_all(dir / "chain", ec);

  auto orders = rows_by_cycle(dir / "orders.csv", {"cycle", "market", "id", "side", "price", "energy_kwh",
                                                   "distance_pref_m", "bus", "seq"});
  if (!orders) return orders.err();
  auto outcomes = rows_by_cycle(dir / "outcomes.csv", {"cycle", "market", "id", "outcome"});
  if (!outcomes) return outcomes.err();
  auto clearing = rows_by_cycle(dir / "clearing.csv", {"cycle", "market", "case", "price"});
  if (!clearing) return clearing.err();
  auto trades = rows_by_cycle(dir / "trades.csv", {"cycle", "market", "energy_kwh"});
  if (!trades) return trades.err();

  auto options = world.options;
  options.clearing = {run.mechanism, run.policy};
  std::string rows;
  for (std::uint32_t cycle = 1; cycle <= grid.cycles; ++cycle) {
    const std::string where = dir.string() + " cycle " + std::to_string(cycle);
    // The order set the chain fixed: every order of the cycle but late ones.
    std::set<std::string> late;
    for (const auto& o : outcomes.value()[cycle])
      if (o[3] == "late") late.insert(o[2]);
    std::vector<market::order> book;
    std::vector<std::string> buses;
    for (const auto& r : orders.value()[cycle]) {
      if (r[1] != "0" || late.count(r[2])) continue;
      market::order o;
      o.id = r[2];
      o.side = r[3] == "sell" ? market::side::sell : market::side::buy;
      auto price = scaled(r[4], market::uc_per_credit, where + ": price");
      auto energy = scaled(r[5], market::mwh_per_kwh, where + ": energy");
      auto seq = scaled(r[8], 1, where + ": seq");
      if (!price || !energy || !seq) return lab_fault(where + ": a malformed order row");
      o.price = price.value();
      o.energy = energy.value();
      o.seq = static_cast<std::uint64_t>(seq.value());
      if (!r[6].empty()) {
        auto pref = scaled(r[6], market::mm_per_m, where + ": distance preference");
        if (!pref) return pref.err();
        o.distance_pref = pref.value();
      }
      book.push_back(std::move(o));
      buses.push_back(r[7]);
    }
    if (!world.grid) return lab_fault("the lab engine needs a feeder");
    auto distances = market::locate_on_grid(*world.grid, book, buses);
    if (!distances) return lab_fault(where + ": " + distances.err().message);
    auto result = market::run_cycle(book, distances.value(), options);
    if (!result) return lab_fault(where + ": " + result.err().message);

    // The chain's clearing and trades must be what the library gives.
    const auto& chain_clearing = clearing.value()[cycle];
    if (chain_clearing.empty()) return lab_fault(where + ": the recorder wrote no clearing");
    auto chain_price = scaled(chain_clearing.front()[3], market::uc_per_credit, where + ": p0");
    if (!chain_price) return chain_price.err();
    market::energy_mwh chain_traded = 0;
    for (const auto& t : trades.value()[cycle]) {
      auto e = scaled(t[2], market::mwh_per_kwh, where + ": trade energy");
      if (!e) return e.err();
      chain_traded += e.value();
    }
    const auto m = market::metrics_of(book, result.value());
    if (std::to_string(m.case_number) != chain_clearing.front()[2] || m.p0 != chain_price.value() ||
        m.traded != chain_traded || result.value().trades.size() != trades.value()[cycle].size())
      return lab_fault(where + ": the chain cleared case " + chain_clearing.front()[2] + " at " +
                       chain_clearing.front()[3] + " with " + std::to_string(trades.value()[cycle].size()) +
                       " trades, the market library case " + std::to_string(m.case_number) + " at " +
                       market::format_scaled(m.p0, market::uc_per_credit) + " with " +
                       std::to_string(result.value().trades.size()));
    rows += (rows.empty() ? "" : ";") + runs_row(run, cycle, m);
  }
  return rows;
}

}  // namespace voltaic::runtime
