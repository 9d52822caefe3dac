#include "voltaic/chain/energy/ledger.hpp"

namespace voltaic::chain {

namespace {
market::error inconsistent(const std::string& what) {
  return market::make_error(market::errc::io_error, "store-inconsistent: " + what);
}
}  // namespace

status ledger_rules::restore_genesis(ledger_state& st, const block& b0) {
  if (b0.entries.size() != 1) return inconsistent("block 0 is not a genesis block");
  auto g = decode_genesis(b0.entries[0].data(), b0.entries[0].size());
  if (!g) return g.err();
  st.genesis = std::move(g).value();
  return {};
}

status ledger_rules::check_head(const ledger_state& st, const block& head) {
  if (st.compute_ctp_db_hash() != head.header.ctp_db_hash)
    return inconsistent("the CTP table does not match the head's CTP hash");
  return {};
}

}  // namespace voltaic::chain
