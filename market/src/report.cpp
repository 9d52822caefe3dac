#include "voltaic/market/report.hpp"

#include <charconv>
#include <cstdio>
#include <ostream>

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
void append(std::string& out, const std::string& text) { out += text; }
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

std::string text_summary_head(const std::vector<order>& book, const cycle_result& cy) {
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
  return t;
}

void append_text_trade_lines(std::string& t, const std::vector<order>& book, const trade* first,
                             std::size_t count) {
  t.reserve(t.size() + count * 72);
  for (const trade* tr = first; tr != first + count; ++tr) {
    t += "  ", t += book[tr->seller].id, t += " -> ", t += book[tr->buyer].id, t += ": ";
    append_scaled(t, tr->energy, mwh_per_kwh);
    t += " kWh over ";
    append_scaled(t, tr->distance, mm_per_m);
    t += " m, charge ";
    append_scaled(t, tr->charge, uc_per_credit);
    t += '\n';
  }
}

std::string text_summary_rejected(const std::vector<order>& book, const cycle_result& cy) {
  std::string t;
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

std::string to_text(const std::vector<order>& book, const cycle_result& cy) {
  std::string t = text_summary_head(book, cy);
  append_text_trade_lines(t, book, cy.trades.data(), cy.trades.size());
  return t + text_summary_rejected(book, cy);
}

void append_trade_table_rows(std::string& out, const std::vector<order>& book, const trade* first,
                             std::size_t count) {
  for (const trade* t = first; t != first + count; ++t)
    append_row(out, id_field{book[t->buyer].id}, id_field{book[t->seller].id}, kwh_field(t->energy),
               metres_field(t->distance), t->score, credits_field(t->charge), credits_field(t->payment));
}

const char* to_csv_table_name(report_table which) {
  switch (which) {
    case report_table::clearing: return "clearing.csv";
    case report_table::trades: return "trades.csv";
    case report_table::outcomes: return "outcomes.csv";
    case report_table::quotes: return "quotes.csv";
  }
  return "";
}

namespace {

// Rows collect in a string; given a stream, the string goes to it each
// megabyte, so a table of a million rows never sits whole in memory.
class table_sink {
 public:
  explicit table_sink(std::ostream* out) : out_(out) {}
  std::string& text() { return text_; }
  void row_done() {
    if (out_ != nullptr && text_.size() >= flush_at) flush();
  }
  std::string finish() {
    if (out_ != nullptr) flush();
    return std::move(text_);
  }

 private:
  static constexpr std::size_t flush_at = std::size_t{1} << 20;
  void flush() {
    out_->write(text_.data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
  }
  std::ostream* out_;
  std::string text_;
};

template <class... Fields>
void sink_row(table_sink& sink, const Fields&... fields) {
  append_row(sink.text(), fields...);
  sink.row_done();
}

void fill_table(table_sink& sink, const std::vector<order>& book, const cycle_result& cy, report_table which) {
  std::string& text = sink.text();
  switch (which) {
    case report_table::clearing: {
      const clearing_result& cl = cy.clearing;
      text += "mechanism,policy,case,x,y,price,price_adjusted,surplus_share_kwh\n";
      sink_row(sink, to_string(cl.mechanism), to_string(cl.policy), std::to_string(cl.case_number),
               std::to_string(cl.x), std::to_string(cl.y), credits_field(cl.price),
               cl.price_adjusted ? "true" : "false", cl.surplus_share_kwh);
      return;
    }
    case report_table::trades:
      text += trade_table_header;
      for (const trade& t : cy.trades) {
        append_trade_table_rows(text, book, &t, 1);
        sink.row_done();
      }
      return;
    case report_table::outcomes:
      text += "id,side,price,energy_kwh,outcome,reason,traded_kwh\n";
      for (std::size_t k = 0; k < book.size(); ++k)
        sink_row(sink, id_field{book[k].id}, to_string(book[k].side), credits_field(book[k].price),
                 kwh_field(book[k].energy), to_string(cy.outcomes[k].kind), to_string(cy.outcomes[k].reason),
                 kwh_field(cy.outcomes[k].traded));
      return;
    case report_table::quotes:
      text += "id,role,agreed_kwh,tariff,quote\n";
      for (const quote& q : cy.quotes.buyers)
        sink_row(sink, id_field{book[q.order].id}, "buyer", kwh_field(q.agreed), credits_field(q.tariff),
                 credits_field(q.amount));
      for (const quote& q : cy.quotes.sellers)
        sink_row(sink, id_field{book[q.order].id}, "seller", kwh_field(q.agreed), credits_field(q.tariff),
                 credits_field(q.amount));
      return;
  }
}

}  // namespace

std::vector<csv_table> to_csv_tables(const std::vector<order>& book, const cycle_result& cy) {
  std::vector<csv_table> tables;
  for (const report_table which : all_report_tables) {
    table_sink sink(nullptr);
    fill_table(sink, book, cy, which);
    tables.push_back({to_csv_table_name(which), sink.finish()});
  }
  return tables;
}

void write_csv_table(std::ostream& out, const std::vector<order>& book, const cycle_result& cy,
                     report_table which) {
  table_sink sink(&out);
  fill_table(sink, book, cy, which);
  sink.finish();
}

}  // namespace voltaic::market
