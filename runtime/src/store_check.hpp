#pragma once
// A validator's store checked before the validator opens it (hostile test
// F12): a store whose blocks no longer hold together is refused, with the
// height, rather than served to peers (private to runtime/).

#include <string>

#include "voltaic/market/error.hpp"

namespace voltaic::runtime {

// Ok when there is no store yet (a fresh start); otherwise every block must
// decode, follow the one below and be indexed (chain::verify_options::
// structure_only), read in a child process so that damage that kills the
// reader is reported too. Call it before any thread is started.
market::status check_validator_store(const std::string& name, const std::string& store_dir);

// Why `dir` holds no store to read ("... is not a directory", "... holds no
// chain (no data.mdb)", "... is empty"), or "" when it may hold one.
std::string why_no_store(const std::string& dir);

}  // namespace voltaic::runtime
