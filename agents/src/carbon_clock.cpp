#include "voltaic/agents/carbon_clock.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "voltaic/agents/carbon_participant.hpp"
#include "voltaic/agents/carbon_validator.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"

namespace voltaic::agents {

namespace {

using poll_atom = caf::atom_constant<caf::atom("cpoll")>;

struct carbon_clock_state {
  carbon_clock_config cfg;
  std::map<std::uint64_t, std::function<void()>> polls;  // looks again later, by number
  std::uint64_t next_poll = 0;
  static inline const char* name = "voltaic.carbon_clock";
};

using clock_actor = caf::stateful_actor<carbon_clock_state>;

// One period on its way.
struct period_job {
  std::uint64_t period = 0;
  std::uint64_t steps = 0;  // blocks stepped (simulated clock)
  std::uint64_t claims = 0, orders = 0;
  std::string problem;
  std::vector<carbon_outcome> outcomes;  // what each participant learnt, in their order
  caf::response_promise promise;
};
using job_ptr = std::shared_ptr<period_job>;

void finish(job_ptr job) { job->promise.deliver(job->claims, job->orders, job->problem, job->outcomes); }

// Tells every participant that the period's auction is on chain; each reads
// its own share from its validator and answers with it.
void tell_results(clock_actor* self, job_ptr job) {
  const auto& participants = self->state.cfg.participants;
  job->outcomes.assign(participants.size(), carbon_outcome{});
  auto left = std::make_shared<std::size_t>(participants.size());
  if (*left == 0) return finish(job);
  for (std::size_t i = 0; i < participants.size(); ++i)
    self->request(participants[i], self->state.cfg.patience, cresult_atom::value, job->period)
        .then(
            [=](const carbon_outcome& o) {
              job->outcomes[i] = o;
              if (!o.problem.empty() && job->problem.empty()) job->problem = o.name + "'s results: " + o.problem;
              if (--*left == 0) finish(job);
            },
            [=](caf::error& e) {
              job->outcomes[i].problem = "no answer: " + to_string(e);
              if (job->problem.empty()) job->problem = "a participant's results: no answer: " + to_string(e);
              if (--*left == 0) finish(job);
            });
}

// Waits until every validator has committed `ids`, then calls `then`.
void when_committed(clock_actor* self, job_ptr job, std::vector<chain::hash256> ids,
                    std::chrono::steady_clock::time_point deadline, std::function<void()> then) {
  auto missing = std::make_shared<std::size_t>(0);
  auto left = std::make_shared<std::size_t>(self->state.cfg.validators.size());
  for (const auto& v : self->state.cfg.validators)
    self->request(v, std::chrono::seconds(10), committed_atom::value, ids)
        .then(
            [=](const std::vector<chain::hash256>& not_yet) {
              *missing += not_yet.size();
              if (--*left > 0) return;
              if (*missing == 0) return then();
              if (std::chrono::steady_clock::now() > deadline) {
                job->problem = "the carbon chain did not commit period " + std::to_string(job->period) + "'s step in time";
                return finish(job);
              }
              // Look again shortly: carbon blocks are few and far between.
              const auto n = self->state.next_poll++;
              self->state.polls.emplace(n, [=] { when_committed(self, job, ids, deadline, then); });
              self->delayed_send(self, std::chrono::milliseconds(50), poll_atom::value, n);
            },
            [=](caf::error& e) {
              job->problem = "a carbon validator did not answer: " + to_string(e);
              if (--*left == 0) finish(job);
            });
}

// Simulated clock: once every validator holds `ids`, steps them all one
// block holding exactly those, then waits for it everywhere.
void step_with(clock_actor* self, job_ptr job, std::vector<chain::hash256> ids,
               std::chrono::steady_clock::time_point deadline, std::function<void()> then) {
  auto have = std::make_shared<std::size_t>(0);
  auto left = std::make_shared<std::size_t>(self->state.cfg.validators.size());
  for (const auto& v : self->state.cfg.validators)
    self->request(v, std::chrono::seconds(10), pooled_atom::value, ids)
        .then(
            [=](std::uint64_t pooled) {
              *have += pooled == ids.size() ? 1 : 0;
              if (--*left > 0) return;
              if (*have < self->state.cfg.validators.size()) {
                if (std::chrono::steady_clock::now() > deadline) {
                  job->problem = "period " + std::to_string(job->period) + "'s transactions never reached every validator";
                  return finish(job);
                }
                const auto n = self->state.next_poll++;
                self->state.polls.emplace(n, [=] { step_with(self, job, ids, deadline, then); });
                self->delayed_send(self, std::chrono::milliseconds(10), poll_atom::value, n);
                return;
              }
              self->request(self->state.cfg.validators.front(), std::chrono::seconds(10), head_atom::value)
                  .then(
                      [=](std::uint64_t height, const std::string&) {
                        // A day per block from the start of the period's year.
                        const std::uint64_t time_ms = job->period * 31'536'000'000ULL + ++job->steps * 86'400'000ULL;
                        for (const auto& val : self->state.cfg.validators)
                          self->send(val, step_atom::value, height + 1, time_ms, ids);
                        when_committed(self, job, ids, deadline, then);
                      },
                      [=](caf::error& e) {
                        job->problem = "the first carbon validator did not answer: " + to_string(e);
                        finish(job);
                      });
            },
            [=](caf::error& e) {
              job->problem = "a carbon validator did not answer: " + to_string(e);
              if (--*left == 0) finish(job);
            });
}

// The step's transactions on chain, by the validators' own blocks or by a step.
void settle(clock_actor* self, job_ptr job, std::vector<chain::hash256> ids,
            std::chrono::steady_clock::time_point deadline, std::function<void()> then) {
  if (self->state.cfg.simulated) return step_with(self, job, std::move(ids), deadline, std::move(then));
  when_committed(self, job, std::move(ids), deadline, std::move(then));
}

// Asks every participant the same question; admitted transactions' ids go to `then`.
template <class Atom>
void ask_all(clock_actor* self, job_ptr job, Atom what, const char* step,
             std::function<void(std::vector<chain::hash256>)> then) {
  auto ids = std::make_shared<std::vector<chain::hash256>>();
  auto left = std::make_shared<std::size_t>(self->state.cfg.participants.size());
  if (*left == 0) return then({});
  for (const auto& p : self->state.cfg.participants)
    self->request(p, self->state.cfg.patience, what, job->period)
        .then(
            [=](const std::string& verdict, const chain::hash256& id) {
              if (verdict == "ok") ids->push_back(id);
              else if (verdict != "no-balance" && job->problem.empty())
                job->problem = std::string(step) + " refused: " + verdict;
              if (--*left == 0) then(*ids);
            },
            [=](caf::error& e) {
              if (job->problem.empty()) job->problem = std::string(step) + ": no answer: " + to_string(e);
              if (--*left == 0) then(*ids);
            });
}

caf::behavior carbon_clock(clock_actor* self, carbon_clock_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.polls.clear();
    self->state.cfg.participants.clear();
    self->state.cfg.validators.clear();
    self->quit(msg.reason);
  });
  return {
      [self](poll_atom, std::uint64_t n) {
        auto it = self->state.polls.find(n);
        if (it == self->state.polls.end()) return;
        auto again = std::move(it->second);
        self->state.polls.erase(it);
        again();
      },
      [self](cperiod_atom, std::uint64_t period) {
        auto job = std::make_shared<period_job>();
        job->period = period;
        job->promise = self->make_response_promise();
        const auto deadline = [self] { return std::chrono::steady_clock::now() + std::chrono::seconds(60); };
        ask_all(self, job, claim_atom::value, "a claim or report", [=](std::vector<chain::hash256> claims) {
          job->claims = claims.size();
          settle(self, job, claims, deadline(), [=] {
            ask_all(self, job, corder_atom::value, "an order", [=](std::vector<chain::hash256> orders) {
              job->orders = orders.size();
              settle(self, job, orders, deadline(), [=] {
                self->request(self->state.cfg.validators.front(), self->state.cfg.patience, auction_atom::value, period)
                    .then(
                        [=](const std::string& verdict, const chain::hash256& id) {
                          if (verdict != "ok") {
                            job->problem = "the auction record was refused: " + verdict;
                            return finish(job);
                          }
                          settle(self, job, {id}, deadline(), [=] { tell_results(self, job); });
                        },
                        [=](caf::error& e) {
                          job->problem = "the auction record: no answer: " + to_string(e);
                          finish(job);
                        });
              });
            });
          });
        });
        return job->promise;
      },
  };
}

}  // namespace

caf::actor spawn_carbon_clock(caf::actor_system& system, const carbon_clock_config& config) {
  return system.spawn(carbon_clock, config);
}

}  // namespace voltaic::agents
