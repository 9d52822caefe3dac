#include "experiment_grid.hpp"

#include <toml++/toml.h>

#include <functional>

#include "config_check.hpp"
#include "run_config_toml.hpp"
#include "voltaic/market/p_series.hpp"
#include "voltaic/runtime/config_schema.hpp"

namespace voltaic::runtime {

namespace {

// Each entry of a text list through `parse`, at least one; faults name the entry.
template <class T>
market::status read_list(const toml::table& section, const char* key, const std::string& path,
                         const std::function<market::result<T>(const std::string&)>& parse, std::vector<T>& out) {
  const auto* list = section[key].as_array();
  if (list == nullptr) return market::status{};  // the default stays
  out.clear();
  for (const auto& item : *list) {
    auto v = parse(item.value_or(std::string{}));
    if (!v) return config_fault(path, &item, std::string("[experiment] ") + key + ": " + v.err().message);
    out.push_back(v.value());
  }
  if (out.empty()) return config_fault(path, list, std::string("[experiment] ") + key + " is empty");
  return market::status{};
}

market::result<std::string> parse_series(const std::string& name) {
  if (market::is_p_fixture(name)) return name;
  auto s = market::find_p_scenario(name);
  if (!s) return s.err();
  return name;
}

market::result<market::strategy_kind> parse_behaviour(const std::string& name) {
  auto k = market::parse_strategy(name);
  if (k && (k.value() == market::strategy_kind::cooperative || k.value() == market::strategy_kind::non_cooperative))
    return k.value();
  return market::make_error(market::errc::invalid_argument,
                            "'" + name + "' is not a P-series behaviour (use cooperative or non_cooperative)");
}

market::result<market::strategy_kind> parse_lab_behaviour(const std::string& name) {
  auto k = market::parse_strategy(name);
  if (k && k.value() != market::strategy_kind::scripted) return k.value();
  return market::make_error(market::errc::invalid_argument,
                            "'" + name + "' is not a lab behaviour (use cooperative, non_cooperative, adaptive or truthful)");
}

// "7" or "1..100".
bool parse_seeds(const std::string& text, std::uint64_t& first, std::uint64_t& last) {
  auto number = [](const std::string& s, std::uint64_t& v) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    v = std::stoull(s);
    return true;
  };
  const auto dots = text.find("..");
  if (dots == std::string::npos) return number(text, first) && number(text, last);
  return number(text.substr(0, dots), first) && number(text.substr(dots + 2), last) && first <= last;
}

}  // namespace

market::result<experiment_grid> load_experiment_grid(const std::string& path) {
  auto doc = parse_toml_file(path);
  if (!doc) return doc.err();
  if (auto s = check_config(doc.value(), experiment_file_schema(), path); !s) return s.err();
  const auto* section = doc.value()["experiment"].as_table();
  if (section == nullptr) return config_fault(path, nullptr, "[experiment] is missing");
  experiment_grid g;
  g.series = {"P-10", "P-20", "P-30", "P-40", "P-50", "P-55"};
  g.behaviours = {market::strategy_kind::cooperative, market::strategy_kind::non_cooperative};
  g.mechanisms = {market::mechanism::dpda};
  g.policies = {market::surplus_policy::equal_share};
  const auto engine = (*section)["engine"].value_or(std::string{"market"});
  if (engine == "lab") {
    g.engine = experiment_engine::lab;
  } else if (engine != "market") {
    return config_fault(path, (*section)["engine"].node(),
                        "[experiment] engine: '" + engine + "' is not market or lab");
  }
  const bool lab = g.engine == experiment_engine::lab;
  if (auto s = read_list<std::string>(*section, "series", path, parse_series, g.series); !s) return s.err();
  // A lab's prosumers bid each cycle: any strategy but a script; the market
  // engine's books are drawn by the thesis's two behaviours.
  if (auto s = read_list<market::strategy_kind>(*section, "behaviours", path,
                                                lab ? parse_lab_behaviour : parse_behaviour, g.behaviours);
      !s)
    return s.err();
  if (auto s = read_list<market::mechanism>(
          *section, "mechanisms", path, [](const std::string& t) { return market::parse_mechanism(t); }, g.mechanisms);
      !s)
    return s.err();
  if (auto s = read_list<market::surplus_policy>(
          *section, "policies", path, [](const std::string& t) { return market::parse_surplus_policy(t); },
          g.policies);
      !s)
    return s.err();
  if (const auto* seeds = (*section)["seeds"].as_string()) {
    if (!parse_seeds(seeds->get(), g.first_seed, g.last_seed))
      return config_fault(path, seeds, "[experiment] seeds: '" + seeds->get() +
                                           "' is not a seed or a range such as \"1..100\"");
  }
  g.feeder = (*section)["feeder"].value_or(g.feeder);
  if (lab) {
    for (const auto& series : g.series)
      if (market::is_p_fixture(series))
        return config_fault(path, (*section)["series"].node(),
                            "[experiment] series: the lab engine draws its books each cycle; the printed book " +
                                series + " is for the market engine");
    if (g.feeder == "none")
      return config_fault(path, (*section)["feeder"].node(), "[experiment] feeder: a lab needs a feeder");
  }
  g.cycles = static_cast<std::uint32_t>((*section)["cycles"].value_or(g.engine == experiment_engine::lab ? 10 : 1));
  if (g.engine == experiment_engine::market && g.cycles != 1)
    return config_fault(path, (*section)["cycles"].node(),
                        "[experiment] cycles: the market engine runs one cycle per run; use engine = \"lab\"");
  return g;
}

experiment_grid thesis_grid() {
  experiment_grid g;
  g.series = {"P-10", "P-20", "P-30", "P-40", "P-50", "P-55", std::string(market::p50_coop_fixture),
              std::string(market::p50_noncoop_fixture)};
  g.behaviours = {market::strategy_kind::cooperative, market::strategy_kind::non_cooperative};
  g.mechanisms = {market::mechanism::dpda, market::mechanism::mcafee};
  g.policies = {market::surplus_policy::equal_share};
  g.first_seed = 1;
  g.last_seed = 100;
  return g;
}

std::string grid_text(const experiment_grid& g) {
  std::string t = "series=";
  for (const auto& s : g.series) t += s + ",";
  t += " behaviours=";
  for (auto b : g.behaviours) t += std::string(market::to_string(b)) + ",";
  t += " mechanisms=";
  for (auto m : g.mechanisms) t += std::string(market::to_string(m)) + ",";
  t += " policies=";
  for (auto p : g.policies) t += std::string(market::to_string(p)) + ",";
  t += " seeds=" + std::to_string(g.first_seed) + ".." + std::to_string(g.last_seed);
  t += " feeder=" + g.feeder;
  t += std::string(" engine=") + (g.engine == experiment_engine::lab ? "lab" : "market");
  t += " cycles=" + std::to_string(g.cycles);
  return t;
}

std::vector<experiment_run> runs_of(const experiment_grid& g) {
  std::vector<experiment_run> runs;
  for (const auto& series : g.series) {
    if (market::is_p_fixture(series)) {
      const auto behaviour = series == market::p50_coop_fixture ? market::strategy_kind::cooperative
                                                                : market::strategy_kind::non_cooperative;
      for (auto m : g.mechanisms)
        for (auto p : g.policies) runs.push_back({series, behaviour, m, p, 0});
      continue;
    }
    for (auto b : g.behaviours)
      for (auto m : g.mechanisms)
        for (auto p : g.policies)
          for (auto seed = g.first_seed; seed <= g.last_seed; ++seed) runs.push_back({series, b, m, p, seed});
  }
  return runs;
}

}  // namespace voltaic::runtime
