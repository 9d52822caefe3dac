// `voltaic carbon clear`: the carbon auction of a participants file
// (spec/carbon.md section 4), and `voltaic carbon analyze`: the copula
// analysis of electricity and carbon prices (section 5), as JSON or text.
#include <iomanip>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "json_text.hpp"
#include "voltaic/market/carbon_file.hpp"
#include "voltaic/market/carbon_price_analysis.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

std::string carbon_json(const market::carbon_result& r) {
  std::string t = "{\"trades\":[";
  for (std::size_t k = 0; k < r.trades.size(); ++k) {
    const auto& x = r.trades[k];
    t += (k ? "," : "") + std::string("{\"buyer\":") + json_quote(x.buyer) + ",\"seller\":" + json_quote(x.seller) +
         ",\"phase\":" + std::to_string(x.phase) + ",\"quantity_kg\":" + std::to_string(x.quantity_kg) +
         ",\"price\":\"" + market::carbon_decimal(x.price) + "\",\"turnover\":\"" +
         market::carbon_decimal(x.turnover) + "\"}";
  }
  auto left = [&](const char* name, const std::vector<market::carbon_left_over>& v) {
    t += std::string("],\"") + name + "\":[";
    for (std::size_t k = 0; k < v.size(); ++k)
      t += (k ? "," : "") + std::string("{\"id\":") + json_quote(v[k].id) +
           ",\"quantity_kg\":" + std::to_string(v[k].quantity_kg) + "}";
  };
  left("short", r.short_of);
  left("unsold", r.unsold);
  return t + "]}\n";
}

std::string carbon_table(const market::carbon_result& r) {
  std::ostringstream t;
  t << "phase  buyer -> seller  quantity_kg  price (credits/t)  turnover (credits)\n";
  for (const auto& x : r.trades)
    t << x.phase << "  " << x.buyer << " -> " << x.seller << "  " << x.quantity_kg << "  "
      << market::carbon_decimal(x.price) << "  " << market::carbon_decimal(x.turnover) << "\n";
  if (r.trades.empty()) t << "(no trades: the best bid is below the best ask, or a side is empty)\n";
  for (const auto& s : r.short_of) t << "short: " << s.id << " still needs " << s.quantity_kg << " kg\n";
  for (const auto& u : r.unsold) t << "unsold: " << u.id << " keeps " << u.quantity_kg << " kg\n";
  return t.str();
}

std::vector<double> params_of(const market::copula& c) {
  if (c.family == market::copula_family::student_t) return {c.param, c.nu};
  return {c.param};
}

std::string analysis_json(const market::price_analysis& a) {
  nlohmann::json fits = nlohmann::json::array();
  for (const auto& f : a.fits)
    fits.push_back({{"family", market::to_string(f.fitted.family)},
                    {"params", params_of(f.fitted)},
                    {"loglik", f.loglik},
                    {"aic", f.aic}});
  const nlohmann::json j = {{"n", a.n},
                            {"spearman", a.spearman},
                            {"fits", fits},
                            {"chosen", market::to_string(a.chosen)},
                            {"bid_range", {a.bid_low, a.bid_high}}};
  return j.dump() + "\n";
}

std::string analysis_text(const market::price_analysis& a) {
  std::ostringstream t;
  t << std::setprecision(6) << a.n << " price pairs, Spearman's rho " << a.spearman << "\n";
  for (const auto& f : a.fits) {
    t << "  " << market::to_string(f.fitted.family) << ": ";
    const auto params = params_of(f.fitted);
    for (std::size_t k = 0; k < params.size(); ++k) t << (k ? ", " : "") << params[k];
    t << "  log-likelihood " << f.loglik << "  AIC " << f.aic << "\n";
  }
  t << "chosen: " << market::to_string(a.chosen) << "\nrecommended carbon bid: " << a.bid_low << " to " << a.bid_high
    << " per tonne\n";
  return t.str();
}

}  // namespace

int run_carbon_analyze(const carbon_analyze_options& o, std::ostream& out, std::ostream& err) {
  auto prices = market::load_price_pairs(o.prices);
  if (!prices) {
    err << prices.err().message << "\n";
    return 2;
  }
  market::price_analysis_options options;
  if (o.given_electricity) options.given_electricity = *o.given_electricity;
  options.samples = o.samples;
  options.seed = o.seed;
  auto a = market::analyze_carbon_prices(prices.value(), options);
  if (!a) {
    err << o.prices << ":0: " << a.err().message << "\n";
    return 2;
  }
  out << (o.json ? analysis_json(a.value()) : analysis_text(a.value()));
  return 0;
}

int run_carbon_clear(const carbon_clear_options& o, std::ostream& out, std::ostream& err) {
  auto book = market::load_carbon_participants(o.participants);
  if (!book) {
    err << book.err().message << "\n";
    return 2;
  }
  auto result = market::clear_carbon(book.value());
  if (!result) {
    err << o.participants << ":0: " << result.err().message << "\n";
    return 2;
  }
  out << (o.json ? carbon_json(result.value()) : carbon_table(result.value()));
  return 0;
}

}  // namespace voltaic::runtime
