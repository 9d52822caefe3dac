// Each misleading message of the hostile test (F14) now says what happened:
// directories given as files, a NUL byte in a number, a value too large
// rather than negative, options out of range (no 300-digit bounds, no "-1"
// wrapping to a huge number), and stores that are not there.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.hpp"

namespace fs = std::filesystem;
using voltaic::test::run_command;

namespace {

const std::string bin = VOLTAIC_BIN;

// Runs `args` and returns its stderr; the exit status must be `status`.
std::string says(const std::string& args, int status) {
  const auto r = run_command(bin + " " + args);
  CHECK_MESSAGE(r.status == status, args << " -> " << r.status << ": " << r.err << r.out);
  return r.err + r.out;
}

}  // namespace

TEST_CASE("messages say what happened: directories, NUL bytes, large values, option ranges, missing stores (F14)") {
  const fs::path dir = fs::temp_directory_path() / ("voltaic-messages-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "empty");
  const std::string d = dir.string();

  CHECK(says("clear --orders " + d, 2).find(d + ": is a directory, not a CSV file") != std::string::npos);
  CHECK(says("run " + d, 2).find(d + ": is a directory, not a TOML file") != std::string::npos);

  std::ofstream(dir / "nul.csv", std::ios::binary)
      << std::string("id,side,price,energy_kwh\n1,buy,5\0,3\n2,sell,1,3\n", 43);
  CHECK(says("clear --orders " + d + "/nul.csv", 2).find("price '5\\x00' is not a decimal number") !=
        std::string::npos);

  std::ofstream(dir / "big.toml") << "[chain]\nid = \"x\"\n\n[scenario]\nreference_price = \"99999999999999\"\n";
  CHECK(says("run " + d + "/big.toml", 2)
            .find("big.toml:5:19: [scenario] reference_price: '99999999999999' is too large") != std::string::npos);
  std::ofstream(dir / "neg.toml") << "[chain]\nid = \"x\"\n\n[scenario]\npenalty = \"-1\"\n";
  CHECK(says("run " + d + "/neg.toml", 2).find("[scenario] penalty must not be negative") != std::string::npos);

  // Options: whole numbers with their real bounds.
  CHECK(says("chain bench --dir " + d + "/b --blocks 0 --txs-per-block 1", 2)
            .find("--blocks: '0' is not a whole number from 1 to 1000000") != std::string::npos);
  CHECK(says("chain inspect " + d + " --height -1", 2).find("--height: '-1' is not a whole number from 0 to") !=
        std::string::npos);
  CHECK(says("chain inspect " + d + " --height 18446744073709551616", 2).find("is not a whole number") !=
        std::string::npos);
  CHECK(says("demo --seed -1", 2).find("--seed: '-1' is not a whole number from 0 to 9223372036854775807") !=
        std::string::npos);

  // Stores that are not there.
  CHECK(says("chain verify " + d + "/empty", 1) ==
        "bad height 0: " + d + "/empty holds no chain store (no data.mdb)\n");
  std::ofstream(dir / "empty" / "data.mdb");
  CHECK(says("chain verify " + d + "/empty", 1) == "bad height 0: " + d + "/empty/data.mdb is empty: no chain in it\n");
  CHECK(says("chain inspect " + d + "/empty", 1).find("is empty: no chain in it") != std::string::npos);
  CHECK(says("chain inspect " + d + "/nowhere", 1).find("no such directory") != std::string::npos);
  fs::remove_all(dir);
}
