#pragma once
// Signed questions to a miner have their signatures checked here, on the
// scheduler's threads, so the validator's own thread only looks the answer
// up (private to agents/, used by the miner). A gate hands a question on to
// its miner with a token only gates of this process know: a message from
// elsewhere cannot pass as checked.
// Thread-safety: an actor; its state is immutable.

#include <caf/all.hpp>

#include <cstdint>
#include <string>

#include "voltaic/agents/messages.hpp"
#include "voltaic/chain/core/signed_query.hpp"

namespace voltaic::agents::detail {

using checkedq_atom = caf::atom_constant<caf::atom("checkedq")>;

inline caf::behavior query_gate(caf::event_based_actor* self, std::string chain_id, caf::actor_addr miner,
                                std::uint64_t token) {
  return {
      [self, chain_id, miner, token](query_atom, const std::string& path,
                                     const std::string& request) -> caf::result<bool, std::string> {
        auto q = chain::open_query(path, chain::bytes(request.begin(), request.end()), chain_id);
        if (!q) return {false, q.err().message};
        auto to = caf::actor_cast<caf::actor>(miner);
        if (!to) return {false, "the validator has stopped"};
        self->delegate(to, checkedq_atom::value, token, path, q.value().asker,
                       std::string(q.value().args.begin(), q.value().args.end()));
        return caf::delegated<bool, std::string>{};
      },
  };
}

}  // namespace voltaic::agents::detail
