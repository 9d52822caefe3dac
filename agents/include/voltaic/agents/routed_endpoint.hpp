#pragma once
// A participant's end of the backbone (spec/protocols.md section 4): it
// associates its key with the router serving it (signing the association),
// seals what its owner sends to the destination's key and hands the
// envelope to that router, and opens what is delivered to it. When its
// router goes away it associates with the range's standby. The owner (a
// negotiating agent) sees plaintext only; routers see sealed boxes only.
// Messages:
//   (send, destination, plaintext) -> "ok" once delivered, or why not
//                                     ("undeliverable: ..." from the backbone)
//   (deliver, destination, sealed) -> "ok", or "not-for-this-key" (from a router)
//   (routers, [actor...])             the routers by table index (again after
//                                     a restart elsewhere: it re-associates)
//   (inbox)                        -> [plaintext...] delivered so far, when it
//                                     has no owner
//   (associated)                   -> the index of the router it is associated with
// To its owner: (routed, plaintext) for each envelope opened.
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "voltaic/agents/routing_table.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

using send_atom = caf::atom_constant<caf::atom("send")>;
using routed_atom = caf::atom_constant<caf::atom("routed")>;
using inbox_atom = caf::atom_constant<caf::atom("inbox")>;
using associated_atom = caf::atom_constant<caf::atom("assocd")>;

struct routed_endpoint_config {
  std::string name;
  chain::key_pair key;
  std::string chain_id;
  routing_table table;
  std::vector<caf::actor> routers;  // by table index
  caf::actor owner;                 // gets what arrives; none: kept for (inbox)
};

caf::actor spawn_routed_endpoint(caf::actor_system& system, const routed_endpoint_config& config);

}  // namespace voltaic::agents
