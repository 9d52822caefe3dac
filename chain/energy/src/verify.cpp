#include "voltaic/chain/energy/verify.hpp"

#include <algorithm>

#include "voltaic/chain/energy/state_machine.hpp"
#include "voltaic/chain/node/certificate.hpp"

namespace voltaic::chain {

namespace {

verify_outcome bad(std::uint64_t height, std::string reason) {
  verify_outcome v;
  v.height = height;
  v.reason = std::move(reason);
  return v;
}

// The indexes must point back at this block and each of its entries and side records.
std::string check_indexes(chain_store& store, const block& b) {
  auto h = store.height_of(b.hash);
  if (!h) return h.err().message;
  if (!h.value() || *h.value() != b.header.height) return "bad-index-height: the hash index does not lead to this block";
  for (std::size_t i = 0; i < b.item_count(); ++i) {
    auto loc = store.find_tx(entry_id(b.item(i)));
    if (!loc) return loc.err().message;
    if (!loc.value() || loc.value()->height != b.header.height || loc.value()->index != i)
      return "bad-tx-index: entry " + std::to_string(i) + " is not indexed at this block";
  }
  return {};
}

}  // namespace

verify_outcome verify_chain(chain_store& store, const std::function<void(std::uint64_t)>& verified,
                            const verify_options& options) {
  auto head = store.head_height();
  if (!head) return bad(0, head.err().message);
  if (!head.value()) return bad(0, "store-empty: no blocks");
  ledger_state st;
  hash256 previous{};
  for (std::uint64_t h = 0; h <= *head.value(); ++h) {
    auto raw = store.block_bytes(h);
    if (!raw) return bad(h, raw.err().message);
    if (!raw.value()) return bad(h, "block-missing: no block at this height");
    auto b = decode_block(*raw.value());
    if (!b) return bad(h, b.err().message);
    if (b.value().header.height != h) return bad(h, "bad-block-height: the block says height " +
                                                     std::to_string(b.value().header.height));
    // Consensus fills certificates later; until then a block has none, and
    // an empty certificate with a round is damage.
    if (b.value().certificate.votes.empty() && b.value().certificate.round != 0)
      return bad(h, "bad-certificate: a round without votes");
    if (h > 0 && b.value().certificate.votes.empty() && options.require_certificates)
      return bad(h, "bad-certificate: the block has no commit certificate");
    if (h > 0 && !b.value().certificate.votes.empty()) {
      if (auto s = verify_certificate(b.value(), st.genesis.validators, st.genesis.chain_id); !s)
        return bad(h, s.err().message);
    }
    if (options.structure_only && h > 0) {
      if (b.value().header.prev_hash != previous) return bad(h, "bad-link: the block does not follow the one below it");
      if (entries_root(b.value().entries) != b.value().header.tx_root)
        return bad(h, "bad-tx-root: the entries do not give the header's transaction root");
      if (auto e = check_indexes(store, b.value()); !e.empty()) return bad(h, e);
      previous = b.value().hash;
      if (verified) verified(h);
      continue;
    }
    auto changes = h == 0 ? execute_genesis(st, b.value()) : execute_block(st, b.value(), {});
    if (!changes) return bad(h, changes.err().message);
    if (auto e = check_indexes(store, b.value()); !e.empty()) return bad(h, e);
    finish_block(st, b.value());
    previous = b.value().hash;
    if (verified) verified(h);
  }
  if (options.structure_only) {
    verify_outcome ok;
    ok.ok = true;
    ok.height = *head.value();
    ok.head_hash = previous;
    return ok;
  }
  state_changes stored;
  auto read = store.for_each_record([&](state_table t, const bytes& k, const bytes& v) {
    stored.push_back({t, k, v});
    return status{};
  });
  if (!read) return bad(st.height, read.err().message);
  std::sort(stored.begin(), stored.end(), [](const state_change& a, const state_change& b) { return a.key < b.key; });
  const state_changes replayed = st.all_records();
  if (stored != replayed) return bad(st.height, "state-mismatch: the stored state differs from the replayed chain");
  verify_outcome ok;
  ok.ok = true;
  ok.height = st.height;
  ok.head_hash = st.head_hash;
  return ok;
}

}  // namespace voltaic::chain
