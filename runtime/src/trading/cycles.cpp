// The cycles of a trading run: quotation, matching, feedback and settlement,
// each through the chain, and each cycle's outputs.
#include "cycles.hpp"

#include <algorithm>
#include <future>
#include <map>

#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/energy/market_cycle.hpp"
#include "voltaic/chain/node/parallel.hpp"
#include "voltaic/market/settlement.hpp"

namespace voltaic::runtime::trading {

std::string run_cycles(cycle_world& w, std::uint64_t first_cycle) {
  const auto& sc = w.sc;
  const auto& rc = w.rc;
  auto& d = w.d;
  auto& self = d.self();
  auto& clock = w.clock;
  const auto& miners = w.miners;
  const auto& watcher = w.watcher;
  const auto& dso = w.dso;
  auto& parties = w.parties;
  const auto& party_of = w.party_of;
  auto& view = w.view;
  const auto& feeder = w.feeder;
  const auto limit = w.limit;
  auto& out = w.out;
  const std::int64_t money_total = w.money_total;
  auto& orders_csv = w.orders_csv;
  auto& outcomes_csv = w.outcomes_csv;
  auto& clearing_csv = w.clearing_csv;
  auto& trades_csv = w.trades_csv;
  auto& settlements_csv = w.settlements_csv;
  auto& balances_csv = w.balances_csv;
  auto& expire_holds = w.expire_holds;
  auto& expired_now = w.expired_now;
  const std::uint64_t done = first_cycle - 1;
  outputs o;
  // Simulated clock: a phase's transactions commit in up to four chunks, each
  // as soon as its agents have answered, while the others still sign and
  // submit theirs (a small chunk is not worth its block).
  auto commit_chunks = [&sc](std::size_t answers) -> std::size_t {
    return sc.wall_clock ? 1 : std::clamp<std::size_t>(answers / sc.chunk_answers, 1, 4);
  };
  std::vector<chain::public_key> balance_keys;  // every party's, then the DSO's
  for (const auto& p : parties) balance_keys.push_back(p.key.pub);
  balance_keys.push_back(rc.genesis.dso);
  double rate_before = measure_verify_rate();
  for (std::uint64_t cycle = done + 1; cycle <= sc.cycles; ++cycle) {
    const auto cycle_started = clock_type::now();
    std::size_t signatures = 0;  // orders and transactions of this cycle
    // Long cycles show progress phase by phase.
    auto progress = [&](const char* phase) {
      const double t = std::chrono::duration<double>(clock_type::now() - cycle_started).count();
      if (t >= 2) out << "  cycle " << cycle << ": " << phase << " done at " << static_cast<int>(t * 10) / 10.0 << " s" << std::endl;
    };
    clock.begin_phase(cycle, 0);
    // DSO grid changes take effect at the start of a cycle (quotation).
    for (const auto& step : sc.grid_changes) {
      if (step.before_cycle != cycle) continue;
      std::vector<chain::hash256> changed;
      if (!d.ask(dso, changed, agents::gridchg_atom::value, step.change) || changed.size() != 1 ||
          !clock.commit(changed, limit))
        return "grid change '" + step.change + "' did not reach the chain";
      if (auto s = view.apply(step.change); !s) return s.err().message;
      out << "cycle " << cycle << ": the DSO applied '" << step.change << "' (grid "
          << chain::to_hex(view.version()).substr(0, 16) << ")" << std::endl;
    }
    if (!expire_holds()) return "timeouts of expired holds did not reach the chain";

    // Matching, market by market: once every validator holds a market's
    // orders, the miners close its cycle; the proposer's block fixes the order
    // set, every validator re-runs the clearing, and so does this driver.
    std::vector<std::size_t> bids(sc.markets, 0);  // orders submitted per market
    std::vector<std::vector<std::string>> fixed_sets(sc.markets);  // order envelopes per market
    std::vector<std::optional<chain::result<chain::cleared_cycle>>> recomputed(sc.markets);
    std::uint64_t matched = 0;  // markets [0, matched) are fixed on chain
    std::string match_failure;
    auto match_up_to = [&](std::uint64_t last) -> bool {
      if (last <= matched) return true;
      clock.begin_phase(cycle, 1);
      // One question per validator for all the markets (each answer waits
      // behind the orders still being admitted).
      if (!sc.wall_clock)
        for (const auto& m : miners)
          if (!clock.wait_until(limit, [&] {
                agents::order_counts held;
                if (!d.ask(m, held, agents::ordcount_atom::value, matched, last, cycle)) return false;
                if (held.per_market.size() != last - matched) return false;
                for (std::uint64_t market_id = matched; market_id < last; ++market_id)
                  if (held.per_market[market_id - matched] < bids[market_id]) return false;
                return true;
              })) {
            match_failure = "orders did not reach every validator";
            return false;
          }
      for (auto& m : miners)
        for (std::uint64_t market_id = matched; market_id < last; ++market_id)
          self->send(m, agents::close_atom::value, market_id, cycle);
      // The fixed order sets, a slice of markets per question (the first
      // question waits for the block that fixes them all).
      constexpr std::uint64_t slice = 256;
      for (std::uint64_t from = matched; from < last; from += slice) {
        const std::uint64_t to = std::min(last, from + slice);
        agents::fixed_order_sets fixed;
        if (!clock.blocks_until(limit, [&] {
              return d.ask(watcher, fixed, agents::cycleq_atom::value, from, to, cycle) && fixed.complete;
            })) {
          match_failure = "markets " + std::to_string(from) + " to " + std::to_string(to - 1) + " of cycle " +
                          std::to_string(cycle) + " were not cleared on chain";
          return false;
        }
        auto& envelopes = fixed.envelopes;
        std::size_t taken = 0;
        if (fixed.counts.size() != to - from) {
          match_failure = "the validator's order sets do not add up";
          return false;
        }
        for (std::uint64_t market_id = from; market_id < to; ++market_id) {
          const std::size_t n = fixed.counts[market_id - from];
          if (n > envelopes.size() - taken) {
            match_failure = "the validator's order sets do not add up";
            return false;
          }
          fixed_sets[market_id].assign(std::make_move_iterator(envelopes.begin() + taken),
                                       std::make_move_iterator(envelopes.begin() + taken + n));
          taken += n;
        }
      }
      // The markets are independent: recompute them on all cores.
      chain::parallel_for(last - matched, [&, first = matched](std::size_t k) {
        const std::uint64_t market_id = first + k;
        std::vector<chain::signed_order> orders;
        for (const auto& e : fixed_sets[market_id]) {
          auto order = chain::decode_order(chain::bytes(e.begin(), e.end()));
          if (!order) {
            recomputed[market_id].emplace(order.err());
            return;
          }
          orders.push_back(std::move(order).value());
        }
        recomputed[market_id].emplace(chain::clear_market_cycle(market_id, cycle, std::move(orders),
                                                                view.distances(), sc.rules, sc.charge_uc_per_m));
      });
      matched = last;
      return true;
    };

    // Quotation: every prosumer signs its order and hands it to its miner.
    // Simulated clock: the markets whose prosumers have all answered are
    // matched while the others still bid (parties are grouped by market).
    std::size_t counted = 0;  // answers counted into bids
    auto count_bids = [&](std::size_t end, const std::vector<std::optional<std::string>>& answers) {
      for (; counted < end; ++counted)
        if (answers[counted] && !answers[counted]->empty()) ++bids[parties[counted].market];
    };
    const auto envelopes = d.gather<std::string>(
        parties.size(), commit_chunks(parties.size()),
        [&parties, cycle](std::size_t i, auto* who) {
          return who->request(parties[i].prosumer, caf::infinite, agents::bid_atom::value, cycle);
        },
        [&](std::size_t, std::size_t end, const auto& answers) {
          count_bids(end, answers);
          if (match_failure.empty()) match_up_to(end / sc.prosumers);
        });
    count_bids(envelopes.size(), envelopes);
    std::size_t submitted = 0;
    for (const auto n : bids) submitted += n;
    clock.end_phase(0);
    progress("quotation");
    if (match_failure.empty()) match_up_to(sc.markets);
    if (!match_failure.empty()) return match_failure;
    std::vector<chain::cleared_cycle> cleared;
    for (auto& c : recomputed) {
      if (!*c) return c->err().message;
      cleared.push_back(std::move(*c).value());
    }
    // What the chain committed this cycle, as CSV rows: built on the side
    // while the agents settle, as the order sets and clearings are final.
    auto committed_rows = std::async(std::launch::async, [&] {
      outputs r;
      for (const auto& c : cleared) {
        const std::string prefix = std::to_string(cycle) + "," + std::to_string(c.root.market) + ",";
        for (std::size_t k = 0; k < c.orders.size(); ++k) {
          const auto& t = c.orders[k].terms;
          const auto& b = c.book[k];
          r.orders += prefix + b.id + "," + parties[party_of.at(t.owner)].name + "," + market::to_string(t.side) + "," +
                      credits(t.price_ucpkwh) + "," + kwh(t.energy_mwh) + "," +
                      (t.distance_pref_mm == market::distance_anywhere ? std::string{}
                                                                        : market::format_scaled(t.distance_pref_mm, market::mm_per_m)) +
                      "," + feeder.load_buses[t.bus] + "," + std::to_string(t.seq) + "\n";
          const auto& oc = c.result.outcomes[k];
          r.outcomes += prefix + b.id + "," + market::to_string(oc.kind) + "," +
                        (oc.kind == market::outcome_kind::rejected ? market::to_string(oc.reason) : "") + "," +
                        kwh(oc.traded) + "\n";
        }
        const auto& cr = c.result.clearing;
        r.clearing += prefix + market::to_string(cr.mechanism) + "," + market::to_string(cr.policy) + "," +
                      std::to_string(cr.case_number) + "," + credits(cr.price) + "," +
                      (cr.price_adjusted ? "true" : "false") + "\n";
        for (const auto& t : c.result.trades)
          r.trades += prefix + parties[party_of.at(c.orders[t.buyer].terms.owner)].name + "," +
                      parties[party_of.at(c.orders[t.seller].terms.owner)].name + "," + kwh(t.energy) + "," +
                      market::format_scaled(t.distance, market::mm_per_m) + "," + credits(t.charge) + "\n";
      }
      return r;
    });
    clock.end_phase(1);
    progress("matching");

    // Feedback: each owner learns its own outcome; buyers commit to pay.
    clock.begin_phase(cycle, 2);
    std::size_t orders_fixed = 0, trade_count = 0;
    std::int64_t traded = 0;
    // Every owner of every market is asked at once (the collector keeps a
    // window of requests in flight): market by market, each market would wait
    // for its slowest prosumer and the validator's admission batches stay small.
    std::vector<std::pair<std::size_t, std::size_t>> owners;  // (market index in cleared, order index)
    std::vector<std::map<std::size_t, std::vector<agents::trade_due>>> buyer_trades(cleared.size());
    for (std::size_t m = 0; m < cleared.size(); ++m) {
      const auto& c = cleared[m];
      const auto& r = c.result;
      orders_fixed += c.orders.size();
      trade_count += r.trades.size();
      traded += c.clearing.traded_mwh;
      for (const auto& t : r.trades) {
        const auto& seller = c.orders[t.seller].terms.owner;
        const std::int64_t amount = market::money_for(r.clearing.price, t.energy) + market::buyer_charge_share(t.charge);
        buyer_trades[m][t.buyer].push_back(agents::trade_due{seller, t.energy, amount});
      }
      for (std::size_t k = 0; k < c.orders.size(); ++k) owners.emplace_back(m, k);
    }
    // Agents count expiries from the height the phase starts at, not from
    // whatever height their miner has reached when it answers them: blocks
    // of earlier chunks commit meanwhile, and the chain must not depend on
    // that timing.
    const std::uint64_t feedback_height = d.height(watcher);
    chunked_commit holds{clock, limit};
    const auto got = d.gather<std::vector<chain::hash256>>(
        owners.size(), commit_chunks(owners.size()),
        [&](std::size_t i, auto* who) {
          const auto [m, k] = owners[i];
          const auto& r = cleared[m].result;
          const auto& oc = r.outcomes[k];
          const party& p = parties[party_of.at(cleared[m].orders[k].terms.owner)];
          return who->request(p.prosumer, caf::infinite, agents::outcome_atom::value,
                              agents::outcome_notice{cycle, static_cast<std::uint8_t>(oc.kind),
                                                     static_cast<std::uint8_t>(oc.reason), oc.traded, r.clearing.price,
                                                     buyer_trades[m][k], feedback_height});
        },
        [&holds](std::size_t begin, std::size_t end, const auto& answers) { holds.chunk(begin, end, answers); });
    std::size_t hold_count = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const auto [m, k] = owners[i];
      if (!got[i]) return parties[party_of.at(cleared[m].orders[k].terms.owner)].name + " did not take its outcome";
      hold_count += got[i]->size();
    }
    if (!holds.rest(got)) return "holds did not reach the chain";
    signatures += submitted + expired_now + hold_count;
    clock.end_phase(2);
    progress("feedback");

    // Settlement: each party's meter reports what it metered.
    clock.begin_phase(cycle, 3);
    std::size_t settled = 0;
    // As in feedback, every meter of every market is asked at once.
    std::vector<std::pair<std::size_t, std::size_t>> meters;  // (market index in cleared, due index)
    std::vector<std::map<chain::public_key, std::vector<chain::public_key>>> sellers_of(cleared.size());
    for (std::size_t m = 0; m < cleared.size(); ++m) {
      const auto& c = cleared[m];
      for (const auto& t : c.result.trades)
        sellers_of[m][c.orders[t.buyer].terms.owner].push_back(c.orders[t.seller].terms.owner);
      for (std::size_t k = 0; k < c.dues.dues.size(); ++k) meters.emplace_back(m, k);
    }
    const std::uint64_t settlement_height = d.height(watcher);
    chunked_commit readings{clock, limit};
    const auto ids = d.gather<std::vector<chain::hash256>>(
        meters.size(), commit_chunks(meters.size()),
        [&](std::size_t i, auto* who) {
          const auto [m, k] = meters[i];
          const auto& c = cleared[m];
          const auto& due = c.dues.dues[k];
          return who->request(parties[party_of.at(due.party)].meter, caf::infinite, agents::read_atom::value,
                              agents::meter_read{c.dues.market, cycle, static_cast<std::uint8_t>(due.role),
                                                 due.agreed_mwh, c.clearing.price_ucpkwh, due.tariff_uc,
                                                 sellers_of[m][due.party], settlement_height});
        },
        [&readings](std::size_t begin, std::size_t end, const auto& answers) { readings.chunk(begin, end, answers); });
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto [m, k] = meters[i];
      const auto& c = cleared[m];
      const auto& due = c.dues.dues[k];
      const party& p = parties[party_of.at(due.party)];
      if (!ids[i]) return p.name + "'s meter did not answer";
      if (ids[i]->empty()) continue;  // a silent meter
      ++settled;
      market::settlement_terms t{c.clearing.price_ucpkwh, due.agreed_mwh,
                                 due.agreed_mwh * p.delivery_permille / 1'000, due.tariff_uc, sc.penalty_ucpkwh};
      const auto s = due.role == chain::party_role::buyer ? market::settle_buyer(t) : market::settle_seller(t);
      o.settlements += std::to_string(cycle) + "," + std::to_string(c.dues.market) + "," + p.name + "," +
                       (due.role == chain::party_role::buyer ? "buyer" : "seller") + "," + kwh(t.agreed) + "," +
                       kwh(t.metered) + "," + credits(s.total) + "," + credits(s.tariff) + "," +
                       credits(s.penalty) + "\n";
    }
    if (!readings.rest(ids)) return "settlements did not reach the chain";
    clock.end_phase(3);
    progress("settlement");

    // The DSO channel: per market and bus, energy traded and grid charges.
    std::vector<agents::channel_row> channel_rows;
    for (const auto& c : cleared) {
      std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_bus;  // bus -> traded mWh, charge uc
      for (const auto& t : c.result.trades) {
        for (const auto k : {t.buyer, t.seller}) {
          auto& b = per_bus[feeder.load_buses[c.orders[k].terms.bus]];
          b.first += t.energy;
          b.second += k == t.buyer ? market::buyer_charge_share(t.charge) : market::seller_charge_share(t.charge);
        }
      }
      for (const auto& [bus, v] : per_bus)
        channel_rows.push_back(agents::channel_row{c.root.market, c.clearing.price_ucpkwh, bus, v.first, v.second});
    }
    std::uint64_t written = 0;
    if (!d.ask(dso, written, agents::summary_atom::value, cycle, channel_rows) || written != channel_rows.size())
      return "the DSO could not record its channel";

    {
      const outputs rows = committed_rows.get();
      o.orders += rows.orders;
      o.outcomes += rows.outcomes;
      o.clearing += rows.clearing;
      o.trades += rows.trades;
    }
    std::int64_t sum = 0;
    {
      const auto b = d.balances(watcher, balance_keys);
      if (b.size() != balance_keys.size()) return "the balances could not be read";
      for (std::size_t i = 0; i < balance_keys.size(); ++i) {
        sum += b[i].balance_uc;
        o.balances += std::to_string(cycle) + "," + (i < parties.size() ? parties[i].name : std::string("dso")) + "," +
                      credits(b[i].balance_uc) + "\n";
      }
    }
    out << "cycle " << cycle << ": " << orders_fixed << " of " << submitted << " orders fixed on chain, "
        << trade_count << " trades, " << kwh(traded) << " kWh";
    if (sc.markets == 1) out << " at p0 " << credits(cleared.front().clearing.price_ucpkwh) << " (case "
                             << int(cleared.front().clearing.case_number) << ")";
    signatures += settled;
    const double took = std::chrono::duration<double>(clock_type::now() - cycle_started).count();
    const double rate_after = measure_verify_rate();
    const double verify_rate = (rate_before + rate_after) / 2;
    rate_before = rate_after;
    const double floor = verify_rate > 0 ? static_cast<double>(signatures * miners.size()) / verify_rate : 0;
    out << "; " << settled << " settlements; height " << d.height(watcher) << "; "
        << static_cast<int>(took * 100) / 100.0 << " s (verification floor " << static_cast<int>(floor * 100) / 100.0
        << " s: " << signatures << " signatures x " << miners.size() << " validators at "
        << static_cast<int>(verify_rate) << "/s on one core, before and after)"
        << (sum == money_total ? "; money conserved" : "; MONEY NOT CONSERVED") << std::endl;
    orders_csv.write(o.orders);
    outcomes_csv.write(o.outcomes);
    clearing_csv.write(o.clearing);
    trades_csv.write(o.trades);
    settlements_csv.write(o.settlements);
    balances_csv.write(o.balances);
    if (sum != money_total) return "balances sum to " + credits(sum) + ", not " + credits(money_total);
  }
  return {};
}

}  // namespace voltaic::runtime::trading
