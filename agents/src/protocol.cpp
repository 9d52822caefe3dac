#include "voltaic/agents/protocol.hpp"

namespace voltaic::agents {

void register_protocol(caf::actor_system_config& cfg) {
  cfg.add_message_type<bytes32>("voltaic.bytes32");
  cfg.add_message_type<balance>("voltaic.balance");
  cfg.add_message_type<open_ctp>("voltaic.open_ctp");
  cfg.add_message_type<order_counts>("voltaic.order_counts");
  cfg.add_message_type<fixed_order_sets>("voltaic.fixed_order_sets");
  cfg.add_message_type<trade_due>("voltaic.trade_due");
  cfg.add_message_type<outcome_notice>("voltaic.outcome_notice");
  cfg.add_message_type<outcome_record>("voltaic.outcome_record");
  cfg.add_message_type<meter_read>("voltaic.meter_read");
  cfg.add_message_type<channel_row>("voltaic.channel_row");
}

}  // namespace voltaic::agents
