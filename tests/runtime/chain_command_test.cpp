// `voltaic chain bench | verify | inspect` as real processes, and tampering:
// bytes flipped inside every stored block, and anywhere in the file.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "support/process.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

using voltaic::test::run_command;
namespace fs = std::filesystem;

namespace {

const std::string bin = VOLTAIC_BIN;

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("voltaic-cli-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

std::string head_line(const std::string& out) {
  const auto at = out.find("\nhead ");
  REQUIRE(at != std::string::npos);
  return out.substr(at + 6, out.find('\n', at + 1) - at - 6);
}

std::vector<char> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}
void write_file(const fs::path& p, const std::vector<char>& data) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::vector<char> read_block(const fs::path& dir, std::uint64_t height) {
  voltaic::chain::lmdb_options ro;
  ro.read_only = true;
  auto store = voltaic::chain::open_lmdb_store(dir.string(), ro);
  REQUIRE(store.ok());
  auto b = store.value()->block_bytes(height);
  REQUIRE(b.ok());
  REQUIRE(b.value().has_value());
  return std::vector<char>(b.value()->begin(), b.value()->end());
}

}  // namespace

TEST_CASE("chain bench builds a real chain that verify accepts and inspect shows") {
  const fs::path dir = fresh_dir("bench");
  const auto r = run_command(bin + " chain bench --dir " + dir.string() + " --blocks 12 --txs-per-block 25");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("(0 rejected)") != std::string::npos);
  const std::string head = head_line(r.out);  // "<height> <hash>"
  CHECK(head.rfind("12 ", 0) == 0);

  const auto v = run_command(bin + " chain verify " + dir.string());
  CHECK(v.status == 0);
  CHECK(v.out == "ok " + head + "\n");

  const auto summary = run_command(bin + " chain inspect " + dir.string() + " --json");
  CHECK(summary.status == 0);
  CHECK(summary.out.find("\"height\":12") != std::string::npos);
  CHECK(summary.out.find("\"head_hash\":\"" + head.substr(3) + "\"") != std::string::npos);

  const auto blk = run_command(bin + " chain inspect " + dir.string() + " --height 5 --json");
  REQUIRE(blk.status == 0);
  // Every kind the workload makes in a cycle appears by block 5; CTPs only
  // as side records (the CTP database), never among the entries.
  for (const char* kind : {"order_root", "clearing_result", "reading_receipt", "ctp_commit", "erc_receipt"})
    CHECK_MESSAGE(blk.out.find(std::string("\"kind\":\"") + kind + "\"") != std::string::npos, kind);
  const auto side_at = blk.out.find("\"side\":[");
  REQUIRE(side_at != std::string::npos);
  CHECK(blk.out.find("\"kind\":\"ctp_commit\"") > side_at);
  const auto id_at = blk.out.find("\"entries\":[{\"id\":\"");
  REQUIRE(id_at != std::string::npos);
  const std::string id = blk.out.substr(id_at + 18, 64);
  const auto tx = run_command(bin + " chain inspect " + dir.string() + " --tx " + id);
  CHECK(tx.status == 0);
  CHECK(tx.out.find("height: 5\nindex: 0\n") == 0);
  const auto unknown = run_command(bin + " chain inspect " + dir.string() + " --tx " + std::string(64, '0'));
  CHECK(unknown.status == 1);
  CHECK(unknown.err.find("is not in this chain") != std::string::npos);

  const auto again = run_command(bin + " chain bench --dir " + dir.string() + " --blocks 1 --txs-per-block 1");
  CHECK(again.status == 2);
  CHECK(again.err.find("already holds a chain") != std::string::npos);
  const auto missing = run_command(bin + " chain verify " + dir.string() + "-nothing");
  CHECK(missing.status == 1);
  CHECK(missing.out == "bad height 0: " + dir.string() + "-nothing: no such directory\n");
  fs::remove_all(dir);
}

TEST_CASE("a byte flipped anywhere inside a stored block is reported at that block's height") {
  const fs::path dir = fresh_dir("tamper");
  REQUIRE(run_command(bin + " chain bench --dir " + dir.string() + " --blocks 5 --txs-per-block 6").status == 0);
  // Where each block's bytes sit in the data file.
  std::vector<std::pair<std::uint64_t, std::vector<char>>> blocks;
  for (std::uint64_t h = 0; h <= 5; ++h) blocks.emplace_back(h, read_block(dir, h));
  const fs::path data = dir / "data.mdb";
  const std::vector<char> pristine = read_file(data);
  std::size_t flips = 0;
  for (const auto& [height, bytes] : blocks) {
    // LMDB copies pages on write, so stale copies of a block may linger in
    // free pages; the live copy is the one whose damage the store returns.
    std::size_t offset = SIZE_MAX;
    for (auto at = std::search(pristine.begin(), pristine.end(), bytes.begin(), bytes.end()); at != pristine.end();
         at = std::search(at + 1, pristine.end(), bytes.begin(), bytes.end())) {
      const auto candidate = static_cast<std::size_t>(at - pristine.begin());
      std::vector<char> probe = pristine;
      probe[candidate + bytes.size() - 1] = static_cast<char>(probe[candidate + bytes.size() - 1] ^ 0x01);
      write_file(data, probe);
      if (read_block(dir, height) != bytes) offset = candidate;
    }
    write_file(data, pristine);
    REQUIRE(offset != SIZE_MAX);
    // Every header byte of the first two blocks, then a spread across each block.
    const std::size_t step = height <= 1 ? 1 : std::max<std::size_t>(1, bytes.size() / 24);
    const std::size_t dense = height <= 1 ? std::min<std::size_t>(bytes.size(), 130) : bytes.size();
    for (std::size_t i = 0; i < dense; i += step) {
      std::vector<char> damaged = pristine;
      damaged[offset + i] = static_cast<char>(damaged[offset + i] ^ 0x01);
      write_file(data, damaged);
      const auto v = run_command(bin + " chain verify " + dir.string());
      CAPTURE(height);
      CAPTURE(i);
      CHECK(v.status == 1);
      CHECK(v.out.rfind("bad height " + std::to_string(height) + ": ", 0) == 0);
      ++flips;
    }
  }
  CHECK(flips > 300);
  write_file(data, pristine);
  CHECK(run_command(bin + " chain verify " + dir.string()).status == 0);
  fs::remove_all(dir);
}

TEST_CASE("damage anywhere in the store file is a reported verdict, never a crash") {
  const fs::path dir = fresh_dir("sweep");
  REQUIRE(run_command(bin + " chain bench --dir " + dir.string() + " --blocks 4 --txs-per-block 6").status == 0);
  const fs::path data = dir / "data.mdb";
  const std::vector<char> pristine = read_file(data);
  std::mt19937_64 rng(7);
  int bad = 0;
  for (int i = 0; i < 150; ++i) {
    std::vector<char> damaged = pristine;
    const std::size_t at = rng() % damaged.size();
    damaged[at] = static_cast<char>(damaged[at] ^ static_cast<char>(1 + rng() % 255));
    write_file(data, damaged);
    const auto v = run_command(bin + " chain verify " + dir.string());
    CAPTURE(at);
    REQUIRE((v.status == 0 || v.status == 1));
    if (v.status == 0) CHECK(v.out.rfind("ok 4 ", 0) == 0);  // free or unused space
    else CHECK(v.out.rfind("bad height ", 0) == 0);
    bad += v.status == 1;
  }
  CHECK(bad > 0);
  // Truncated to half: still a verdict.
  write_file(data, std::vector<char>(pristine.begin(), pristine.begin() + static_cast<long>(pristine.size() / 2)));
  const auto cut = run_command(bin + " chain verify " + dir.string());
  CHECK(cut.status == 1);
  CHECK(cut.out.rfind("bad height ", 0) == 0);
  fs::remove_all(dir);
}
