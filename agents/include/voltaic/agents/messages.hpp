#pragma once
// The atoms of the trading agents' messages, one per fact (CAF 0.17 atoms are
// at most 10 characters). Payloads are basic types, canonical bytes in a
// std::string, keys and ids as their 32 bytes (chain::public_key,
// chain::hash256), or the types of protocol.hpp; nothing is sent as text to
// be parsed again. Across processes, register_protocol() must have announced
// the protocol types.
//
// To miners:
//   (order, envelope)            -> "ok" or the refusal reason ("cycle-closed"
//                                   when its quotation is over); a signed order
//   (ordgossip, [envelope...])      the same between miners
//   (close, market, cycle)          the quotation phase of a cycle is over
//   (shareord, first market, end market, cycle)
//                                -> how many: the open orders it holds for the
//                                   cycle go to every peer (a validator went
//                                   away and may have passed some to only a few)
//   (fixed, first market, end market, cycle)
//                                -> whether the chain fixed and cleared every
//                                   market of [first, end) for the cycle
//   (headnonce, key)             -> (height, nonce)
//   (openctps)                   -> (open CTPs, highest expiry height)
//   (step, height, time_ms)         simulated clock: run consensus up to this
//                                   height, stamping blocks with this time
//   (step, height, time_ms, [tx id...])  the same, proposing only these
//                                   waiting transactions (besides the cycle's own)
//   (reached, height)            -> the height, once the chain has reached it
//   (pooled, [tx id...])         -> how many are waiting in the pool or committed
//   (committed, [tx id...])      -> the ids not yet committed
//   (ordcount, first market, end market, cycle)
//                                -> order_counts: orders held for each open cycle
//   (progress, market)           -> the last cycle whose order set is on chain
//   (peercount)                  -> how many other validators it is connected to
//   (questions)                  -> how many signed questions it has checked so far
//   (query, path, request bytes) -> (true, answer bytes) or (false, the refusal):
//                                   a question about the head state in the
//                                   application's encoding (energy_application::query);
//                                   questions about one party's money, holds or
//                                   outcome, and about whole cycles, are signed
//                                   by who may ask them (chain/energy/answers.hpp)
//   (subscribe)                     the sender gets every event of the chain
//                                   from now on, as (event, height, kind, data):
//                                   data is the event's canonical bytes
//                                   (block_committed: node/application.hpp;
//                                   the chain's own: chain/energy/events.hpp)
// From the market clock (market_clock.hpp) to prosumers and the DSO:
//   (phase, phase_start)         -> phase_done: what the agent submitted
// To prosumers:
//   (history)                    -> [outcome_record...] its outcomes so far
//   (balance)                    -> (balance_uc, held_uc) as its miner's chain has them
// To smart meters (from their house):
//   (read, meter_read)           -> [ERC or reading transaction id...], none when it does not report
// To prosumers, smart meters and the DSO (from the runtime's watch over the
// validators of other processes):
//   (valback, validator, home)      a validator that had gone away answers
//                                   again: its agents (home) turn back to it,
//                                   the others keep it as a fallback
// To the runtime's watch over the validators (from the market clock):
//   (valwatch, listener)            the listener hears (valback, validator,
//                                   false) for each validator that answers again
// To the DSO:
//   (publish)                    -> [transaction id...] its charge, penalty and grid version
// To the recorder (recorder.hpp):
//   (record, cycle, height, books_too)
//                                -> cycle_summary, once the rows of the cycle
//                                   (its books unless books_too is false) and
//                                   the settlements of the cycle before (made
//                                   by `height`) are written
//   (balance)                    -> (money_uc, held_uc) summed over its accounts
//   (progress)                   -> the last cycle whose rows it wrote
// Thread-safety: declarations only.

#include <caf/all.hpp>

namespace voltaic::agents {

using order_atom = caf::atom_constant<caf::atom("order")>;
using ordgossip_atom = caf::atom_constant<caf::atom("ordgossip")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using shareord_atom = caf::atom_constant<caf::atom("shareord")>;
using headnonce_atom = caf::atom_constant<caf::atom("headnonce")>;
using valback_atom = caf::atom_constant<caf::atom("valback")>;
using valwatch_atom = caf::atom_constant<caf::atom("valwatch")>;
using openctps_atom = caf::atom_constant<caf::atom("openctps")>;
using step_atom = caf::atom_constant<caf::atom("step")>;
using reached_atom = caf::atom_constant<caf::atom("reached")>;
using pooled_atom = caf::atom_constant<caf::atom("pooled")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using ordcount_atom = caf::atom_constant<caf::atom("ordcount")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using peercount_atom = caf::atom_constant<caf::atom("peercount")>;
using history_atom = caf::atom_constant<caf::atom("history")>;
using balance_atom = caf::atom_constant<caf::atom("balance")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using questions_atom = caf::atom_constant<caf::atom("questions")>;
using fixed_atom = caf::atom_constant<caf::atom("fixed")>;
using phase_atom = caf::atom_constant<caf::atom("phase")>;
using record_atom = caf::atom_constant<caf::atom("record")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using event_atom = caf::atom_constant<caf::atom("event")>;

}  // namespace voltaic::agents
