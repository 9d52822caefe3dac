#pragma once
// The seam between the node and what a chain is for, in the spirit of
// CometBFT's ABCI: the node (node::validator) runs consensus, admission
// order, gossip, catch-up and pacing; the application checks transactions,
// prepares and processes proposals, executes and commits decided blocks, and
// keeps its replica and pool. The electricity chain (energy_application.hpp)
// is one application; tests/chain/kv_application.hpp is another.
//
// Admission has two lanes: transactions (which enter the application's pool
// and blocks) and messages (signed data the application carries in
// proposals without pooling them, such as the electricity chain's orders).
// A batch is checked without state first, on any thread and in parallel
// (check), then admitted in order on the owner's thread (admit).
// Thread-safety: check() may run on several threads at once for distinct
// slots of one batch; every other member is called by the owner only.

#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/chain/node/store.hpp"
#include "voltaic/chain/node/verified_set.hpp"

namespace voltaic::chain::node {

enum class lane : std::uint8_t { transactions = 0, messages = 1 };

struct admission_batch {
  lane what = lane::transactions;
  std::vector<bytes> envelopes;
  // What the application checked already (a memo), read while checking.
  std::shared_ptr<const verified_set> known;
  // More the application checked already, in its own terms (the electricity
  // chain: meters' certificates), read while checking.
  std::shared_ptr<const verified_set> known_more;
  // One slot per envelope, filled by application::check.
  std::vector<std::any> checked;
};

// How the next proposal is built.
struct proposal_options {
  std::uint64_t time_ms = 0;      // what the block carries
  std::size_t max_txs = 2'000;    // from the pool
  bool canonical = false;         // pool in canonical order (the simulated clock)
  const std::vector<hash256>* selection = nullptr;  // only these pooled transactions
};

// A fact a committed block established, for whoever follows the chain
// (agents act on these rather than on a driver's calls): what happened, in
// the application's words, and its fields in the application's canonical
// encoding.
struct event {
  std::uint64_t height = 0;
  std::string kind;
  bytes data;
};

// A block the application committed: its hash, where each of its entries is
// indexed, and the events it gives rise to, in order.
struct committed_block {
  std::uint64_t height = 0;
  hash256 hash{};
  std::vector<hash256> entry_ids;
  std::vector<event> events;
};

// The node's own event, before the application's of the same block:
//   "block_committed" = [height, block hash, entry count]
inline constexpr const char* block_committed_kind = "block_committed";
struct block_committed_event {
  std::uint64_t height = 0;
  hash256 hash{};
  std::uint64_t entries = 0;
};
event make_event(const block_committed_event& e);
// Refuses an event of another kind or with damaged fields.
result<block_committed_event> read_block_committed(const event& e);

class application {
 public:
  virtual ~application() = default;

  // --- admission
  // On the owner's thread, before the batch goes to be checked.
  virtual void prepare_check(admission_batch& b) = 0;
  // Fills b.checked[i]; never touches state.
  virtual void check(admission_batch& b, std::size_t i) const = 0;
  // Admits a checked batch in order: "ok" or why not, per envelope.
  virtual std::vector<std::string> admit(admission_batch& b) = 0;
  virtual bool pooled(const hash256& id) const = 0;
  virtual std::size_t pool_size() const = 0;

  // --- the replica
  virtual std::uint64_t height() = 0;
  virtual hash256 head_hash() = 0;
  virtual std::optional<bytes> block_bytes(std::uint64_t height) = 0;
  virtual std::optional<tx_location> find_entry(const hash256& id) = 0;

  // --- consensus values
  // Builds the value this validator proposes at `height` (the next block).
  virtual bytes prepare_proposal(std::uint64_t height, const proposal_options& options) = 0;
  // Whether a peer's value at `height` is valid on the head state.
  virtual bool process_proposal(std::uint64_t height, const bytes& value) = 0;
  // The id consensus votes on.
  virtual hash256 value_id(const bytes& value) const = 0;
  // Executes and commits a decided value, the certificate attached.
  virtual result<committed_block> commit(const commit_record& decided) = 0;
  // Commits a certified block from a peer (its certificate checked already).
  virtual result<committed_block> commit_certified(const block& b) = 0;
  // A question about the head state, by path, with its arguments and answer
  // in the application's canonical encoding (cf. ABCI Query); a path it does
  // not know or arguments that do not decode are errors with a reason.
  virtual result<bytes> query(std::string_view path, const bytes& request) = 0;
  // A validator signed two votes: the application records it as it must
  // (the electricity chain: an evidence transaction of this validator's,
  // pooled). Returns the envelope to gossip, if any.
  virtual std::optional<bytes> report_equivocation(const equivocation& e) = 0;

  // What the application has to say since the last call (refused blocks,
  // voided transactions), for the host's log.
  std::vector<std::string> take_log() { return std::exchange(log_, {}); }

 protected:
  void log(std::string line) { log_.push_back(std::move(line)); }

 private:
  std::vector<std::string> log_;
};

}  // namespace voltaic::chain::node
