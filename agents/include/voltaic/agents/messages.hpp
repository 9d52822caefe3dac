#pragma once
// The atoms of the trading agents' messages, one per fact (CAF 0.17 atoms are
// at most 10 characters). Payloads are basic types, canonical bytes in a
// std::string, keys and ids as their 32 bytes (chain::public_key,
// chain::hash256), or the types of protocol.hpp; nothing is sent as text to
// be parsed again. Across processes, register_protocol() must have announced
// the protocol types.
//
// To miners:
//   (order, envelope)            -> "ok" or the refusal reason; a signed order
//   (ordgossip, [envelope...])      the same between miners
//   (close, market, cycle)          the quotation phase of a cycle is over
//   (cycleq, first market, end market, cycle)
//                                -> fixed_order_sets: the order sets the chain
//                                   fixed for markets [first, end), each in
//                                   canonical order, with each market's count;
//                                   complete only when all of them are
//   (account, key)               -> (balance_uc, held_uc, nonce)
//   (headnonce, key)             -> (height, nonce)
//   (balances, [key...])         -> [balance...] one per key
//   (openctps)                   -> (open CTPs, highest expiry height)
//   (expired)                    -> [key...] buyers holding a CTP a timeout may end now
//   (ctps, buyer key)            -> [open_ctp...]
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
//   (query, path, request bytes) -> (true, answer bytes) or (false, the refusal):
//                                   a question about the head state in the
//                                   application's encoding (energy_application::query)
//   (subscribe)                     the sender gets every event of the chain
//                                   from now on, as (event, height, kind, data):
//                                   data is the event's canonical bytes
//                                   (block_committed: node/application.hpp;
//                                   the chain's own: chain/energy/events.hpp)
// To prosumers:
//   (bid, cycle)                 -> order envelope (submitted to its miner)
//   (outcome, outcome_notice)    -> [CTP transaction id...] it submitted, their
//                                   expiries counted from the notice's height
//   (expire)                     -> [timeout transaction id...] for its expired CTPs
//   (history)                    -> [outcome_record...] its outcomes so far
//   (balance)                    -> (balance_uc, held_uc) as its miner's chain has them
// To smart meters:
//   (read, meter_read)           -> [settlement transaction id], none when it does not report
// To the DSO:
//   (publish)                    -> [transaction id...] its charge, penalty and grid version
//   (gridchg, change)            -> [transaction id] of the grid update; `change` is
//                                   the scenario's grid-change command ("open L12")
//   (summary, cycle, [channel_row...]) -> rows written (all markets at once)
// Thread-safety: declarations only.

#include <caf/all.hpp>

namespace voltaic::agents {

using order_atom = caf::atom_constant<caf::atom("order")>;
using ordgossip_atom = caf::atom_constant<caf::atom("ordgossip")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using cycleq_atom = caf::atom_constant<caf::atom("cycleq")>;
using account_atom = caf::atom_constant<caf::atom("account")>;
using headnonce_atom = caf::atom_constant<caf::atom("headnonce")>;
using ctps_atom = caf::atom_constant<caf::atom("ctps")>;
using balances_atom = caf::atom_constant<caf::atom("balances")>;
using openctps_atom = caf::atom_constant<caf::atom("openctps")>;
using expired_atom = caf::atom_constant<caf::atom("expired")>;
using step_atom = caf::atom_constant<caf::atom("step")>;
using reached_atom = caf::atom_constant<caf::atom("reached")>;
using pooled_atom = caf::atom_constant<caf::atom("pooled")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using ordcount_atom = caf::atom_constant<caf::atom("ordcount")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using peercount_atom = caf::atom_constant<caf::atom("peercount")>;
using bid_atom = caf::atom_constant<caf::atom("bid")>;
using outcome_atom = caf::atom_constant<caf::atom("outcome")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using history_atom = caf::atom_constant<caf::atom("history")>;
using balance_atom = caf::atom_constant<caf::atom("balance")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using gridchg_atom = caf::atom_constant<caf::atom("gridchg")>;
using summary_atom = caf::atom_constant<caf::atom("summary")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using event_atom = caf::atom_constant<caf::atom("event")>;

}  // namespace voltaic::agents
