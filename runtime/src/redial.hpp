#pragma once
// Dialling again an address whose actor went away (a validator's process
// died or its connection broke), with backoff from 100 ms doubling to a cap,
// until it answers (hostile test F13). Used by the load client and by the
// watch that gives agents their validators back.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

namespace voltaic::runtime {

struct endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::chrono::milliseconds backoff{100};
  bool connecting = false;
};

// After the endpoint's backoff, `self` receives (DialAtom, slot) and should
// call dial() for that slot. Once per loss: a dial already planned stands.
template <class DialAtom, class Self>
void dial_later(Self* self, endpoint& e, std::uint64_t slot) {
  if (e.connecting) return;
  e.connecting = true;
  self->delayed_send(self, e.backoff, DialAtom::value, slot);
}

// Connects to the endpoint of `slot` (endpoint_of(slot) finds it in the
// actor's state); on success `found(actor)`, else another try after twice
// the wait, up to `cap`.
template <class DialAtom, class Self, class EndpointOf, class Found>
void dial(Self* self, EndpointOf endpoint_of, std::uint64_t slot, std::chrono::milliseconds cap, Found found) {
  auto retry = [self, endpoint_of, slot, cap] {
    endpoint& e = endpoint_of(slot);
    e.backoff = std::min(e.backoff * 2, cap);
    self->delayed_send(self, e.backoff, DialAtom::value, slot);
  };
  const endpoint& e = endpoint_of(slot);
  self->request(self->system().middleman().actor_handle(), std::chrono::seconds(2), caf::connect_atom::value, e.host,
                e.port)
      .then(
          [endpoint_of, slot, found, retry](const caf::node_id&, caf::strong_actor_ptr& ptr,
                                            const std::set<std::string>&) mutable {
            if (!ptr) return retry();
            endpoint& ep = endpoint_of(slot);
            ep.connecting = false;
            ep.backoff = std::chrono::milliseconds(100);
            found(caf::actor_cast<caf::actor>(ptr));
          },
          [retry](caf::error&) { retry(); });
}

}  // namespace voltaic::runtime
