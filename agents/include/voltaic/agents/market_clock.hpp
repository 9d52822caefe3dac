#pragma once
// The market clock (spec/protocols.md section 6): the one agent that knows
// what time it is in the market. It announces each phase of each cycle —
// quotation, matching, feedback, settlement — to the agents that trade,
// closes each cycle's quotation at the validators, and once a cycle is
// settled asks the DSO and the recorder to write what the chain holds. It
// carries no market content: prosumers bid, learn their outcome from their
// validator and have their meters confirm on their own.
//
// Wall clock: validators make blocks continuously and each phase lasts its
// share of the cycle. Simulated clock: validators make a block only when the
// clock steps them, stamped with simulated time, and a phase ends as soon as
// every agent has answered and what they submitted is committed — so the
// same seed gives the same chain.
//
// The clock runs on the calling thread as a blocking actor.
// Thread-safety: run_market_clock blocks; its configuration is copied.

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace voltaic::agents {

struct market_clock_config {
  std::vector<caf::actor> validators;  // every validator; the first is the one it reads the chain from
  // Validators of this process: watched (a phase ends when one stops) rather
  // than bounding each agent's request by a timer.
  bool validators_local = false;
  // The runtime's watch over validators of other processes (messages.hpp,
  // valwatch), if any: a validator that answers again is stepped again.
  caf::actor validator_watch;
  // Where the houses (market by market, in market order), the DSO and the
  // recorder are (lab_roster.hpp); read at every phase.
  caf::actor roster;
  std::vector<std::size_t> market_ends;   // per market, the index after its last house
  std::uint64_t first_cycle = 1;
  std::uint64_t cycles = 1;
  std::uint64_t cycle_ms = 900'000;
  std::uint64_t genesis_ms = 0;
  bool wall_clock = false;
  // Simulated clock: a phase commits in up to four chunks of at least this
  // many answers while later agents still answer.
  std::size_t chunk_answers = 2'000;
  std::uint64_t wait_limit_s = 120;  // for each wait on the chain, and for agents to join
  std::int64_t money_uc = 0;  // all the money there is (the recorder's sums must equal it); 0: not checked
  std::function<void(const std::string&)> say;  // its account of the run, line by line
  // Called as each phase of a cycle ends (fault injection: a test ends the process there).
  std::function<void(std::uint64_t cycle, const std::string& phase)> after_phase;
};

// Runs cycles first_cycle..cycles, then times out the holds left open; empty,
// or what went wrong.
std::string run_market_clock(caf::actor_system& system, const market_clock_config& config);

}  // namespace voltaic::agents
