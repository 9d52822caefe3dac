// `voltaic carbon clear`: the carbon auction of a participants file
// (spec/carbon.md section 4), as JSON or a table.
#include <iomanip>
#include <ostream>
#include <sstream>

#include "json_text.hpp"
#include "voltaic/market/carbon_file.hpp"
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

}  // namespace

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
