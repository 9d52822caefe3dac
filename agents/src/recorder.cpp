#include "voltaic/agents/recorder.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <unordered_map>

#include "signed_ask.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/energy/application.hpp"
#include "voltaic/market/clearing.hpp"
#include "voltaic/market/order.hpp"
#include "voltaic/market/outcome.hpp"
#include "voltaic/market/report.hpp"
#include "voltaic/market/run_metrics.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::agents {

namespace {

std::string kwh(std::int64_t mwh) { return market::format_scaled(mwh, market::mwh_per_kwh); }
std::string credits(std::int64_t uc) { return market::format_scaled(uc, market::uc_per_credit); }

// One CSV, its header written once; a cycle's rows are appended in one write
// so a process that is killed keeps every cycle it finished.
class csv_file {
 public:
  csv_file(const std::string& dir, const std::string& name, const char* header, bool resume) : path_(dir + "/" + name) {
    const bool exists = std::filesystem::exists(path_);
    file_.open(path_, resume ? std::ios::app : std::ios::trunc);
    if (!resume || !exists) file_ << header << "\n";
    file_.flush();
  }
  bool write(const std::string& rows) {
    file_ << rows;
    file_.flush();
    return static_cast<bool>(file_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream file_;
};

struct recorder_state {
  recorder_config cfg;
  std::unordered_map<chain::public_key, std::string, chain::key_hasher> names;
  std::unique_ptr<csv_file> orders, outcomes, clearing, trades, settlements, balances, welfare;
  std::uint64_t last_recorded = 0;  // the last cycle whose rows are in the files
  static inline const char* name = "voltaic.recorder";
};

using recorder_actor = caf::stateful_actor<recorder_state>;

// A cycle on its way to the files: what the chain answered so far.
struct cycle_job {
  std::uint64_t cycle = 0;
  bool books_too = true;  // false: the closing round, settlements only
  std::uint64_t next_market = 0;  // books are asked for in slices
  std::vector<chain::market_book> books;
  std::size_t next_validator = 0;                                           // asked for late orders
  std::map<std::pair<std::uint64_t, std::string>, chain::late_order> late;  // by market and book id
  std::vector<chain::settlement_row> settled;
  caf::typed_response_promise<cycle_summary> promise;
};
using job_ptr = std::shared_ptr<cycle_job>;

constexpr std::uint64_t markets_per_question = 256;

std::string name_of(const recorder_state& s, const chain::public_key& k) {
  auto it = s.names.find(k);
  return it == s.names.end() ? chain::to_hex(k) : it->second;
}

void fail(job_ptr job, const std::string& why) {
  cycle_summary sum;
  sum.problem = why;
  job->promise.deliver(std::move(sum));
}

template <class T, class F>
void ask(recorder_actor* self, job_ptr job, const std::string& path, const chain::bytes& args, F on_answer) {
  auto& c = self->state.cfg;
  detail::ask_signed<T>(
      self, c.miner, c.miner_timeout, path, args, c.key, c.chain_id, std::move(on_answer),
      [job, path](const std::string& why) { fail(job, "the recorder's '" + path + "' question: " + why); });
}

void write_cycle(recorder_actor* self, job_ptr job, const std::vector<chain::account_answer>& balances) {
  auto& s = self->state;
  cycle_summary sum;
  std::string orders, outcomes, clearing, trades, settlements, balance_rows, welfare;
  const std::string cycle = std::to_string(job->cycle);
  for (const auto& m : job->books) {
    const std::string prefix = cycle + "," + std::to_string(m.market) + ",";
    std::vector<const chain::book_order*> rows;
    for (const auto& o : m.orders) rows.push_back(&o);
    for (auto it = job->late.lower_bound({m.market, std::string{}});
         it != job->late.end() && it->first.first == m.market; ++it)
      rows.push_back(&it->second.order);
    for (const auto* row : rows) {
      const auto& o = *row;
      orders += prefix + o.id + "," + name_of(s, o.owner) + "," + market::to_string(static_cast<market::side>(o.side)) +
                "," + credits(o.price_ucpkwh) + "," + kwh(o.energy_mwh) + "," +
                (o.distance_pref_mm == market::distance_anywhere
                     ? std::string{}
                     : market::format_scaled(o.distance_pref_mm, market::mm_per_m)) +
                "," + (o.bus < s.cfg.bus_names.size() ? s.cfg.bus_names[o.bus] : std::to_string(o.bus)) + "," +
                std::to_string(o.seq) + "\n";
      const auto kind = static_cast<market::outcome_kind>(o.kind);
      outcomes +=
          prefix + o.id + "," + (o.kind == chain::late_kind ? "late" : market::to_string(kind)) + "," +
          (kind == market::outcome_kind::rejected ? market::to_string(static_cast<market::reason>(o.reason)) : "") +
          "," + kwh(o.traded_mwh) + "\n";
    }
    // Welfare and reserve surplus at p0 of every party that traded (market.md
    // 5.1 with the default parameters: orders on chain carry no others).
    for (const auto& o : m.orders) {
      if (o.traded_mwh <= 0) continue;
      market::order as_order;
      as_order.side = static_cast<market::side>(o.side);
      as_order.price = o.price_ucpkwh;
      const auto w = market::party_result_of(as_order, 0, o.traded_mwh, m.price_ucpkwh);
      welfare += prefix + name_of(s, o.owner) + "," + market::to_string(as_order.side) + "," + kwh(o.traded_mwh) +
                 "," + market::format_double(w.welfare) + "," + market::format_double(w.surplus) + "\n";
    }
    clearing += prefix + market::to_string(static_cast<market::mechanism>(m.mechanism)) + "," +
                market::to_string(static_cast<market::surplus_policy>(m.policy)) + "," + std::to_string(m.case_number) +
                "," + credits(m.price_ucpkwh) + "," + (m.price_adjusted ? "true" : "false") + "\n";
    for (const auto& t : m.trades) {
      trades += prefix + name_of(s, t.buyer) + "," + name_of(s, t.seller) + "," + kwh(t.energy_mwh) + "," +
                market::format_scaled(t.distance_mm, market::mm_per_m) + "," + credits(t.charge_uc) + "\n";
      sum.traded_mwh += t.energy_mwh;
    }
    sum.orders += m.orders.size();
    sum.trades += m.trades.size();
  }
  if (!job->books.empty()) {
    sum.price_ucpkwh = job->books.front().price_ucpkwh;
    sum.case_number = job->books.front().case_number;
  }
  // The settlements of the cycle before: cycle i settles in cycle i+1.
  const std::string settled_cycle = std::to_string(job->cycle - 1);
  for (const auto& r : job->settled)
    settlements += settled_cycle + "," + std::to_string(r.market) + "," + name_of(s, r.party) + "," +
                   (r.role == static_cast<std::uint8_t>(chain::party_role::buyer) ? "buyer" : "seller") + "," +
                   kwh(r.agreed_mwh) + "," + kwh(r.metered_mwh) + "," + credits(r.amount_uc) + "," +
                   credits(r.tariff_uc) + "," + credits(r.penalty_uc) + "\n";
  sum.settlements = job->settled.size();
  for (std::size_t i = 0; i < balances.size() && i < s.cfg.accounts.size(); ++i) {
    sum.money_uc += balances[i].balance_uc;
    balance_rows += cycle + "," + s.cfg.accounts[i].second + "," + credits(balances[i].balance_uc) + "\n";
  }
  const std::pair<csv_file*, const std::string*> files[] = {
      {s.orders.get(), &orders}, {s.outcomes.get(), &outcomes},       {s.clearing.get(), &clearing},
      {s.trades.get(), &trades}, {s.settlements.get(), &settlements}, {s.balances.get(), &balance_rows},
      {s.welfare.get(), &welfare}};
  for (const auto& [file, rows] : files)
    if (!file->write(*rows)) sum.problem = "cannot write " + file->path();
  if (sum.problem.empty()) s.last_recorded = std::max(s.last_recorded, job->cycle);
  job->promise.deliver(std::move(sum));
}

// A question lists at most this many keys (a validator reads no question
// over 1 MiB).
constexpr std::size_t keys_per_question = 10'000;

chain::bytes balance_args(const recorder_state& s, std::size_t from) {
  chain::key_list keys;
  const auto& accounts = s.cfg.accounts;
  for (std::size_t i = from; i < accounts.size() && i < from + keys_per_question; ++i)
    keys.keys.push_back(accounts[i].first);
  return chain::encode_fields(keys);
}

using balances_fn = std::function<void(std::vector<chain::account_answer>)>;
using failure_fn = std::function<void(const std::string&)>;

// Every configured account's balance, in their order, slice by slice.
void collect_balances(recorder_actor* self, std::shared_ptr<std::vector<chain::account_answer>> got, balances_fn done,
                      failure_fn failed) {
  const std::size_t from = got->size();
  auto& c = self->state.cfg;
  if (from >= c.accounts.size()) return done(std::move(*got));
  const auto expected = std::min(keys_per_question, c.accounts.size() - from);
  detail::ask_signed<chain::answer_list<chain::account_answer>>(
      self, c.miner, c.miner_timeout, "balances", balance_args(self->state, from), c.key, c.chain_id,
      [self, got, done, failed, expected](const chain::answer_list<chain::account_answer>& b) {
        if (b.items.size() != expected) return failed("the balances do not add up");
        got->insert(got->end(), b.items.begin(), b.items.end());
        collect_balances(self, got, done, failed);
      },
      failed);
}

void ask_balances(recorder_actor* self, job_ptr job) {
  collect_balances(
      self, std::make_shared<std::vector<chain::account_answer>>(),
      [self, job](std::vector<chain::account_answer> b) { write_cycle(self, job, b); },
      [job](const std::string& why) { fail(job, "the recorder's 'balances' question: " + why); });
}

void ask_settlements(recorder_actor* self, job_ptr job) {
  if (job->cycle < 2) return ask_balances(self, job);
  ask<chain::answer_list<chain::settlement_row>>(self, job, "settlements",
                                                 detail::number_args({0, self->state.cfg.markets, job->cycle - 1}),
                                                 [self, job](chain::answer_list<chain::settlement_row> rows) {
                                                   job->settled = std::move(rows.items);
                                                   ask_balances(self, job);
                                                 });
}

// Each validator in turn: the orders that reached it after the close.
void ask_late(recorder_actor* self, job_ptr job) {
  auto& c = self->state.cfg;
  if (job->next_validator >= c.validators.size()) return ask_settlements(self, job);
  const auto& v = c.validators[job->next_validator++];
  detail::ask_signed<chain::answer_list<chain::late_order>>(
      self, v, c.miner_timeout, "late_orders", detail::number_args({0, c.markets, job->cycle}), c.key, c.chain_id,
      [self, job](chain::answer_list<chain::late_order> late) {
        for (auto& l : late.items) job->late.emplace(std::make_pair(l.market, l.order.id), std::move(l));
        ask_late(self, job);
      },
      [self, job](const std::string&) { ask_late(self, job); });
}

void ask_books(recorder_actor* self, job_ptr job) {
  const std::uint64_t markets = self->state.cfg.markets;
  if (!job->books_too) return ask_settlements(self, job);
  if (job->next_market >= markets) {
    ask_late(self, job);
    return;
  }
  const std::uint64_t from = job->next_market;
  const std::uint64_t to = std::min(markets, from + markets_per_question);
  job->next_market = to;
  ask<chain::answer_list<chain::market_book>>(self, job, "book", detail::number_args({from, to, job->cycle}),
                                              [self, job](chain::answer_list<chain::market_book> b) {
                                                for (auto& m : b.items) job->books.push_back(std::move(m));
                                                ask_books(self, job);
                                              });
}


// The cycle of the last row of a CSV whose first column is the cycle; 0 if none.
std::uint64_t last_cycle_in(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  std::uint64_t cycle = 0;
  for (char c : last) {
    if (c < '0' || c > '9') break;
    cycle = cycle * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return cycle;
}

caf::behavior recorder(recorder_actor* self, recorder_config cfg) {
  auto& s = self->state;
  s.cfg = std::move(cfg);
  for (const auto& [k, name] : s.cfg.accounts) s.names.emplace(k, name);
  std::error_code ec;
  std::filesystem::create_directories(s.cfg.out_dir, ec);
  const auto& dir = s.cfg.out_dir;
  const bool resume = s.cfg.resume;
  s.orders = std::make_unique<csv_file>(dir, "orders.csv",
                                        "cycle,market,id,owner,side,price,energy_kwh,distance_pref_m,bus,seq", resume);
  s.outcomes = std::make_unique<csv_file>(dir, "outcomes.csv", "cycle,market,id,outcome,reason,traded_kwh", resume);
  s.clearing = std::make_unique<csv_file>(dir, "clearing.csv",
                                          "cycle,market,mechanism,policy,case,price,price_adjusted", resume);
  s.trades =
      std::make_unique<csv_file>(dir, "trades.csv", "cycle,market,buyer,seller,energy_kwh,distance_m,charge", resume);
  s.settlements = std::make_unique<csv_file>(
      dir, "settlements.csv", "cycle,market,party,role,agreed_kwh,metered_kwh,amount,tariff,penalty", resume);
  if (resume) s.last_recorded = last_cycle_in(dir + "/balances.csv");
  s.balances = std::make_unique<csv_file>(dir, "balances.csv", "cycle,account,balance", resume);
  s.welfare = std::make_unique<csv_file>(dir, "welfare.csv", "cycle,market,party,side,traded_kwh,welfare,surplus", resume);
  self->set_exit_handler([self](caf::exit_msg& m) {
    self->state.cfg.miner = caf::actor{};
    self->state.cfg.validators.clear();
    self->quit(m.reason);
  });
  // When its validator goes away it reads the chain from the next.
  if (s.cfg.miner && s.cfg.validators.size() > 1) {
    for (const auto& v : s.cfg.validators) self->monitor(v);
    self->set_down_handler([self](caf::down_msg& m) {
      auto& c = self->state.cfg;
      auto& all = c.validators;
      all.erase(std::remove_if(all.begin(), all.end(), [&m](const caf::actor& a) { return a.address() == m.source; }),
                all.end());
      if (!c.miner || m.source != c.miner.address() || all.empty()) return;
      c.miner = all.front();
    });
  }
  return {
      [self](balance_atom) -> caf::result<std::int64_t, std::int64_t> {
        // Every account's balance and holds, slice by slice, summed.
        auto promise = self->make_response_promise<std::int64_t, std::int64_t>();
        collect_balances(
            self, std::make_shared<std::vector<chain::account_answer>>(),
            [promise](std::vector<chain::account_answer> b) mutable {
              std::int64_t money = 0, held = 0;
              for (const auto& a : b) money += a.balance_uc, held += a.held_uc;
              promise.deliver(money, held);
            },
            [promise](const std::string& why) mutable {
              promise.deliver(caf::make_error(caf::sec::unexpected_response, why));
            });
        return promise;
      },
      [self](progress_atom) { return self->state.last_recorded; },
      [self](record_atom, std::uint64_t cycle, std::uint64_t height, bool books_too) -> caf::result<cycle_summary> {
        auto job = std::make_shared<cycle_job>();
        job->cycle = cycle;
        job->books_too = books_too;
        job->promise = self->make_response_promise<cycle_summary>();
        // Its validator answers once it has the block the clock saw settle the cycle.
        self->request(self->state.cfg.miner, self->state.cfg.miner_timeout, reached_atom::value, height)
            .then([self, job](std::uint64_t) { ask_books(self, job); },
                  [job](caf::error& e) {
                    fail(job, "the recorder's validator did not reach the cycle: " + to_string(e));
                  });
        return job->promise;
      },
  };
}

}  // namespace

caf::actor spawn_recorder(caf::actor_system& system, const recorder_config& config) {
  return system.spawn(recorder, config);
}

}  // namespace voltaic::agents
