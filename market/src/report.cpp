#include "voltaic/market/report.hpp"

#include <charconv>
#include <cstdio>

namespace voltaic::market {

namespace {

std::string kwh(energy_mwh e) { return format_scaled(e, mwh_per_kwh); }
std::string credits(std::int64_t uc) { return format_scaled(uc, uc_per_credit); }
std::string metres(distance_mm d) { return format_scaled(d, mm_per_m); }

// A CSV field that holds a comma, quote or line break, quoted.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Appends the fields joined by commas and a newline. Tables of a million
// rows are built this way: chains of operator+ made a temporary per field.
template <class... Fields>
void append_row(std::string& out, const Fields&... fields) {
  bool first = true;
  ((out += first ? "" : ",", out += fields, first = false), ...);
  out += '\n';
}

bool plain(const std::string& s) {
  for (char c : s)
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return false;
  return true;
}

const std::string& field(const std::string& s, std::string& scratch) {
  if (plain(s)) return s;
  scratch = quoted(s);
  return scratch;
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
  t.reserve(t.size() + cy.trades.size() * 72);
  for (const trade& tr : cy.trades) {
    t += "  ", t += book[tr.seller].id, t += " -> ", t += book[tr.buyer].id, t += ": ", t += kwh(tr.energy);
    t += " kWh over ", t += metres(tr.distance), t += " m, charge ", t += credits(tr.charge), t += '\n';
  }
  std::size_t rejected = 0;
  for (const auto& o : cy.outcomes) rejected += o.kind == outcome_kind::rejected;
  if (rejected) t += "rejected (" + std::to_string(rejected) + "):\n";
  for (std::size_t k = 0; k < book.size(); ++k)
    if (cy.outcomes[k].kind == outcome_kind::rejected)
      t += "  ", t += to_string(book[k].side), t += ' ', t += book[k].id, t += " at ", t += credits(book[k].price),
          t += ": ", t += to_string(cy.outcomes[k].reason), t += '\n';
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
  std::string a, b;
  trades.reserve(trades.size() + cy.trades.size() * 64);
  for (const trade& t : cy.trades)
    append_row(trades, field(book[t.buyer].id, a), field(book[t.seller].id, b), kwh(t.energy), metres(t.distance),
               format_double(t.score), credits(t.charge), credits(t.payment));
  tables.push_back({"trades.csv", trades});
  std::string outcomes = "id,side,price,energy_kwh,outcome,reason,traded_kwh\n";
  outcomes.reserve(outcomes.size() + book.size() * 64);
  for (std::size_t k = 0; k < book.size(); ++k)
    append_row(outcomes, field(book[k].id, a), to_string(book[k].side), credits(book[k].price), kwh(book[k].energy),
               to_string(cy.outcomes[k].kind), to_string(cy.outcomes[k].reason), kwh(cy.outcomes[k].traded));
  tables.push_back({"outcomes.csv", outcomes});
  std::string quotes = "id,role,agreed_kwh,tariff,quote\n";
  quotes.reserve(quotes.size() + (cy.quotes.buyers.size() + cy.quotes.sellers.size()) * 48);
  for (const quote& q : cy.quotes.buyers)
    append_row(quotes, field(book[q.order].id, a), "buyer", kwh(q.agreed), credits(q.tariff), credits(q.amount));
  for (const quote& q : cy.quotes.sellers)
    append_row(quotes, field(book[q.order].id, a), "seller", kwh(q.agreed), credits(q.tariff), credits(q.amount));
  tables.push_back({"quotes.csv", quotes});
  return tables;
}

}  // namespace voltaic::market
