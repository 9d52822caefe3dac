#include "voltaic/market/report.hpp"

#include <charconv>
#include <cstdio>

namespace voltaic::market {

namespace {

std::string kwh(energy_mwh e) { return format_scaled(e, mwh_per_kwh); }
std::string credits(std::int64_t uc) { return format_scaled(uc, uc_per_credit); }
std::string metres(distance_mm d) { return format_scaled(d, mm_per_m); }

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// CSV field: quoted only when it must be.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Sold energy per winning seller, in winner order.
std::vector<energy_mwh> sold_per_seller(const cycle_result& cy) {
  std::vector<energy_mwh> sold(cy.clearing.sellers.size(), 0);
  for (std::size_t i = 0; i < cy.clearing.sellers.size(); ++i)
    sold[i] = cy.outcomes[cy.clearing.sellers[i]].traded;
  return sold;
}

}  // namespace

std::string format_double(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
}

std::string to_json(const std::vector<order>& book, const cycle_result& cy) {
  const clearing_result& cl = cy.clearing;
  std::string j = "{";
  j += "\"mechanism\":" + json_string(to_string(cl.mechanism));
  j += ",\"policy\":" + json_string(to_string(cl.policy));
  j += ",\"case\":" + std::to_string(cl.case_number);
  j += ",\"x\":" + std::to_string(cl.x) + ",\"y\":" + std::to_string(cl.y);
  j += ",\"price\":" + credits(cl.price);
  j += std::string(",\"price_adjusted\":") + (cl.price_adjusted ? "true" : "false");
  j += ",\"sellers\":[";
  const auto sold = sold_per_seller(cy);
  for (std::size_t i = 0; i < cl.sellers.size(); ++i) {
    const order& s = book[cl.sellers[i]];
    j += i ? "," : "";
    j += "{\"id\":" + json_string(s.id) + ",\"offered_kwh\":" + kwh(s.energy) +
         ",\"allowed_kwh\":" + kwh(cl.seller_allowed[i]) + ",\"sold_kwh\":" + kwh(sold[i]) + "}";
  }
  j += "],\"buyers\":[";
  for (std::size_t k = 0; k < cl.buyers.size(); ++k) {
    const order& b = book[cl.buyers[k]];
    j += k ? "," : "";
    j += "{\"id\":" + json_string(b.id) + ",\"requested_kwh\":" + kwh(b.energy) +
         ",\"bought_kwh\":" + kwh(cy.outcomes[cl.buyers[k]].traded) + "}";
  }
  j += "],\"trades\":[";
  for (std::size_t k = 0; k < cy.trades.size(); ++k) {
    const trade& t = cy.trades[k];
    j += k ? "," : "";
    j += "{\"buyer\":" + json_string(book[t.buyer].id) + ",\"seller\":" + json_string(book[t.seller].id) +
         ",\"energy_kwh\":" + kwh(t.energy) + ",\"distance_m\":" + metres(t.distance) +
         ",\"score\":" + format_double(t.score) + ",\"charge\":" + credits(t.charge) + "}";
  }
  j += "],\"outcomes\":[";
  for (std::size_t k = 0; k < book.size(); ++k) {
    const order_outcome& o = cy.outcomes[k];
    j += k ? "," : "";
    j += "{\"id\":" + json_string(book[k].id) + ",\"side\":" + json_string(to_string(book[k].side)) +
         ",\"outcome\":" + json_string(to_string(o.kind)) + ",\"reason\":" +
         json_string(to_string(o.reason)) + ",\"traded_kwh\":" + kwh(o.traded) + "}";
  }
  j += "],\"quotes\":{\"buyers\":{";
  for (std::size_t k = 0; k < cy.quotes.buyers.size(); ++k) {
    const quote& q = cy.quotes.buyers[k];
    j += (k ? "," : "") + json_string(book[q.order].id) + ":" + credits(q.amount);
  }
  j += "},\"sellers\":{";
  for (std::size_t k = 0; k < cy.quotes.sellers.size(); ++k) {
    const quote& q = cy.quotes.sellers[k];
    j += (k ? "," : "") + json_string(book[q.order].id) + ":" + credits(q.amount);
  }
  j += "}}}";
  return j;
}

std::string to_text(const std::vector<order>& book, const cycle_result& cy) {
  const clearing_result& cl = cy.clearing;
  std::string t;
  t += std::string(to_string(cl.mechanism)) + " (" + to_string(cl.policy) + ") on " +
       std::to_string(book.size()) + " orders: ";
  if (cl.case_number == 0) {
    t += "the curves do not cross; nothing trades.\n";
  } else {
    t += "case " + std::to_string(cl.case_number) + " at x=" + std::to_string(cl.x) +
         ", y=" + std::to_string(cl.y) + ", price " + credits(cl.price) + " per kWh" +
         (cl.price_adjusted ? " (adjusted to the rationality interval)" : "") + ".\n";
    if (!cl.traded) t += "After the buyer-satisfaction guard nothing trades.\n";
  }
  energy_mwh total = 0;
  money_uc charges = 0;
  for (const trade& tr : cy.trades) total += tr.energy, charges += tr.charge;
  t += "winners: " + std::to_string(cl.sellers.size()) + " sellers, " +
       std::to_string(cl.buyers.size()) + " buyers; " + std::to_string(cy.trades.size()) +
       " trades, " + kwh(total) + " kWh, grid charges " + credits(charges) + ".\n";
  for (const trade& tr : cy.trades)
    t += "  " + book[tr.seller].id + " -> " + book[tr.buyer].id + ": " + kwh(tr.energy) + " kWh over " +
         metres(tr.distance) + " m, charge " + credits(tr.charge) + "\n";
  std::size_t rejected = 0;
  for (const auto& o : cy.outcomes) rejected += o.kind == outcome_kind::rejected;
  if (rejected) t += "rejected (" + std::to_string(rejected) + "):\n";
  for (std::size_t k = 0; k < book.size(); ++k)
    if (cy.outcomes[k].kind == outcome_kind::rejected)
      t += "  " + std::string(to_string(book[k].side)) + " " + book[k].id + " at " +
           credits(book[k].price) + ": " + to_string(cy.outcomes[k].reason) + "\n";
  return t;
}

std::vector<csv_table> to_csv_tables(const std::vector<order>& book, const cycle_result& cy) {
  const clearing_result& cl = cy.clearing;
  std::vector<csv_table> tables;
  tables.push_back({"clearing.csv",
                    "mechanism,policy,case,x,y,price,price_adjusted,surplus_share_kwh\n" +
                        std::string(to_string(cl.mechanism)) + "," + to_string(cl.policy) + "," +
                        std::to_string(cl.case_number) + "," + std::to_string(cl.x) + "," +
                        std::to_string(cl.y) + "," + credits(cl.price) + "," +
                        (cl.price_adjusted ? "true" : "false") + "," +
                        format_double(cl.surplus_share_kwh) + "\n"});
  std::string trades = "buyer,seller,energy_kwh,distance_m,score,charge,payment\n";
  for (const trade& t : cy.trades)
    trades += csv_field(book[t.buyer].id) + "," + csv_field(book[t.seller].id) + "," + kwh(t.energy) +
              "," + metres(t.distance) + "," + format_double(t.score) + "," + credits(t.charge) + "," +
              credits(t.payment) + "\n";
  tables.push_back({"trades.csv", trades});
  std::string outcomes = "id,side,price,energy_kwh,outcome,reason,traded_kwh\n";
  for (std::size_t k = 0; k < book.size(); ++k)
    outcomes += csv_field(book[k].id) + "," + to_string(book[k].side) + "," + credits(book[k].price) + "," +
                kwh(book[k].energy) + "," + to_string(cy.outcomes[k].kind) + "," +
                to_string(cy.outcomes[k].reason) + "," + kwh(cy.outcomes[k].traded) + "\n";
  tables.push_back({"outcomes.csv", outcomes});
  std::string quotes = "id,role,agreed_kwh,tariff,quote\n";
  for (const quote& q : cy.quotes.buyers)
    quotes += csv_field(book[q.order].id) + ",buyer," + kwh(q.agreed) + "," + credits(q.tariff) + "," +
              credits(q.amount) + "\n";
  for (const quote& q : cy.quotes.sellers)
    quotes += csv_field(book[q.order].id) + ",seller," + kwh(q.agreed) + "," + credits(q.tariff) + "," +
              credits(q.amount) + "\n";
  tables.push_back({"quotes.csv", quotes});
  return tables;
}

}  // namespace voltaic::market
