// Chain primitives (issue 3): Ed25519 sign and verify with domain separation,
// BLAKE2b-256, Merkle roots, canonical encode/decode of records and of real
// transactions. Apply-and-commit throughput is `voltaic chain bench`.
#include <benchmark/benchmark.h>

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/core/merkle.hpp"
#include "voltaic/chain/energy/state_machine.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/energy/transaction.hpp"

using namespace voltaic::chain;

namespace {

const bytes message(200, 0x5a);  // about the size of a signed transaction body

void BM_ed25519_sign(benchmark::State& state) {
  const key_pair k = generate_key_pair();
  for (auto _ : state) benchmark::DoNotOptimize(sign(domain::transaction, "voltaic-main", message, k));
  state.SetItemsProcessed(state.iterations());
}

void BM_ed25519_verify(benchmark::State& state) {
  const key_pair k = generate_key_pair();
  const auto sig = sign(domain::transaction, "voltaic-main", message, k);
  for (auto _ : state) benchmark::DoNotOptimize(verify(domain::transaction, "voltaic-main", message, sig, k.pub));
  state.SetItemsProcessed(state.iterations());
}

void BM_blake2b_256(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(blake2b_256(message));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}

void BM_merkle_root(benchmark::State& state) {
  std::vector<hash256> leaves;
  for (std::int64_t i = 0; i < state.range(0); ++i) leaves.push_back(merkle_leaf(bytes{static_cast<std::uint8_t>(i)}));
  for (auto _ : state) benchmark::DoNotOptimize(merkle_root(leaves));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

bytes sample_encoding() {
  encoder e;
  e.array(8).uint(1).bin(bytes(32, 1)).uint(123456).sint(-42).uint(987654321).bin(bytes(32, 2)).uint(7).bin(bytes(64, 3));
  return e.take();
}

void BM_encode_record(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(sample_encoding());
}

void BM_decode_record(benchmark::State& state) {
  const bytes b = sample_encoding();
  for (auto _ : state) {
    auto d = decoder::open(b);
    auto& x = d.value();
    (void)x.array(8);
    benchmark::DoNotOptimize(x.uint());
    benchmark::DoNotOptimize(x.bin(32));
    benchmark::DoNotOptimize(x.uint());
    benchmark::DoNotOptimize(x.sint());
    benchmark::DoNotOptimize(x.uint());
    benchmark::DoNotOptimize(x.bin(32));
    benchmark::DoNotOptimize(x.uint());
    benchmark::DoNotOptimize(x.bin(64));
    benchmark::DoNotOptimize(x.finish());
  }
}

// One real transaction of a kind, from the bench workload (an ERC carries its
// CoE and Merkle path, so it is the largest).
signed_transaction sample_tx(tx_kind kind) {
  workload_options wo;
  wo.txs_per_block = 8;
  workload wl(wo);
  ledger_state st;
  auto g = build_genesis(st, wl.genesis());
  for (int h = 0; h < 4; ++h) {
    auto txs = wl.next_block(st);
    for (const auto& t : txs)
      if (t.tx.kind() == kind) return t;
    auto b = build_block(st, txs, 0, wl.proposer(st.height + 1).pub);
    finish_block(st, b.blk);
  }
  return {};
}

void BM_tx_encode(benchmark::State& state) {
  const auto stx = sample_tx(static_cast<tx_kind>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(encode_payload(stx.tx));
  state.SetLabel(std::string(to_string(stx.tx.kind())) + ", " + std::to_string(stx.envelope.size()) + " bytes");
}

void BM_tx_decode(benchmark::State& state) {
  const auto stx = sample_tx(static_cast<tx_kind>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(decode_envelope(stx.envelope));
  state.SetLabel(std::string(to_string(stx.tx.kind())) + ", " + std::to_string(stx.envelope.size()) + " bytes");
}

}  // namespace

BENCHMARK(BM_ed25519_sign);
BENCHMARK(BM_ed25519_verify);
BENCHMARK(BM_blake2b_256);
BENCHMARK(BM_merkle_root)->Arg(1'000);
BENCHMARK(BM_encode_record);
BENCHMARK(BM_decode_record);
BENCHMARK(BM_tx_encode)->Arg(static_cast<int>(tx_kind::ctp_commit))->Arg(static_cast<int>(tx_kind::erc));
BENCHMARK(BM_tx_decode)->Arg(static_cast<int>(tx_kind::ctp_commit))->Arg(static_cast<int>(tx_kind::erc));
BENCHMARK_MAIN();
