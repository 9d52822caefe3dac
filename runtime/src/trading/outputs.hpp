#pragma once
// A trading run's CSV outputs: each cycle's rows, appended as the cycle ends (private to runtime/, used by run_trading).

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "voltaic/market/units.hpp"

namespace voltaic::runtime::trading {

using clock_type = std::chrono::steady_clock;

inline std::string kwh(std::int64_t mwh) { return market::format_scaled(mwh, market::mwh_per_kwh); }
inline std::string credits(std::int64_t uc) { return market::format_scaled(uc, market::uc_per_credit); }

// One cycle's rows, per output file.
struct outputs {
  std::string orders, outcomes, clearing, trades, settlements, balances;
};

// Appends each cycle's rows to the CSVs as it ends, so a process that is
// killed keeps what it finished; a resumed run appends to them.
class csv_out {
 public:
  csv_out(const std::string& dir, const std::string& name, const char* header, bool resume) : path_(dir + "/" + name) {
    const bool exists = std::filesystem::exists(path_);
    file_.open(path_, resume ? std::ios::app : std::ios::trunc);
    if (!resume || !exists) file_ << header << "\n";
    file_.flush();
  }
  void write(std::string& rows) {
    file_ << rows;
    file_.flush();
    rows.clear();
  }
  bool ok() const { return static_cast<bool>(file_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream file_;
};

}  // namespace voltaic::runtime::trading
