// voltaic chain bench | verify | inspect.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/verify.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/market/report.hpp"
#include "voltaic/runtime/commands.hpp"
#include "in_child.hpp"
#include "store_check.hpp"

namespace voltaic::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

int run_chain_bench(const chain_bench_options& o, std::ostream& out, std::ostream& err) {
  if (o.dir.empty() || o.blocks == 0 || o.txs_per_block == 0) {
    err << "voltaic chain bench: --dir, --blocks and --txs-per-block must be given and positive\n";
    return 2;
  }
  chain::workload_options wo;
  wo.txs_per_block = o.txs_per_block;
  wo.validators = o.validators;
  wo.seed = o.seed;
  wo.spb_only = o.spb_only;
  wo.accounts = std::max<std::uint32_t>(64, o.txs_per_block);
  chain::workload wl(wo);

  // 1. A proposer builds the blocks in memory.
  auto t0 = clock_type::now();
  auto proposer = chain::ledger::open(chain::make_memory_store(), &wl.genesis());
  if (!proposer) {
    err << "voltaic chain bench: " << proposer.err().message << "\n";
    return 1;
  }
  struct made {
    chain::block blk;
    std::vector<chain::signed_transaction> ercs;
  };
  std::vector<made> blocks;
  std::uint64_t txs = 0, trades = 0, trade_bytes = 0, rejected = 0;
  for (std::uint64_t i = 0; i < o.blocks; ++i) {
    const auto& st = proposer.value()->state();
    auto candidates = wl.next_block(st);
    const std::uint64_t height = st.height + 1;
    auto built = proposer.value()->propose(candidates, wl.genesis().time_ms + height * 1000, wl.proposer(height).pub);
    if (!built) {
      err << "voltaic chain bench: " << built.err().message << "\n";
      return 1;
    }
    rejected += built.value().rejected.size();
    for (const auto& e : built.value().blk.entries) {
      if (chain::is_receipt_entry(e)) ++trades;
      trade_bytes += e.size();
    }
    txs += built.value().blk.item_count();  // CTPs travel as side records
    blocks.push_back({std::move(built.value().blk), std::move(built.value().ercs)});
  }
  const double generate_s = seconds_since(t0);

  // 2. A replica on disk executes and commits every block, durably.
  auto store = chain::open_lmdb_store(o.dir);
  if (!store) {
    err << "voltaic chain bench: " << store.err().message << "\n";
    return 1;
  }
  auto replica = chain::ledger::open(std::move(store).value(), &wl.genesis());
  if (!replica) {
    err << "voltaic chain bench: " << replica.err().message << "\n";
    return 1;
  }
  if (replica.value()->state().height != 0) {
    err << "voltaic chain bench: " << o.dir << " already holds a chain; give an empty directory\n";
    return 2;
  }
  chain::block_options strict;
  strict.require_erc_witness = true;
  auto t1 = clock_type::now();
  for (const auto& m : blocks) {
    if (auto s = replica.value()->append(m.blk, m.ercs, strict); !s) {
      err << "voltaic chain bench: block " << m.blk.header.height << ": " << s.err().message << "\n";
      return 1;
    }
  }
  const double apply_s = seconds_since(t1);

  // 3. The floor: verifying every transaction signature once, same run
  //    (decoded beforehand, so only Ed25519 is timed).
  std::vector<chain::signed_transaction> decoded;
  for (const auto& m : blocks) {
    for (std::size_t i = 0; i < m.blk.item_count(); ++i) {
      const auto& item = m.blk.item(i);
      if (!chain::is_receipt_entry(item)) decoded.push_back(std::move(chain::decode_envelope(item).value()));
    }
    decoded.insert(decoded.end(), m.ercs.begin(), m.ercs.end());
  }
  auto t2 = clock_type::now();
  std::uint64_t verified = 0;
  for (const auto& stx : decoded) verified += chain::signature_valid(stx, wl.genesis().chain_id);
  const double verify_s = seconds_since(t2);

  // 4. Signing the same payloads once more, for the raw pipeline limit.
  const chain::key_pair signer = chain::key_pair_from_seed({});
  auto t3 = clock_type::now();
  for (const auto& stx : decoded) (void)chain::sign(chain::domain::transaction, wl.genesis().chain_id, stx.payload, signer);
  const double sign_s = seconds_since(t3);

  // Signatures the replica checked: one per transaction, plus the two of
  // each CoE the first time it is seen.
  std::set<chain::hash256> coes;
  for (const auto& m : blocks)
    for (const auto& e : m.ercs)
      if (const auto* coe = chain::coe_of(e.tx)) coes.insert(chain::coe_id(*coe));
  const std::uint64_t signatures = txs + 2 * coes.size();
  const double apply_rate = static_cast<double>(txs) / apply_s;
  const double apply_sig_rate = static_cast<double>(signatures) / apply_s;
  const double verify_rate = static_cast<double>(verified) / verify_s;
  out << "chain bench: " << o.blocks << " blocks x " << o.txs_per_block << " transactions, " << o.validators
      << " validator(s), into " << o.dir << "\n";
  out << "generated and proposed " << txs << " signed transactions in " << fixed(generate_s, 2) << " s ("
      << rejected << " rejected)\n";
  out << "apply-and-commit: " << fixed(apply_s, 3) << " s, " << fixed(apply_rate, 0)
      << " tx/s (signatures verified once, durable sync per block)\n";
  out << "raw Ed25519 verification of the same transactions: " << fixed(verify_rate, 0)
      << " verifications/s\n";
  out << "signatures checked while applying: " << signatures << " (" << coes.size()
      << " CoEs, two each), " << fixed(apply_sig_rate, 0) << " /s = " << fixed(100.0 * apply_sig_rate / verify_rate, 1)
      << " % of the raw rate; per transaction " << fixed(100.0 * apply_rate / verify_rate, 1) << " %\n";
  if (o.replicas > 0) {
    // Every transaction signed once and applied (verified, executed, committed
    // durably) by every replica, all cores busy, nothing else.
    const double sign_us = 1e6 * sign_s / static_cast<double>(decoded.size());
    const double apply_us = 1e6 * apply_s / static_cast<double>(txs);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const double limit = 1e6 * cores / (sign_us + o.replicas * apply_us);
    out << "raw pipeline limit: " << fixed(limit, 0) << " tx/s for " << o.replicas << " replica(s) on " << cores
        << " core(s) (sign " << fixed(sign_us, 1) << " us + " << o.replicas << " x apply-and-commit "
        << fixed(apply_us, 1) << " us per transaction)\n";
  }
  auto space = replica.value()->store().space();
  if (space && trades > 0)
    out << "SPB trades confirmed: " << trades << "; on disk " << space.value().file_bytes << " bytes ("
        << space.value().live_bytes << " live, the rest LMDB free pages kept for reuse), "
        << fixed(static_cast<double>(space.value().file_bytes) / static_cast<double>(trades), 0) << " bytes per trade ("
        << fixed(static_cast<double>(space.value().live_bytes) / static_cast<double>(trades), 0) << " live)\n";
  if (o.spb_only && trades > 0)
    out << "block bytes per trade (CTP + receipt): "
        << fixed(static_cast<double>(trade_bytes) / static_cast<double>(trades), 0) << "\n";
  const auto& st = replica.value()->state();
  out << "head " << st.height << " " << chain::to_hex(st.head_hash) << "\n";
  return 0;
}

namespace {

// Runs the verification in a child process so that a store damaged badly
// enough to crash the LMDB reader is still a reported error, never a crash
// of this command. The child publishes the next height to verify.
int verify_in_child(const std::string& dir, std::ostream& out, std::ostream& err) {
  if (const auto why = why_no_store(dir); !why.empty()) {
    out << "bad height 0: " << why << "\n";
    return 1;
  }
  out.flush();
  err.flush();
  const child_outcome c = run_in_child([&](std::ostream& o, std::ostream&, const auto& publish) {
    chain::lmdb_options ro;
    ro.read_only = true;
    auto store = chain::open_lmdb_store(dir, ro);
    if (!store) {
      o << "bad height 0: " << store.err().message << "\n";
      return 1;
    }
    auto v = chain::verify_chain(*store.value(), [&](std::uint64_t h) { publish(h + 1); });
    if (!v.ok) {
      o << "bad height " << v.height << ": " << v.reason << "\n";
      return 1;
    }
    o << "ok " << v.height << " " << chain::to_hex(v.head_hash) << "\n";
    return 0;
  });
  if (!c.crashed) {
    out << c.out;
    err << c.err;
    return c.code;
  }
  out << "bad height " << c.progress << ": store-corrupt: reading the store failed; " << crash_text(c) << "\n";
  return 1;
}

}  // namespace

int run_chain_verify(const std::string& dir, std::ostream& out, std::ostream& err) {
  return verify_in_child(dir, out, err);
}

}  // namespace voltaic::runtime
