#pragma once
// The carbon side chain as an application of the generic node
// (chain/node/application.hpp): its own genesis, validators and block
// interval (the validator's timing), blocks whose entries are carbon
// transactions, whose transaction root is H(EOC root || TOC root) and whose
// state root is the carbon ledger's state hash after them. A proposal holds
// only transactions that apply in order on the head state; a peer's
// proposal is re-executed and refused unless its roots match. Blocks go to a
// chain_store (LMDB or memory); the ledger is rebuilt from them on open —
// the chain is slow, a period's blocks are few.
// Queries: "balance" [participant, period] -> [kg]; "quota" [pvp, year] ->
// [found, estimate_kg, check_kg, corrected]; "auction" [period] -> the
// result body the state gives now; "recorded" [period] -> the result body
// the chain recorded (decode_auction_result), "not-recorded" without one.
// Thread-safety: as node::application (one owner).

#include <memory>
#include <string>
#include <vector>

#include "voltaic/chain/carbon/carbon_ledger.hpp"
#include "voltaic/chain/node/application.hpp"
#include "voltaic/chain/node/store.hpp"
#include "voltaic/chain/node/tx_pool.hpp"
#include "voltaic/chain/node/validator_set.hpp"

namespace voltaic::chain::carbon {

class carbon_application final : public node::application {
 public:
  // Replays the blocks `store` holds; an empty store gets block 0.
  static result<std::unique_ptr<carbon_application>> open(carbon_genesis genesis, std::vector<validator> validators,
                                                          public_key me, std::unique_ptr<chain_store> store);

  void prepare_check(node::admission_batch& b) override;
  void check(node::admission_batch& b, std::size_t i) const override;
  std::vector<std::string> admit(node::admission_batch& b) override;
  bool pooled(const hash256& id) const override { return pool_.contains(id); }
  std::size_t pool_size() const override { return pool_.size(); }

  std::uint64_t height() override { return height_; }
  hash256 head_hash() override { return head_; }
  std::optional<bytes> block_bytes(std::uint64_t height) override;
  std::optional<tx_location> find_entry(const hash256& id) override;

  bytes prepare_proposal(std::uint64_t height, const node::proposal_options& options) override;
  bool process_proposal(std::uint64_t height, const bytes& value) override;
  hash256 value_id(const bytes& value) const override;
  result<node::committed_block> commit(const commit_record& decided) override;
  result<node::committed_block> commit_certified(const block& b) override;
  result<bytes> query(std::string_view path, const bytes& request) override;
  std::optional<bytes> report_equivocation(const equivocation& e) override;

  const carbon_ledger& ledger() const { return ledger_; }

 private:
  carbon_application(carbon_genesis genesis, std::vector<validator> validators, public_key me,
                     std::unique_ptr<chain_store> store);
  // Applies a block's entries to `l`: false if one is refused or damaged.
  bool execute(carbon_ledger& l, const block& b, std::vector<signed_carbon_transaction>* decoded) const;
  result<node::committed_block> apply(const block& b);

  struct pooled_tx {
    hash256 id;
    bytes envelope;
  };
  std::string chain_id_;
  std::vector<validator> validators_;
  public_key me_{};
  std::unique_ptr<chain_store> store_;
  carbon_ledger ledger_;
  carbon_ledger pending_;  // the head state with every waiting transaction applied
  node::tx_pool<pooled_tx> pool_;
  std::uint64_t height_ = 0;
  hash256 head_{};
};

}  // namespace voltaic::chain::carbon
