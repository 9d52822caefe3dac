#pragma once
// Loaders for the feeders of data/feeders: the IEEE European LV test feeder
// (original IEEE CSVs) and the IEEE 33-bus system. File I/O only here and in
// the other loaders; errors name the file and line.
//
// IEEE 33 has impedances, not lengths: its electrical distance is |r + jx|
// with 1 milliohm standing for 1 metre (so C_d applies per milliohm).
// Thread-safety: pure functions over files.

#include <string>
#include <string_view>
#include <vector>

#include "voltaic/market/grid.hpp"

namespace voltaic::market {

struct feeder {
  std::string name;                     // "ieee-eu-lv", "ieee33" or the directory
  market::grid grid;
  std::vector<std::string> load_buses;  // prosumer locations, in file order
};

result<feeder> load_ieee_eu_lv(const std::string& dir);
result<feeder> load_ieee33(const std::string& dir);

// "ieee-eu-lv" and "ieee33" name the feeders under data_root; anything else
// is a directory holding one of the two formats.
result<feeder> load_feeder(std::string_view name_or_dir, const std::string& data_root);

}  // namespace voltaic::market
