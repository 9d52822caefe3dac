// Market benchmarks (issue 2): clearing at 55 ... 100,000 orders under both
// mechanisms, and the full cycle (validation, clearing, welfare, score
// matching, quotes, outcomes) at 55 ... 10,000 participants, next to the
// sort-every-pair matching it replaces. Peak heap per run is reported as
// peak_MiB. Books come from the P-series generator (cooperative bids around
// 0.2023 per kWh, 30-200 kWh) on the LV feeder's 55 prosumer buses.
#include <benchmark/benchmark.h>

#include <map>
#include <stdexcept>

#include "heap_counter.hpp"
#include "voltaic/market/cycle.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/order_file.hpp"
#include "voltaic/market/scenario.hpp"

using namespace voltaic;

namespace {

struct bench_market {
  std::vector<market::order> book;
  market::distance_table distances;
};

const bench_market& market_of(std::size_t participants) {
  static std::map<std::size_t, bench_market> cache;
  auto it = cache.find(participants);
  if (it != cache.end()) return it->second;
  static const auto feeder = market::load_ieee_eu_lv(VOLTAIC_SOURCE_DIR "/data/feeders/ieee_eu_lv");
  if (!feeder) throw std::runtime_error(feeder.err().message);
  market::scenario_params p;
  p.participants = participants;
  p.seed = 2024;
  auto sc = market::generate_scenario(p, feeder.value().load_buses);
  if (!sc) throw std::runtime_error(sc.err().message);
  bench_market m{std::move(sc.value().book), {}};
  auto d = market::locate_on_grid(feeder.value().grid, m.book, sc.value().buses);
  if (!d) throw std::runtime_error(d.err().message);
  m.distances = std::move(d).value();
  return cache.emplace(participants, std::move(m)).first->second;
}

void report_peak(benchmark::State& state, std::size_t baseline) {
  state.counters["peak_MiB"] = bench::peak_mib_since(baseline);
}

void clear_book(benchmark::State& state, market::mechanism mech) {
  const auto& m = market_of(static_cast<std::size_t>(state.range(0)));
  const std::size_t baseline = bench::heap_in_use;
  bench::reset_peak();
  for (auto _ : state) {
    if (!market::validate_book(m.book)) state.SkipWithError("invalid book");
    auto r = market::clear(m.book, {mech, market::surplus_policy::equal_share});
    benchmark::DoNotOptimize(r);
  }
  report_peak(state, baseline);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_clear_dpda(benchmark::State& state) { clear_book(state, market::mechanism::dpda); }
void BM_clear_mcafee(benchmark::State& state) { clear_book(state, market::mechanism::mcafee); }

void BM_full_cycle(benchmark::State& state) {
  const auto& m = market_of(static_cast<std::size_t>(state.range(0)));
  const std::size_t baseline = bench::heap_in_use;
  bench::reset_peak();
  std::size_t trades = 0;
  for (auto _ : state) {
    auto r = market::run_cycle(m.book, m.distances, {});
    if (!r) state.SkipWithError(r.err().message.c_str());
    trades = r.value().trades.size();
    benchmark::DoNotOptimize(r);
  }
  report_peak(state, baseline);
  state.counters["trades"] = static_cast<double>(trades);
}

// The literal definition: score and sort every (buyer, seller) pair.
void BM_full_cycle_sort_all_pairs(benchmark::State& state) {
  const auto& m = market_of(static_cast<std::size_t>(state.range(0)));
  const std::size_t baseline = bench::heap_in_use;
  bench::reset_peak();
  for (auto _ : state) {
    if (!market::validate_book(m.book)) state.SkipWithError("invalid book");
    auto cl = market::clear(m.book, {});
    auto trades = market::match_reference(m.book, cl, m.distances, {});
    if (!trades) state.SkipWithError(trades.err().message.c_str());
    auto q = market::quotes_of(cl, trades.value());
    auto o = market::outcomes_of(m.book, cl, trades.value());
    benchmark::DoNotOptimize(q);
    benchmark::DoNotOptimize(o);
  }
  report_peak(state, baseline);
}

void BM_winner_pairs(benchmark::State& state) {
  const auto& m = market_of(static_cast<std::size_t>(state.range(0)));
  const auto cl = market::clear(m.book, {});
  for (auto _ : state) benchmark::DoNotOptimize(cl.buyers.size());
  state.counters["winning_buyers"] = static_cast<double>(cl.buyers.size());
  state.counters["winning_sellers"] = static_cast<double>(cl.sellers.size());
}

}  // namespace

BENCHMARK(BM_clear_dpda)->Arg(55)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_clear_mcafee)->Arg(55)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_full_cycle)->Arg(55)->Arg(1'000)->Arg(5'000)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_full_cycle_sort_all_pairs)->Arg(55)->Arg(1'000)->Arg(5'000)->Arg(10'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_winner_pairs)->Arg(10'000)->Iterations(1);
BENCHMARK_MAIN();
namespace {
void BM_validate_only(benchmark::State& state) {
  const auto& m = market_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(market::validate_book(m.book));
}
void BM_curves_only(benchmark::State& state) {
  const auto& m = market_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(market::build_curves(m.book));
}
}  // namespace
BENCHMARK(BM_validate_only)->Arg(100'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_curves_only)->Arg(100'000)->Unit(benchmark::kMicrosecond);
