// Shows the market library on its own: the thesis's Table 2.2 order book
// cleared by DPDA (equal-share surplus), then matched by score with every
// distance 0, printed as the `voltaic clear` summary. Build it inside the
// tree or against an installed voltaic with find_package(voltaic).
#include <cmath>
#include <iostream>

#include "voltaic/market/cycle.hpp"
#include "voltaic/market/report.hpp"

int main() {
  using voltaic::market::side;
  struct row { const char* id; side s; double price, kwh; };
  const row table_2_2[] = {
      {"3", side::sell, 20, 30},  {"24", side::sell, 10, 25}, {"11", side::sell, 16, 18},
      {"20", side::sell, 5, 40},  {"13", side::sell, 16, 50}, {"6", side::sell, 25, 21},
      {"45", side::sell, 7, 14},  {"4", side::sell, 2, 70},   {"16", side::buy, 17, 20},
      {"39", side::buy, 28, 16},  {"10", side::buy, 6, 50},   {"9", side::buy, 30, 70},
      {"5", side::buy, 8, 24},    {"8", side::buy, 15, 19},   {"12", side::buy, 23, 60}};
  std::vector<voltaic::market::order> book;
  std::uint64_t seq = 0;
  for (const row& r : table_2_2) {
    auto o = voltaic::market::make_order(r.id, r.s, r.price, r.kwh, HUGE_VAL, seq++);
    if (!o) {
      std::cerr << o.err().message << "\n";
      return 2;
    }
    book.push_back(o.value());
  }
  auto cycle = voltaic::market::run_cycle(book, voltaic::market::distance_table::uniform(0), {});
  if (!cycle) {
    std::cerr << cycle.err().message << "\n";
    return 1;
  }
  std::cout << voltaic::market::to_text(book, cycle.value());
  // DPDA case 3 at 16.5 per kWh, as the thesis's Figure 2.8 shows.
  return cycle.value().clearing.case_number == 3 && cycle.value().clearing.price == 16'500'000 ? 0 : 1;
}
