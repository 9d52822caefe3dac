#pragma once
// A second application for the node, to show the seam holds: a key-value
// chain. A transaction is the text "key=value" (unsigned: this is a test
// application); a block's entries are those texts, applied in order; the
// state lives in an in-memory chain_store as records keyed by the key, and
// waiting transactions in the node's tx_pool (each its own sender). It uses
// only chain/core and chain/node.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/node/application.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/certificate.hpp"
#include "voltaic/chain/node/state_changes.hpp"
#include "voltaic/chain/node/store.hpp"
#include "voltaic/chain/node/tx_pool.hpp"

namespace voltaic::test {

class kv_application final : public chain::node::application {
 public:
  kv_application(std::string chain_id, std::vector<chain::validator> validators, chain::public_key me)
      : chain_id_(std::move(chain_id)), validators_(std::move(validators)), me_(me) {
    // Block 0 carries nothing but the chain's identity.
    chain::block b0;
    b0.header.chain_id = chain_id_;
    b0.header.validator_set_hash = chain::validator_set_hash(validators_);
    b0.header.tx_root = chain::entries_root(b0.entries);
    chain::seal(b0);
    (void)store_->commit(b0, chain::encode_block(b0), {});
    head_ = b0.hash;
  }

  void prepare_check(chain::node::admission_batch&) override {}
  void check(chain::node::admission_batch& b, std::size_t i) const override {
    if (auto kv = parse(b.envelopes[i])) b.checked[i] = *kv;
  }
  std::vector<std::string> admit(chain::node::admission_batch& b) override {
    std::vector<std::string> verdicts;
    for (std::size_t i = 0; i < b.envelopes.size(); ++i) {
      const auto id = chain::blake2b_256(b.envelopes[i].data(), b.envelopes[i].size());
      if (!b.checked[i].has_value()) {
        verdicts.push_back("decode: not key=value");
      } else {
        const auto s = pool_.add(entry{id, b.envelopes[i]}, id, 0);
        verdicts.push_back(s ? std::string("ok") : s.err().message);
      }
    }
    return verdicts;
  }
  bool pooled(const chain::hash256& id) const override { return pool_.contains(id); }
  std::size_t pool_size() const override { return pool_.size(); }

  std::uint64_t height() override { return height_; }
  chain::hash256 head_hash() override { return head_; }
  std::optional<chain::bytes> block_bytes(std::uint64_t h) override {
    auto raw = store_->block_bytes(h);
    return raw && raw.value() ? raw.value() : std::nullopt;
  }
  std::optional<chain::tx_location> find_entry(const chain::hash256& id) override {
    auto loc = store_->find_tx(id);
    return loc && loc.value() ? loc.value() : std::nullopt;
  }

  chain::bytes prepare_proposal(std::uint64_t h, const chain::node::proposal_options& o) override {
    chain::block b;
    b.header.chain_id = chain_id_;
    b.header.height = h;
    b.header.prev_hash = head_;
    b.header.time_ms = o.time_ms;
    b.header.proposer = me_;
    b.header.validator_set_hash = chain::validator_set_hash(validators_);
    for (auto& e : pool_.take_canonical(o.max_txs)) b.entries.push_back(std::move(e.text));
    b.header.tx_root = chain::entries_root(b.entries);
    b.header.state_root = chain::next_state_root(state_root_, changes_of(b.entries));
    chain::seal(b);
    return chain::encode_block(b);
  }
  bool process_proposal(std::uint64_t h, const chain::bytes& value) override {
    auto b = chain::decode_block(value);
    if (!b || b.value().header.height != h || b.value().header.prev_hash != head_) return false;
    for (const auto& e : b.value().entries)
      if (!parse(e)) return false;
    return b.value().header.tx_root == chain::entries_root(b.value().entries) &&
           b.value().header.state_root == chain::next_state_root(state_root_, changes_of(b.value().entries));
  }
  chain::hash256 value_id(const chain::bytes& value) const override {
    auto b = chain::decode_block(value);
    return b ? b.value().hash : chain::hash256{};
  }
  chain::result<chain::node::committed_block> commit(const chain::commit_record& decided) override {
    auto b = chain::decode_block(decided.value);
    if (!b) return b.err();
    b.value().certificate = chain::certificate_of(decided);
    return apply(b.value());
  }
  chain::result<chain::node::committed_block> commit_certified(const chain::block& b) override {
    if (!process_proposal(b.header.height, chain::encode_block(b))) return chain::chain_error("bad-block", "refused");
    return apply(b);
  }
  std::optional<chain::bytes> report_equivocation(const chain::equivocation& e) override {
    log("validator " + std::to_string(e.first.voter) + " equivocated (a key-value chain keeps no evidence)");
    return std::nullopt;
  }

  // "get" [key] -> [present, value]
  chain::result<chain::bytes> query(std::string_view path, const chain::bytes& request) override {
    if (path != "get") return chain::chain_error("unknown-query", std::string(path));
    auto d = chain::decoder::open(request);
    if (!d) return d.err();
    chain::detail::field_reader r(d.value());
    r.array(1);
    const std::string key = r.str();
    if (auto s = r.finish(); !s) return s.err();
    const auto value = get(key);
    chain::encoder e;
    e.array(2).boolean(value.has_value()).str(value.value_or(""));
    return e.take();
  }

  std::optional<std::string> get(const std::string& key) const {
    auto it = state_.find(key);
    if (it == state_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static std::optional<std::pair<std::string, std::string>> parse(const chain::bytes& e) {
    const std::string text(e.begin(), e.end());
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
  }
  // The last value of each key the entries set, in key order.
  static chain::state_changes changes_of(const std::vector<chain::bytes>& entries) {
    std::map<std::string, std::string> last;
    for (const auto& e : entries)
      if (auto kv = parse(e)) last[kv->first] = kv->second;
    chain::state_changes changes;
    for (const auto& [k, v] : last)
      changes.push_back({chain::state_table::state, chain::bytes(k.begin(), k.end()), chain::bytes(v.begin(), v.end())});
    return changes;
  }
  chain::result<chain::node::committed_block> apply(const chain::block& b) {
    const auto changes = changes_of(b.entries);
    if (auto s = store_->commit(b, chain::encode_block(b), changes); !s) return s.err();
    chain::node::committed_block done{b.header.height, b.hash, {}, {}};
    for (const auto& e : b.entries) {
      const auto kv = parse(e);
      state_[kv->first] = kv->second;
      done.entry_ids.push_back(chain::entry_id(e));
    }
    pool_.drop(done.entry_ids);
    state_root_ = b.header.state_root;
    height_ = b.header.height;
    head_ = b.hash;
    return done;
  }

  std::string chain_id_;
  std::vector<chain::validator> validators_;
  chain::public_key me_;
  std::unique_ptr<chain::chain_store> store_ = chain::make_memory_store();
  struct entry {
    chain::hash256 id;
    chain::bytes text;
  };
  chain::node::tx_pool<entry> pool_;
  std::map<std::string, std::string> state_;
  std::uint64_t height_ = 0;
  chain::hash256 head_{};
  chain::hash256 state_root_{};
};

}  // namespace voltaic::test
