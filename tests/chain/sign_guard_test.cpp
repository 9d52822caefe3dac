// The sign guard: what a validator signed survives a restart, so it never
// signs two different messages for one step, and its lock and journal come
// back from disk (or refuse a damaged file).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "consensus_keys.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/chain/node/consensus_codec.hpp"

using namespace voltaic::chain;

TEST_CASE("the sign guard persists the last signed step and refuses to sign it again after a restart") {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("voltaic-guard-" + std::to_string(::getpid()))).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".journal");
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    CHECK(g.value()->permit(3, 0, round_step::prevote));
    CHECK(g.value()->permit(3, 0, round_step::precommit));
    CHECK_FALSE(g.value()->permit(3, 0, round_step::precommit));
  }
  auto again = open_file_sign_guard(path);
  REQUIRE(again.ok());
  CHECK_FALSE(again.value()->permit(3, 0, round_step::prevote));
  CHECK_FALSE(again.value()->permit(2, 9, round_step::precommit));
  CHECK(again.value()->permit(3, 1, round_step::propose));

  // An engine restarted on a used guard stays silent where it already spoke.
  std::vector<validator> vs;
  for (std::uint32_t i = 0; i < 4; ++i) vs.push_back({validator_key(i).pub, 1});
  auto crypto = make_ed25519_consensus_crypto("lab", validator_key(1));
  auto guard = make_memory_sign_guard();
  engine_config cfg;
  cfg.validators = vs;
  cfg.self = 1;
  auto source = [](std::uint64_t) { return bytes{1}; };
  auto check = [](std::uint64_t, const bytes&) { return true; };
  consensus_engine first(cfg, *crypto, *guard, source, check);
  auto out = first.start(1);  // validator 1 proposes at (1, 0) and prevotes it
  CHECK(out.proposals.size() == 1);
  CHECK(out.votes.size() == 1);
  consensus_engine restarted(cfg, *crypto, *guard, source, check);
  auto again_out = restarted.start(1);
  CHECK(again_out.proposals.empty());
  CHECK(again_out.votes.empty());
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".journal");
}

TEST_CASE("the file sign guard keeps the lock across a reopen and refuses a malformed one") {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("voltaic-lock-" + std::to_string(::getpid()))).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".journal");
  const consensus_lock lock{5, 2, blake2b_256(bytes{4, 2})};
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    CHECK_FALSE(g.value()->lock().has_value());
    REQUIRE(g.value()->permit(5, 2, round_step::precommit, lock));
  }
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    REQUIRE(g.value()->lock().has_value());
    CHECK(*g.value()->lock() == lock);
    REQUIRE(g.value()->permit(6, 0, round_step::prevote));  // a new height: no lock
  }
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    CHECK_FALSE(g.value()->lock().has_value());
  }
  {
    std::ofstream out(path, std::ios::trunc);
    out << "5 2 3 5 2 not-hex\n";
  }
  auto bad = open_file_sign_guard(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("sign-guard") != std::string::npos);
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".journal");
}

TEST_CASE("the file sign guard's journal survives a reopen, drops a torn tail and restarts at a new height") {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("voltaic-journal-" + std::to_string(::getpid()))).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".journal");
  consensus_proposal p{4, 1, -1, bytes(3000, 0x5a), {}, 1, {}};
  p.value_id = blake2b_256(p.value);
  consensus_vote mine{vote_kind::prevote, 4, 1, false, p.value_id, 2, {}};
  consensus_vote other = mine;
  other.voter = 3;
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    g.value()->journal_signed(mine);
    g.value()->journal_valid(p, {mine, other});
  }
  auto check_full = [&](sign_guard& g) {
    const consensus_journal j = g.journal(4);
    REQUIRE(j.own_votes.size() == 1);
    CHECK(j.own_votes[0].voter == 2);
    REQUIRE(j.valid_value.has_value());
    CHECK(j.valid_value->value == p.value);
    CHECK(j.valid_prevotes.size() == 2);
    CHECK(g.journal(5).own_votes.empty());
  };
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    check_full(*g.value());
  }
  // A crash mid-append leaves half a record: it is cut off, and what follows stays readable.
  const auto whole = std::filesystem::file_size(path + ".journal");
  {
    std::ofstream out(path + ".journal", std::ios::app | std::ios::binary);
    out << "S\x90\x01\x00\x00partial";
  }
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    check_full(*g.value());
    CHECK(std::filesystem::file_size(path + ".journal") == whole);
    consensus_vote precommit = mine;
    precommit.kind = vote_kind::precommit;
    g.value()->journal_signed(precommit);
  }
  {
    auto g = open_file_sign_guard(path);
    REQUIRE(g.ok());
    CHECK(g.value()->journal(4).own_votes.size() == 2);
    consensus_vote next = mine;
    next.height = 5;
    g.value()->journal_signed(next);  // a new height: the old journal goes
    g.value()->journal_signed(mine);  // and an older one is ignored
  }
  auto g = open_file_sign_guard(path);
  REQUIRE(g.ok());
  CHECK(g.value()->journal(4).own_votes.empty());
  CHECK(g.value()->journal(5).own_votes.size() == 1);
  CHECK_FALSE(g.value()->journal(5).valid_value.has_value());
  CHECK(std::filesystem::file_size(path + ".journal") < 200);
  // A later round's own proposal replaces the earlier one: a stalled height keeps one block.
  for (std::uint32_t round = 1; round <= 3; ++round) {
    consensus_proposal later = p;
    later.height = 5;
    later.round = round;
    g.value()->journal_signed(later);
  }
  auto reopened = open_file_sign_guard(path);
  REQUIRE(reopened.ok());
  const consensus_journal j5 = reopened.value()->journal(5);
  REQUIRE(j5.own_proposals.size() == 1);
  CHECK(j5.own_proposals[0].round == 3);
  CHECK(j5.own_votes.size() == 1);
  CHECK(std::filesystem::file_size(path + ".journal") < 2 * p.value.size());
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".journal");
}
