#include "experiment_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "voltaic/market/report.hpp"

namespace voltaic::runtime {

namespace {

std::size_t metric_index(std::string_view metric) {
  const auto* at = std::find(std::begin(runs_metric_names), std::end(runs_metric_names), metric);
  return static_cast<std::size_t>(at - std::begin(runs_metric_names));
}

}  // namespace

bool counts(const run_row& row, std::size_t metric) {
  // A book that does not cross has no clearing price: its 0 is not a price.
  return metric != metric_index("p0") || row["case"] != 0;
}

double grid_point::mean_of(std::string_view metric) const {
  const auto k = metric_index(metric);
  return k < mean.size() ? mean[k] : 0.0;
}

double grid_point::sd_of(std::string_view metric) const {
  const auto k = metric_index(metric);
  return k < sd.size() ? sd[k] : 0.0;
}

std::vector<grid_point> summarize(const std::vector<run_row>& rows) {
  using key = std::tuple<std::string, std::string, std::string, std::string, std::uint32_t>;
  std::map<key, std::size_t> index;
  std::vector<grid_point> points;
  std::vector<std::vector<const run_row*>> members;
  for (const auto& r : rows) {
    const key k{r.series, r.behaviour, r.mechanism, r.policy, r.cycle};
    auto [it, added] = index.emplace(k, points.size());
    if (added) {
      points.push_back({r.series, r.behaviour, r.mechanism, r.policy, r.cycle, 0, {}, {}});
      members.emplace_back();
    }
    members[it->second].push_back(&r);
  }
  const std::size_t metrics = std::size(runs_metric_names);
  for (std::size_t p = 0; p < points.size(); ++p) {
    auto& point = points[p];
    const auto& of = members[p];
    point.runs = of.size();
    point.mean.assign(metrics, 0.0);
    point.sd.assign(metrics, 0.0);
    for (std::size_t m = 0; m < metrics; ++m) {
      double sum = 0;
      std::size_t n = 0;
      for (const auto* r : of)
        if (counts(*r, m)) {
          sum += r->values[m];
          ++n;
        }
      const double mean = n ? sum / static_cast<double>(n) : 0.0;
      double squares = 0;
      for (const auto* r : of)
        if (counts(*r, m)) squares += (r->values[m] - mean) * (r->values[m] - mean);
      point.mean[m] = mean;
      point.sd[m] = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
    }
  }
  return points;
}

std::string summary_csv(const std::vector<grid_point>& points) {
  std::string t = "series,behaviour,mechanism,policy,cycle,runs";
  for (auto name : runs_metric_names) t.append(",").append(name).append("_mean,").append(name).append("_sd");
  t += "\n";
  for (const auto& p : points) {
    t += p.series + "," + p.behaviour + "," + p.mechanism + "," + p.policy + "," + std::to_string(p.cycle) + "," +
         std::to_string(p.runs);
    for (std::size_t m = 0; m < p.mean.size(); ++m)
      t += "," + market::format_double(p.mean[m]) + "," + market::format_double(p.sd[m]);
    t += "\n";
  }
  return t;
}

const grid_point* find_point(const std::vector<grid_point>& points, std::string_view series,
                             std::string_view behaviour, std::string_view mechanism, std::string_view policy) {
  for (const auto& p : points)
    if (p.series == series && p.behaviour == behaviour && p.mechanism == mechanism && p.policy == policy &&
        p.cycle <= 1)
      return &p;
  return nullptr;
}

}  // namespace voltaic::runtime
