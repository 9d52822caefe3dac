#include "voltaic/chain/energy/events.hpp"

#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

template <class Io>
void fields(Io& io, cycle_fixed_event& e) {
  io.array(3);
  io(e.market);
  io(e.cycle);
  io(e.order_count);
}

node::event make_event(std::uint64_t height, const cycle_fixed_event& e) {
  return node::event{height, cycle_fixed_kind, encode_fields(e)};
}

result<cycle_fixed_event> read_cycle_fixed(const node::event& e) {
  if (e.kind != cycle_fixed_kind) return chain_error("wrong-event", "a '" + e.kind + "' event is not " + cycle_fixed_kind);
  return decode_fields<cycle_fixed_event>(e.data);
}

}  // namespace voltaic::chain
