#include <map>
#include <mutex>

#include "voltaic/chain/node/store.hpp"

namespace voltaic::chain {

namespace {

class memory_store final : public chain_store {
 public:
  result<std::optional<std::uint64_t>> head_height() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (blocks_.empty()) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>(blocks_.rbegin()->first);
  }
  result<std::optional<bytes>> block_bytes(std::uint64_t height) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = blocks_.find(height);
    if (it == blocks_.end()) return std::optional<bytes>{};
    return std::optional<bytes>(it->second);
  }
  result<std::optional<std::uint64_t>> height_of(const hash256& block_hash) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = heights_.find(block_hash);
    if (it == heights_.end()) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>(it->second);
  }
  result<std::optional<tx_location>> find_tx(const hash256& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = txs_.find(id);
    if (it == txs_.end()) return std::optional<tx_location>{};
    return std::optional<tx_location>(it->second);
  }
  status for_each_record(const record_visitor& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, entry] : records_)
      if (auto s = visit(entry.first, key, entry.second); !s) return s;
    return {};
  }
  result<store_space> space() override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::uint64_t n = 0;
    for (const auto& [h, b] : blocks_) n += 8 + b.size();
    for (const auto& [k, v] : records_) n += k.size() + v.second.size();
    n += heights_.size() * 40 + txs_.size() * 44;
    return store_space{n, n};
  }
  status commit(const block& b, const bytes& encoded, const state_changes& changes) override {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_[b.header.height] = encoded;
    heights_[b.hash] = b.header.height;
    for (std::size_t i = 0; i < b.item_count(); ++i)
      txs_[entry_id(b.item(i))] = {b.header.height, static_cast<std::uint32_t>(i)};
    for (const auto& c : changes) {
      if (c.value) records_[c.key] = {c.table, *c.value};
      else records_.erase(c.key);
    }
    return {};
  }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, bytes> blocks_;
  std::map<hash256, std::uint64_t> heights_;
  std::map<hash256, tx_location> txs_;
  std::map<bytes, std::pair<state_table, bytes>> records_;
};

}  // namespace

std::unique_ptr<chain_store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace voltaic::chain
