#include "voltaic/agents/protocol.hpp"

#include "voltaic/agents/bilateral_trader.hpp"
#include "voltaic/agents/carbon_participant.hpp"
#include "voltaic/agents/lab_roster.hpp"

namespace voltaic::agents {

void register_protocol(caf::actor_system_config& cfg) {
  cfg.add_message_type<bytes32>("voltaic.bytes32");
  cfg.add_message_type<order_counts>("voltaic.order_counts");
  cfg.add_message_type<outcome_record>("voltaic.outcome_record");
  cfg.add_message_type<meter_read>("voltaic.meter_read");
  cfg.add_message_type<phase_start>("voltaic.phase_start");
  cfg.add_message_type<phase_done>("voltaic.phase_done");
  cfg.add_message_type<cycle_summary>("voltaic.cycle_summary");
  cfg.add_message_type<lab_roster>("voltaic.lab_roster");
  cfg.add_message_type<carbon_outcome>("voltaic.carbon_outcome");
  cfg.add_message_type<deal_report>("voltaic.deal_report");
  cfg.add_message_type<std::vector<carbon_outcome>>("voltaic.carbon_outcomes");
}

const char* to_string(phase p) {
  switch (p) {
    case phase::quotation: return "quotation";
    case phase::matching: return "matching";
    case phase::feedback: return "feedback";
    case phase::settlement: return "settlement";
    case phase::record: return "record";
    case phase::expiry: return "expiry";
  }
  return "?";
}

}  // namespace voltaic::agents
