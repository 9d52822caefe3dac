#pragma once
// A backbone router (spec/protocols.md section 4): it serves a range of the
// public-key space (routing_table.hpp), takes associations of participants
// for keys of its range (or of a range it stands by for), and carries
// envelopes {destination key, sealed box}: to the participant associated
// here, or on prefix to the router serving the destination. It learns only
// where an envelope goes. An envelope it cannot deliver is answered with
// "undeliverable: why", never dropped. When a router is gone (its actor
// down) the others send its range to its standby, where the participants
// re-associate (routed_endpoint.hpp).
// Messages:
//   (routers, [actor...])                 the routers by table index (or
//                                          (peers, [actor...]), as validators hear it)
//   (associate, key, counter, sig, who) -> "ok" or why not: envelopes for
//                                          `key` go to `who` from now on. sig:
//                                          the key's signature (routing
//                                          domain) over association_message;
//                                          counter above any it used here
//   (route, destination, sealed)        -> "ok" once delivered, or
//                                          "undeliverable: why"
//   (relay, destination, sealed)        -> the same between routers: delivered
//                                          here or not at all
// To participants: (deliver, destination, sealed) -> "ok" or why not.
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "voltaic/agents/routing_table.hpp"
#include "voltaic/chain/core/hash.hpp"

namespace voltaic::agents {

using routers_atom = caf::atom_constant<caf::atom("routers")>;
using associate_atom = caf::atom_constant<caf::atom("associate")>;
using route_atom = caf::atom_constant<caf::atom("route")>;
using relay_atom = caf::atom_constant<caf::atom("relay")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;

struct backbone_router_config {
  std::size_t index = 0;  // its place in the table
  routing_table table;
  std::string chain_id;  // associations are signed for this lab
  // Sees the bytes of every envelope as they arrive (tests show a router
  // learns nothing but the destination).
  std::function<void(const chain::public_key& destination, const std::string& sealed)> tap;
};

// What a participant signs to associate `key` with router `router`.
chain::bytes association_message(const chain::public_key& key, std::uint64_t router, std::uint64_t counter);

caf::actor spawn_backbone_router(caf::actor_system& system, const backbone_router_config& config);

}  // namespace voltaic::agents
