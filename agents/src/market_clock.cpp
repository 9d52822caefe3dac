// The market clock: each cycle's phases announced, each phase's
// transactions committed (simulated clock), the story told.
#include "voltaic/agents/market_clock.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "clock/asker.hpp"
#include "clock/chain_steps.hpp"
#include "voltaic/agents/lab_roster.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::agents {

namespace {

using clock::clock_type;

std::string credits(std::int64_t uc) { return market::format_scaled(uc, market::uc_per_credit); }

// Ed25519 verifications per second on one core, measured now: the floor of a
// cycle is every order and every transaction verified once by every validator.
// A cycle's floor uses the mean of the rates measured just before and just
// after it: on a shared machine the rate moves by a fifth within a minute.
double measure_verify_rate() {
  const auto key = chain::key_pair_from_seed(std::array<std::uint8_t, 32>{99});
  const chain::bytes message(200, 7);
  const auto sig = chain::sign(chain::domain::transaction, "floor", message, key);
  const int n = 2'000;
  const auto t0 = clock_type::now();
  int ok = 0;
  for (int i = 0; i < n; ++i) ok += chain::verify(chain::domain::transaction, "floor", message, sig, key.pub);
  const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  return ok == n && seconds > 0 ? n / seconds : 0;
}

std::string decimals(double x, int places) {
  std::ostringstream s;
  s.precision(places);
  s << std::fixed << x;
  return s.str();
}

class market_clock {
 public:
  market_clock(caf::actor_system& system, const market_clock_config& c)
      : c_(c),
        err_(),
        d_(system, err_),
        chain_(d_, c.validators, c.wall_clock, c.cycle_ms, c.genesis_ms, c.validator_watch),
        limit_(c.wait_limit_s) {
    if (c.validators_local) d_.watch(c.validators);
    // Stands in for an agent that is not there: answers at once that it is not.
    absent_ = system.spawn([](caf::event_based_actor*) -> caf::behavior {
      return {[](phase_atom, const phase_start&) -> caf::result<phase_done> {
        return caf::make_error(caf::sec::request_receiver_down);
      }};
    });
  }
  ~market_clock() { caf::anon_send_exit(absent_, caf::exit_reason::user_shutdown); }

  std::string run() {
    if (!refresh_roster())
      return "agents did not join the market clock within " + std::to_string(limit_.count()) + " s";
    if (c_.first_cycle == 1) {
      // The DSO publishes its charge, penalty and grid before the first cycle.
      std::vector<chain::hash256> ids;
      if (!d_.ask(roster_.dso, ids, publish_atom::value) || ids.size() != 2 || !chain_.commit(ids, limit_))
        return "the DSO's parameters did not reach the chain" + problems();
    } else {
      // A block first commits what a previous clock left waiting.
      if (!chain_.reach(d_.height(chain_.watcher()) + 1, limit_)) return "the validators make no block" + problems();
      // A cycle whose order set is on chain but whose rows are not written
      // was cut short after matching: it goes on from its feedback, so
      // that it is settled and recorded like any other.
      std::uint64_t recorded = 0;
      if (d_.ask(roster_.recorder, recorded, progress_atom::value) && recorded + 2 == c_.first_cycle) {
        first_cycle_ = c_.first_cycle - 1;
        resumed_at_feedback_ = true;
        say("cycle " + std::to_string(first_cycle_) + " was cut short after matching: it goes on from its feedback");
      }
    }
    double rate_before = measure_verify_rate();
    for (std::uint64_t cycle = first_cycle_; cycle <= c_.cycles; ++cycle) {
      const auto started = clock_type::now();
      questions_before_ = questions_asked();
      if (auto why = run_cycle(cycle); !why.empty()) return why + problems();
      const double took = std::chrono::duration<double>(clock_type::now() - started).count();
      const double rate_after = measure_verify_rate();
      const double rate = (rate_before + rate_after) / 2;
      rate_before = rate_after;
      // Every order and transaction is checked by every validator; a signed
      // question only by the validator asked.
      const std::uint64_t asked = questions_asked();  // less if a validator went away meanwhile
      const std::uint64_t questions = asked > questions_before_ ? asked - questions_before_ : 0;
      const double floor = rate > 0 ? static_cast<double>(signatures_ * c_.validators.size() + questions) / rate : 0;
      say(line_ + "; " + decimals(took, 2) + " s (verification floor " + decimals(floor, 2) +
          " s: " + std::to_string(signatures_) + " signatures (" + std::to_string(coe_signatures_) +
          " of first-shown CoEs) x " + std::to_string(c_.validators.size()) +
          " validators + " + std::to_string(questions) + " signed questions at " +
          std::to_string(static_cast<int>(rate)) + "/s on one core, before and after)" + conserved_);
      if (!money_problem_.empty()) return money_problem_;
    }
    if (auto why = closing_settlement(); !why.empty()) return why + problems();
    return expire_left_holds();
  }

 private:
  std::uint64_t questions_asked() {
    std::uint64_t sum = 0;
    for (const auto& v : chain_.validators()) {
      std::uint64_t n = 0;
      if (d_.ask_within(std::chrono::seconds(5), v, n, questions_atom::value)) sum += n;
    }
    return sum;
  }
  // The agents as they are now; simulated clock: once every place is
  // taken (a restarted agent rejoins), so that every run is the same.
  bool refresh_roster() {
    bool told = false;
    return chain_.wait_until(limit_, [&] {
      if (!d_.ask(c_.roster, roster_, roster_atom::value)) return false;
      for (auto& h : roster_.houses)
        if (!h) h = absent_;
      const bool full = std::none_of(roster_.houses.begin(), roster_.houses.end(),
                                     [&](const caf::actor& h) { return h == absent_; }) &&
                        roster_.dso && roster_.recorder;
      if (full || (c_.wall_clock && roster_.dso && roster_.recorder)) return true;
      if (!told) say("waiting for agents to join the market clock");
      told = true;
      return false;
    });
  }
  void say(const std::string& s) {
    if (c_.say) c_.say(s);
  }
  std::string problems() {
    if (chain_.all_stopped()) return " (every validator stopped: " + chain_.stopped_reason() + ")";
    const std::string e = err_.str();
    return e.empty() ? "" : " (" + e.substr(0, e.find('\n')) + ")";
  }
  phase_start start(std::uint64_t cycle, phase p) {
    return phase_start{cycle, static_cast<std::uint8_t>(p), d_.height(chain_.watcher()), 0};
  }
  // Simulated clock: a phase's transactions commit in up to four chunks, each
  // as soon as its agents have answered, while the others still sign and
  // submit theirs (a small chunk is not worth its block).
  std::size_t chunks(std::size_t answers) const {
    return c_.wall_clock ? 1 : std::clamp<std::size_t>(answers / std::max<std::size_t>(c_.chunk_answers, 1), 1, 4);
  }
  // Every house is told at once (the asker keeps a window of requests in
  // flight).
  template <class ChunkDone>
  std::vector<std::optional<phase_done>> tell_houses(const phase_start& p, ChunkDone chunk_done) {
    auto houses = std::make_shared<const std::vector<caf::actor>>(roster_.houses);
    return d_.gather<phase_done>(
        houses->size(), chunks(houses->size()),
        [this, houses, p](std::size_t i, auto* who) {
          // A house in another process is monitored (its process may die) and
          // bounded besides (its connection may hang).
          const auto& h = (*houses)[i];
          const caf::duration bound = h.node() == who->node() ? caf::duration{caf::infinite} : caf::duration{limit_};
          return who->request(h, bound, phase_atom::value, p);
        },
        chunk_done, houses);
  }
  std::vector<std::optional<phase_done>> tell_houses(const phase_start& p, clock::chunked_commit& commits) {
    return tell_houses(
        p, [&commits](std::size_t b, std::size_t e, const auto& answers) { commits.chunk(b, e, answers); });
  }
  std::size_t count_txs(const std::vector<std::optional<phase_done>>& answers) {
    std::size_t n = 0;
    for (const auto& a : answers)
      if (a) {
        n += a->txs.size() + 2 * a->first_coes;
        coe_signatures_ += 2 * a->first_coes;
        if (!a->note.empty()) say("cycle " + std::to_string(cycle_) + ": " + a->note);
      }
    return n;
  }

  std::string quotation(std::uint64_t cycle) {
    chain_.begin_phase(cycle, 0);
    chain_.prune();  // validators elsewhere may have gone
    if (!refresh_roster()) return "agents did not join again";
    // The DSO's grid changes take effect as quotation opens, before any order.
    phase_done dso_done;
    if (!d_.ask(roster_.dso, dso_done, phase_atom::value, start(cycle, phase::quotation)))
      return "the DSO did not answer";
    if (!dso_done.note.empty()) say("cycle " + std::to_string(cycle) + ": " + dso_done.note);
    if (!chain_.commit(dso_done.txs, limit_)) return "the DSO's grid change did not reach the chain";
    // Houses time out expired holds and bid. Simulated clock: the markets
    // whose houses have all answered are matched while the others still bid.
    const auto p = start(cycle, phase::quotation);
    bids_.assign(c_.market_ends.size(), 0);
    validators_at_quotation_ = chain_.validators();
    matched_ = 0;
    match_failure_.clear();
    std::size_t counted = 0;
    clock::chunked_commit timeouts{chain_, limit_};
    auto count_bids = [&](std::size_t end, const std::vector<std::optional<phase_done>>& answers) {
      for (; counted < end; ++counted)
        if (answers[counted] && answers[counted]->orders > 0 && answers[counted]->market < bids_.size())
          bids_[answers[counted]->market] += answers[counted]->orders;
    };
    const auto answers = tell_houses(p, [&](std::size_t b, std::size_t e, const auto& a) {
      timeouts.chunk(b, e, a);
      count_bids(e, a);
      if (match_failure_.empty()) match_up_to(cycle, markets_complete(e));
    });
    count_bids(answers.size(), answers);
    submitted_ = 0;
    for (const auto n : bids_) submitted_ += n;
    const std::size_t timed_out = count_txs(answers);
    signatures_ += submitted_ + timed_out;
    if (!timeouts.rest(answers)) return "timeouts of expired holds did not reach the chain";
    chain_.end_phase(0);
    progress("quotation");
    if (match_failure_.empty()) match_up_to(cycle, c_.market_ends.size());
    chain_.end_phase(1);
    progress("matching");
    return match_failure_;
  }

  // Markets [0, k) whose houses are all among the first `answered`.
  std::uint64_t markets_complete(std::size_t answered) const {
    std::uint64_t k = 0;
    while (k < c_.market_ends.size() && c_.market_ends[k] <= answered) ++k;
    return k;
  }

  // Once every validator holds a market's orders, its cycle is closed; the
  // proposer's block fixes the order set and the clearing.
  void match_up_to(std::uint64_t cycle, std::uint64_t last) {
    if (last <= matched_) return;
    chain_.begin_phase(cycle, 1);
    if (!c_.wall_clock && !orders_everywhere(cycle, last)) {
      match_failure_ = "orders did not reach every validator";
      return;
    }
    for (auto& m : chain_.validators())
      for (std::uint64_t market = matched_; market < last; ++market)
        d_.self()->send(m, close_atom::value, market, cycle);
    bool fixed = false;
    if (!chain_.blocks_until(limit_, [&] {
          return d_.ask(chain_.watcher(), fixed, fixed_atom::value, matched_, last, cycle) && fixed;
        })) {
      match_failure_ = "markets " + std::to_string(matched_) + " to " + std::to_string(last - 1) + " of cycle " +
                       std::to_string(cycle) + " were not cleared on chain";
      return;
    }
    matched_ = last;
  }

  // Until every validator still there holds the orders of markets
  // [matched_, last) of the cycle. If one went away during the quotation,
  // the orders only it took are lost to the cycle (their houses learn they
  // came late), and those it passed to only some peers would hold the others
  // up; one that answers again (restarted) holds none of those taken
  // before, and one catching up may refuse some. The validators pass each
  // other what they hold (again when the set changes, or if they still
  // differ a while later), and the clock goes on once they all hold as many.
  bool orders_everywhere(std::uint64_t cycle, std::uint64_t last) {
    std::vector<caf::actor> shared_among = validators_at_quotation_;
    auto shared_at = clock::clock_type::now();
    return chain_.wait_until(limit_, [&] {
      chain_.prune();
      const std::vector<caf::actor> live = chain_.validators();
      const bool changed = live != validators_at_quotation_;  // one went, or came back
      // Shared again when the set changed since, or (even if it did not: a
      // validator catching up may have refused what it was sent) when they
      // still differ a second later.
      if (live != shared_among || clock::clock_type::now() - shared_at > std::chrono::seconds(1)) {
        for (const auto& m : live) {
          std::uint64_t sent = 0;
          if (!d_.ask(m, sent, shareord_atom::value, matched_, last, cycle)) chain_.gone(m);
        }
        shared_among = live;
        shared_at = clock::clock_type::now();
        return false;
      }
      std::vector<std::uint64_t> first_held;
      for (const auto& m : live) {
        order_counts held;
        if (!d_.ask(m, held, ordcount_atom::value, matched_, last, cycle)) {
          chain_.gone(m);  // a validator that does not answer holds nothing up
          return false;
        }
        if (held.per_market.size() != last - matched_) return false;
        if (changed) {
          if (m == live.front()) first_held = held.per_market;
          else if (held.per_market != first_held) return false;
          continue;
        }
        for (std::uint64_t market = matched_; market < last; ++market)
          if (held.per_market[market - matched_] < bids_[market]) return false;
      }
      return true;
    });
  }

  // A phase in which houses submit transactions, committed in chunks.
  std::string house_phase(std::uint64_t cycle, phase what, int index, const char* failure) {
    chain_.begin_phase(cycle, index);
    if (!refresh_roster()) return "agents did not join again";
    clock::chunked_commit commits{chain_, limit_};
    const auto answers = tell_houses(start(cycle, what), commits);
    signatures_ += count_txs(answers);
    // A house that is gone (its process killed) misses the phase; it takes
    // part again once it has joined anew.
    const auto missing = std::count_if(answers.begin(), answers.end(), [](const auto& a) { return !a; });
    if (missing > 0)
      say("cycle " + std::to_string(cycle) + ": " + std::to_string(missing) + " house(s) did not answer in " +
          to_string(what));
    if (!commits.rest(answers)) return failure;
    chain_.end_phase(index);
    progress(to_string(what));
    return {};
  }

  // The last cycle settles after it, in a settlement phase of its own.
  std::string closing_settlement() {
    const std::uint64_t after = c_.cycles + 1;
    cycle_ = after;
    cycle_started_ = clock_type::now();
    if (auto why = house_phase(after, phase::settlement, 3, "settlements did not reach the chain"); !why.empty())
      return why;
    cycle_summary sum;
    if (!d_.ask(roster_.recorder, sum, record_atom::value, after, start(after, phase::record).height, false))
      return "the recorder did not answer";
    if (!sum.problem.empty()) return sum.problem;
    say("cycle " + std::to_string(c_.cycles) + " settled after it: " + std::to_string(sum.settlements) +
        " settlements" + conserved(sum));
    return money_problem_;
  }

  // "; money conserved" when the balances add up to what the chain began
  // with; otherwise the problem is kept for the run to end on.
  std::string conserved(const cycle_summary& sum) {
    money_problem_.clear();
    if (c_.money_uc == 0) return {};
    if (sum.money_uc == c_.money_uc) return "; money conserved";
    money_problem_ = "balances sum to " + credits(sum.money_uc) + ", not " + credits(c_.money_uc);
    return "; MONEY NOT CONSERVED";
  }

  std::string record(std::uint64_t cycle) {
    const auto p = start(cycle, phase::record);
    phase_done channel;
    cycle_summary sum;
    if (!d_.ask(roster_.dso, channel, phase_atom::value, p)) return "the DSO did not answer";
    if (!channel.note.empty()) return channel.note;
    if (!d_.ask(roster_.recorder, sum, record_atom::value, cycle, p.height, true)) return "the recorder did not answer";
    if (!sum.problem.empty()) return sum.problem;
    const bool resumed = resumed_at_feedback_ && cycle == first_cycle_;  // its orders were counted before
    line_ = "cycle " + std::to_string(cycle) + ": " + std::to_string(sum.orders) + " of " +
            (resumed ? std::string("?") : std::to_string(submitted_)) + " orders fixed on chain, " +
            std::to_string(sum.trades) + " trades, " +
            market::format_scaled(sum.traded_mwh, market::mwh_per_kwh) + " kWh";
    if (c_.market_ends.size() == 1)
      line_ += " at p0 " + credits(sum.price_ucpkwh) + " (case " + std::to_string(sum.case_number) + ")";
    if (cycle > 1) line_ += "; " + std::to_string(sum.settlements) + " settlements of cycle " + std::to_string(cycle - 1);
    line_ += "; height " + std::to_string(p.height);
    conserved_ = conserved(sum);
    return {};
  }

  std::string run_cycle(std::uint64_t cycle) {
    cycle_ = cycle;
    cycle_started_ = clock_type::now();
    signatures_ = 0;
    coe_signatures_ = 0;
    const bool resumed = resumed_at_feedback_ && cycle == first_cycle_;
    if (!resumed)
      if (auto why = quotation(cycle); !why.empty()) return why;
    if (auto why = house_phase(cycle, phase::feedback, 2, "holds did not reach the chain"); !why.empty()) return why;
    if (auto why = house_phase(cycle, phase::settlement, 3, "settlements did not reach the chain"); !why.empty())
      return why;
    return record(cycle);
  }

  // Holds left open (meters that never confirmed, a cycle cut short by a
  // restart) expire and are timed out by their buyers.
  std::string expire_left_holds() {
    while (true) {
      std::tuple<std::uint64_t, std::uint64_t> open;
      if (!d_.ask(chain_.watcher(), open, openctps_atom::value)) return "the validators do not answer";
      if (std::get<0>(open) == 0) {
        std::tuple<std::int64_t, std::int64_t> money;
        if (!d_.ask(roster_.recorder, money, balance_atom::value)) return "the recorder did not answer";
        say("holds left open: " + credits(std::get<1>(money)) + " credits");
        return {};
      }
      say(std::to_string(std::get<0>(open)) + " hold(s) open; waiting for height " +
          std::to_string(std::get<1>(open) + 1) + " to time them out");
      if (!chain_.reach(std::get<1>(open) + 2, limit_)) return "the chain did not reach the holds' expiry";
      if (!refresh_roster()) return "agents did not join again";
      clock::chunked_commit commits{chain_, limit_};
      const auto answers = tell_houses(start(c_.cycles, phase::expiry), commits);
      if (!commits.rest(answers)) return "timeouts did not reach the chain";
    }
  }

  // Long cycles show progress phase by phase.
  void progress(const std::string& what) {
    if (c_.after_phase) c_.after_phase(cycle_, what);
    const double t = std::chrono::duration<double>(clock_type::now() - cycle_started_).count();
    if (t >= 2) say("  cycle " + std::to_string(cycle_) + ": " + what + " done at " + decimals(t, 1) + " s");
  }

  const market_clock_config& c_;
  std::ostringstream err_;
  clock::asker d_;
  clock::chain_clock chain_;
  std::chrono::seconds limit_;
  std::uint64_t cycle_ = 0;
  clock_type::time_point cycle_started_;
  std::vector<std::size_t> bids_;  // orders accepted per market
  std::uint64_t matched_ = 0;      // markets [0, matched_) are fixed on chain
  std::string match_failure_;
  std::size_t submitted_ = 0;
  std::size_t signatures_ = 0;  // orders and transactions of this cycle, CoEs first shown
  std::size_t coe_signatures_ = 0;
  std::uint64_t questions_before_ = 0;
  std::string line_, conserved_, money_problem_;
  lab_roster roster_;
  caf::actor absent_;
  std::uint64_t first_cycle_ = c_.first_cycle;
  std::vector<caf::actor> validators_at_quotation_;
  bool resumed_at_feedback_ = false;
};

}  // namespace

std::string run_market_clock(caf::actor_system& system, const market_clock_config& config) {
  market_clock c(system, config);
  return c.run();
}

}  // namespace voltaic::agents
