#include "experiment_figures.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "voltaic/market/report.hpp"

namespace voltaic::runtime {

namespace {

namespace fs = std::filesystem;

// One bar of each scenario's cluster: a metric of one grid point.
struct bar {
  std::string title;
  std::string mechanism;  // "dpda" or "mcafee"
  std::string metric;
  std::string behaviour;  // empty: the panel's
};

struct panel {
  std::string title;
  std::string behaviour;
  std::vector<bar> bars;
};

struct figure {
  std::string name;  // file stem, "fig3_16"
  std::string title;
  std::string ylabel;
  bool with_p55 = false;  // chapter 4 adds P-55
  std::vector<panel> panels;
};

const char* const without = "non_cooperative";
const char* const with = "cooperative";

// Two panels, (a) without and (b) with cooperation, of the same bars.
std::vector<panel> both_behaviours(const std::vector<bar>& bars) {
  return {{"(a) without cooperation", without, bars}, {"(b) with cooperation", with, bars}};
}

std::vector<bar> dam_vs_dpda(const std::string& metric) {
  return {{"DAM", "mcafee", metric, ""}, {"DPDA", "dpda", metric, ""}};
}

std::vector<figure> thesis_figures() {
  return {
      {"fig3_16", "Fig 3.16: trading sellers and buyers against those submitted (DPDA)", "prosumers", false,
       both_behaviours({{"sellers submitted", "dpda", "n_sellers", ""},
                        {"sellers trading", "dpda", "trading_sellers", ""},
                        {"buyers submitted", "dpda", "n_buyers", ""},
                        {"buyers trading", "dpda", "trading_buyers", ""}})},
      {"fig3_17", "Fig 3.17: energy sellers cannot trade (DAM below 0: buyers short)", "imbalance (kWh)", false,
       both_behaviours(dam_vs_dpda("imbalance_kwh"))},
      {"fig3_18", "Fig 3.18: each DPDA seller's reduction", "reduction per seller (kWh)", false,
       {{"DPDA", "", {{"with cooperation", "dpda", "reduction_per_seller_kwh", with},
                      {"without cooperation", "dpda", "reduction_per_seller_kwh", without}}}}},
      {"fig3_19", "Fig 3.19: energy winning sellers may sell (traded) and buyers left short", "energy (kWh)", false,
       both_behaviours({{"DAM traded", "mcafee", "traded_kwh", ""},
                        {"DAM short", "mcafee", "short_kwh", ""},
                        {"DPDA traded", "dpda", "traded_kwh", ""},
                        {"DPDA short", "dpda", "short_kwh", ""}})},
      {"fig3_20", "Fig 3.20: clearing price p0", "p0 (credits per kWh)", false, both_behaviours(dam_vs_dpda("p0"))},
      {"fig4_11", "Fig 4.11: participation", "trading prosumers / submitted", true,
       both_behaviours(dam_vs_dpda("participation"))},
      {"fig4_12", "Fig 4.12: trades", "trades", true, both_behaviours(dam_vs_dpda("trades"))},
      {"fig4_13", "Fig 4.13: mean trade cost", "credits per trade", true, both_behaviours(dam_vs_dpda("mean_cost"))},
      {"fig4_14", "Fig 4.14: maximum trade cost", "credits per trade", true, both_behaviours(dam_vs_dpda("max_cost"))},
      {"fig4_15", "Fig 4.15: minimum trade cost", "credits per trade", true, both_behaviours(dam_vs_dpda("min_cost"))},
  };
}

// gnuplot reads single-quoted strings literally, '' standing for one quote.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// "scenario mean sd mean sd ..." per scenario present; false when a bar's
// point is missing for every scenario (the grid does not hold the figure).
bool panel_data(const std::vector<grid_point>& points, const panel& p, bool with_p55, std::string& data) {
  data = "# scenario";
  for (const auto& b : p.bars) data += " \"" + b.title + "\" sd";
  data += "\n";
  std::size_t rows = 0;
  for (const char* series : {"P-10", "P-20", "P-30", "P-40", "P-50", "P-55"}) {
    if (!with_p55 && std::string(series) == "P-55") continue;
    std::string line = series;
    bool complete = true;
    for (const auto& b : p.bars) {
      const auto* point = find_point(points, series, b.behaviour.empty() ? p.behaviour : b.behaviour, b.mechanism);
      if (point == nullptr) {
        complete = false;
        break;
      }
      line += " " + market::format_double(point->mean_of(b.metric)) + " " +
              market::format_double(point->sd_of(b.metric));
    }
    if (!complete) continue;
    data += line + "\n";
    ++rows;
  }
  return rows > 0;
}

std::string plot_commands(const figure& f, const std::vector<std::string>& data_files) {
  std::string t;
  t += "set multiplot layout 1," + std::to_string(f.panels.size()) + " title " + quoted(f.title) + "\n";
  for (std::size_t k = 0; k < f.panels.size(); ++k) {
    t += "set title " + quoted(f.panels[k].title) + "\n";
    t += "plot ";
    for (std::size_t b = 0; b < f.panels[k].bars.size(); ++b) {
      const std::size_t col = 2 + 2 * b;
      t += (b ? ", '' " : quoted(data_files[k]) + " ") + "using " + std::to_string(col) + ":" +
           std::to_string(col + 1) + (b ? "" : ":xtic(1)") + " title " + quoted(f.panels[k].bars[b].title);
    }
    t += "\n";
  }
  t += "unset multiplot\n";
  return t;
}

// Runs `gnuplot script` in `dir`; its messages go to script.log.
market::status run_gnuplot(const fs::path& dir, const std::string& script) {
  const pid_t pid = ::fork();
  if (pid < 0) return market::make_error(market::errc::io_error, "cannot start gnuplot");
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int log = ::open((script + ".log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::execlp("gnuplot", "gnuplot", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return market::make_error(market::errc::io_error, "gnuplot is not installed (Debian: apt-get install gnuplot-nox)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return market::make_error(market::errc::io_error,
                              "gnuplot failed on " + (dir / script).string() + " (see " + script + ".log)");
  return market::status{};
}

}  // namespace

market::result<std::size_t> draw_figures(const std::vector<grid_point>& points, const std::string& dir_text) {
  const fs::path dir(dir_text);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return market::make_error(market::errc::io_error, "cannot create " + dir.string() + ": " + ec.message());
  std::size_t drawn = 0;
  for (const auto& f : thesis_figures()) {
    std::vector<std::string> files;
    bool complete = true;
    for (std::size_t k = 0; k < f.panels.size() && complete; ++k) {
      std::string data;
      complete = panel_data(points, f.panels[k], f.with_p55, data);
      files.push_back(f.name + (f.panels.size() > 1 ? std::string(1, static_cast<char>('a' + k)) : "") + ".dat");
      std::ofstream(dir / files.back()) << data;
    }
    if (!complete) continue;
    const std::string style =
        "set style data histograms\nset style histogram errorbars gap 1 lw 1\n"
        "set style fill solid 0.6 border -1\nset key below horizontal width 3\nset grid ytics\n"
        "set offsets 0, 0, graph 0.08, 0\n"
        "set ylabel " + quoted(f.ylabel) + "\n";
    const std::string width = std::to_string(560 * f.panels.size() + 80);
    std::string script = style;
    script += "set terminal pngcairo size " + width + ",520 font ',10'\nset output " + quoted(f.name + ".png") + "\n";
    script += plot_commands(f, files);
    script += "set terminal svg size " + width + ",520 font 'sans,10'\nset output " + quoted(f.name + ".svg") + "\n";
    script += plot_commands(f, files);
    const std::string script_name = f.name + ".gp";
    std::ofstream(dir / script_name) << script;
    if (auto s = run_gnuplot(dir, script_name); !s) return s.err();
    drawn += 2;
  }
  return drawn;
}

}  // namespace voltaic::runtime
