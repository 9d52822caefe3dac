#include "clear_json.hpp"

#include "json_text.hpp"
#include "voltaic/market/report.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::runtime {

namespace {

std::string kwh(market::energy_mwh e) { return market::format_scaled(e, market::mwh_per_kwh); }
std::string credits(std::int64_t uc) { return market::format_scaled(uc, market::uc_per_credit); }
std::string metres(market::distance_mm d) { return market::format_scaled(d, market::mm_per_m); }

}  // namespace

std::string clear_json(const std::vector<market::order>& book, const market::cycle_result& cy) {
  const market::clearing_result& cl = cy.clearing;
  std::string j = "{";
  j += "\"mechanism\":" + json_quote(market::to_string(cl.mechanism));
  j += ",\"policy\":" + json_quote(market::to_string(cl.policy));
  j += ",\"case\":" + std::to_string(cl.case_number);
  j += ",\"x\":" + std::to_string(cl.x) + ",\"y\":" + std::to_string(cl.y);
  j += ",\"price\":" + credits(cl.price);
  j += std::string(",\"price_adjusted\":") + (cl.price_adjusted ? "true" : "false");
  j += ",\"sellers\":[";
  // Sold energy per winning seller, in winner order.
  std::vector<market::energy_mwh> sold(cl.sellers.size(), 0);
  for (std::size_t i = 0; i < cl.sellers.size(); ++i) sold[i] = cy.outcomes[cl.sellers[i]].traded;
  for (std::size_t i = 0; i < cl.sellers.size(); ++i) {
    const market::order& s = book[cl.sellers[i]];
    j += i ? "," : "";
    j += "{\"id\":" + json_quote(s.id) + ",\"offered_kwh\":" + kwh(s.energy) +
         ",\"allowed_kwh\":" + kwh(cl.seller_allowed[i]) + ",\"sold_kwh\":" + kwh(sold[i]) + "}";
  }
  j += "],\"buyers\":[";
  for (std::size_t k = 0; k < cl.buyers.size(); ++k) {
    const market::order& b = book[cl.buyers[k]];
    j += k ? "," : "";
    j += "{\"id\":" + json_quote(b.id) + ",\"requested_kwh\":" + kwh(b.energy) +
         ",\"bought_kwh\":" + kwh(cy.outcomes[cl.buyers[k]].traded) + "}";
  }
  j += "],\"trades\":[";
  for (std::size_t k = 0; k < cy.trades.size(); ++k) {
    const market::trade& t = cy.trades[k];
    j += k ? "," : "";
    j += "{\"buyer\":" + json_quote(book[t.buyer].id) + ",\"seller\":" + json_quote(book[t.seller].id) +
         ",\"energy_kwh\":" + kwh(t.energy) + ",\"distance_m\":" + metres(t.distance) +
         ",\"score\":" + market::format_double(t.score) + ",\"charge\":" + credits(t.charge) + "}";
  }
  j += "],\"outcomes\":[";
  for (std::size_t k = 0; k < book.size(); ++k) {
    const market::order_outcome& o = cy.outcomes[k];
    j += k ? "," : "";
    j += "{\"id\":" + json_quote(book[k].id) + ",\"side\":" + json_quote(market::to_string(book[k].side)) +
         ",\"outcome\":" + json_quote(market::to_string(o.kind)) + ",\"reason\":" +
         json_quote(market::to_string(o.reason)) + ",\"traded_kwh\":" + kwh(o.traded) + "}";
  }
  j += "],\"quotes\":{\"buyers\":{";
  for (std::size_t k = 0; k < cy.quotes.buyers.size(); ++k) {
    const market::quote& q = cy.quotes.buyers[k];
    j += (k ? "," : "") + json_quote(book[q.order].id) + ":" + credits(q.amount);
  }
  j += "},\"sellers\":{";
  for (std::size_t k = 0; k < cy.quotes.sellers.size(); ++k) {
    const market::quote& q = cy.quotes.sellers[k];
    j += (k ? "," : "") + json_quote(book[q.order].id) + ":" + credits(q.amount);
  }
  j += "}}}";
  return j;
}

}  // namespace voltaic::runtime
