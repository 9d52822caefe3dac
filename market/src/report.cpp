#include "voltaic/market/report.hpp"

#include <charconv>
#include <cstdio>

namespace voltaic::market {

namespace {

std::string kwh(energy_mwh e) { return format_scaled(e, mwh_per_kwh); }
std::string credits(std::int64_t uc) { return format_scaled(uc, uc_per_credit); }
std::string metres(distance_mm d) { return format_scaled(d, mm_per_m); }

// CSV field: quoted only when it must be.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string format_double(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
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
