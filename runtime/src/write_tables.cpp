#include <filesystem>
#include <fstream>

#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

market::status write_tables(const std::string& dir, const std::vector<market::csv_table>& tables) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return market::make_error(market::errc::io_error, "cannot create " + dir + ": " + ec.message());
  for (const auto& t : tables) {
    const std::string path = dir + "/" + t.name;
    std::ofstream out(path, std::ios::binary);
    out << t.text;
    if (!out.flush()) return market::make_error(market::errc::io_error, "cannot write " + path);
  }
  return {};
}

}  // namespace voltaic::runtime
