#include "voltaic/market/report.hpp"

#include <charconv>
#include <cstdio>

namespace voltaic::market {

namespace {

std::string kwh(energy_mwh e) { return format_scaled(e, mwh_per_kwh); }
std::string credits(std::int64_t uc) { return format_scaled(uc, uc_per_credit); }

// A CSV field that holds a comma, quote or line break, quoted.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A number in units of `scale` (mWh, micro-credits, mm), for append_row.
struct scaled {
  std::int64_t value;
  std::int64_t scale;
};
scaled kwh_field(energy_mwh e) { return {e, mwh_per_kwh}; }
scaled credits_field(std::int64_t uc) { return {uc, uc_per_credit}; }
scaled metres_field(distance_mm d) { return {d, mm_per_m}; }

// A CSV field: quoted only when it must be.
struct id_field {
  const std::string& id;
};

void append(std::string& out, const char* text) { out += text; }
void append(std::string& out, const scaled& n) { append_scaled(out, n.value, n.scale); }
void append(std::string& out, double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}
void append(std::string& out, const id_field& f) {
  for (char c : f.id)
    if (c == ',' || c == '"' || c == '\n' || c == '\r') {
      out += quoted(f.id);
      return;
    }
  out += f.id;
}

// Appends the fields joined by commas and a newline, each formatted in
// place: tables of a million rows took most of `voltaic clear`'s time when
// every field was a temporary string.
template <class... Fields>
void append_row(std::string& out, const Fields&... fields) {
  bool first = true;
  ((out += first ? "" : ",", append(out, fields), first = false), ...);
  out += '\n';
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
    t += "  ", t += book[tr.seller].id, t += " -> ", t += book[tr.buyer].id, t += ": ";
    append_scaled(t, tr.energy, mwh_per_kwh);
    t += " kWh over ";
    append_scaled(t, tr.distance, mm_per_m);
    t += " m, charge ";
    append_scaled(t, tr.charge, uc_per_credit);
    t += '\n';
  }
  std::size_t rejected = 0;
  for (const auto& o : cy.outcomes) rejected += o.kind == outcome_kind::rejected;
  if (rejected) t += "rejected (" + std::to_string(rejected) + "):\n";
  for (std::size_t k = 0; k < book.size(); ++k)
    if (cy.outcomes[k].kind == outcome_kind::rejected) {
      t += "  ", t += to_string(book[k].side), t += ' ', t += book[k].id, t += " at ";
      append_scaled(t, book[k].price, uc_per_credit);
      t += ": ", t += to_string(cy.outcomes[k].reason), t += '\n';
    }
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
  trades.reserve(trades.size() + cy.trades.size() * 64);
  for (const trade& t : cy.trades)
    append_row(trades, id_field{book[t.buyer].id}, id_field{book[t.seller].id}, kwh_field(t.energy),
               metres_field(t.distance), t.score, credits_field(t.charge), credits_field(t.payment));
  tables.push_back({"trades.csv", std::move(trades)});
  std::string outcomes = "id,side,price,energy_kwh,outcome,reason,traded_kwh\n";
  outcomes.reserve(outcomes.size() + book.size() * 64);
  for (std::size_t k = 0; k < book.size(); ++k)
    append_row(outcomes, id_field{book[k].id}, to_string(book[k].side), credits_field(book[k].price),
               kwh_field(book[k].energy), to_string(cy.outcomes[k].kind), to_string(cy.outcomes[k].reason),
               kwh_field(cy.outcomes[k].traded));
  tables.push_back({"outcomes.csv", std::move(outcomes)});
  std::string quotes = "id,role,agreed_kwh,tariff,quote\n";
  quotes.reserve(quotes.size() + (cy.quotes.buyers.size() + cy.quotes.sellers.size()) * 48);
  for (const quote& q : cy.quotes.buyers)
    append_row(quotes, id_field{book[q.order].id}, "buyer", kwh_field(q.agreed), credits_field(q.tariff),
               credits_field(q.amount));
  for (const quote& q : cy.quotes.sellers)
    append_row(quotes, id_field{book[q.order].id}, "seller", kwh_field(q.agreed), credits_field(q.tariff),
               credits_field(q.amount));
  tables.push_back({"quotes.csv", std::move(quotes)});
  return tables;
}

}  // namespace voltaic::market
