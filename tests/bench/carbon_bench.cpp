// Carbon market benchmarks (issue 21): the carbon auction at 1,000 ...
// 100,000 participants (goal: 100,000 within 50 ms), and the copula fit of
// all five families on 1,000 and 10,000 price pairs (goal: 10,000 within
// 1 s). Books are random with a fixed seed: 40 % CEC buyers, 30 % CEC
// sellers, 30 % PV prosumers, limits 1-20 credits per tonne, balances up to
// 5,000 t. Price pairs are drawn from a Gaussian copula with rho 0.7.
#include <benchmark/benchmark.h>

#include <map>

#include "heap_counter.hpp"
#include "voltaic/market/carbon_auction.hpp"
#include "voltaic/market/copula_fit.hpp"
#include "voltaic/market/rng.hpp"

using namespace voltaic;

namespace {

const std::vector<market::carbon_participant>& book_of(std::size_t n) {
  static std::map<std::size_t, std::vector<market::carbon_participant>> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  market::rng r(2026);
  std::vector<market::carbon_participant> book;
  for (std::size_t k = 0; k < n; ++k) {
    market::carbon_participant p;
    p.id = "node-" + std::to_string(k);
    const auto kind = r.between(0, 9);
    p.role = kind < 7 ? market::carbon_role::cec : market::carbon_role::pvp;
    p.quota_kg = r.between(1, 5'000'000) * (kind < 4 ? -1 : 1);
    p.price = r.between(1'000'000, 20'000'000);
    book.push_back(std::move(p));
  }
  return cache.emplace(n, std::move(book)).first->second;
}

void carbon_clear(benchmark::State& state) {
  const auto& book = book_of(static_cast<std::size_t>(state.range(0)));
  const std::size_t baseline = bench::heap_in_use;
  bench::reset_peak();
  for (auto _ : state) {
    auto r = market::clear_carbon(book);
    if (!r) state.SkipWithError("invalid book");
    benchmark::DoNotOptimize(r);
  }
  state.counters["peak_MiB"] = bench::peak_mib_since(baseline);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

const market::pseudo_observations& pairs_of(std::size_t n) {
  static std::map<std::size_t, market::pseudo_observations> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  market::rng r(7);
  const market::copula gaussian{market::copula_family::gaussian, 0.7, 0};
  std::vector<double> x(n), y(n);
  for (std::size_t k = 0; k < n; ++k) {
    x[k] = r.uniform(1e-9, 1);
    y[k] = market::copula_h_inverse(gaussian, r.uniform(1e-9, 1), x[k]);
  }
  return cache.emplace(n, market::pseudo_observations_of(x, y).value()).first->second;
}

void copula_fit_all(benchmark::State& state) {
  const auto& obs = pairs_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto fits = market::fit_copulas(obs);
    if (fits.size() != 5) state.SkipWithError("a family was not fitted");
    benchmark::DoNotOptimize(fits);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(copula_fit_all)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(carbon_clear)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
