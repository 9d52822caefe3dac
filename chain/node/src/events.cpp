#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/node/application.hpp"

namespace voltaic::chain::node {

template <class Io>
void fields(Io& io, block_committed_event& e) {
  io.array(3);
  io(e.height);
  io(e.hash);
  io(e.entries);
}

event make_event(const block_committed_event& e) { return event{e.height, block_committed_kind, encode_fields(e)}; }

result<block_committed_event> read_block_committed(const event& e) {
  if (e.kind != block_committed_kind)
    return chain_error("wrong-event", "a '" + e.kind + "' event is not " + block_committed_kind);
  return decode_fields<block_committed_event>(e.data);
}

}  // namespace voltaic::chain::node
