#include <filesystem>
#include <fstream>

#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

market::status create_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return market::make_error(market::errc::io_error, "cannot create " + dir + ": " + ec.message());
  return {};
}

// Writes one file through `fill(stream)`, which returns its name.
template <class Fill>
market::status write_file(const std::string& dir, const std::string& name, Fill fill) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  fill(out);
  if (!out.flush()) return market::make_error(market::errc::io_error, "cannot write " + path);
  return {};
}

}  // namespace

market::status write_tables(const std::string& dir, const std::vector<market::csv_table>& tables) {
  if (auto st = create_dir(dir); !st) return st;
  for (const auto& t : tables)
    if (auto st = write_file(dir, t.name, [&](std::ostream& out) { out << t.text; }); !st) return st;
  return {};
}

market::status write_text_file(const std::string& dir, const std::string& name,
                               std::initializer_list<std::string_view> parts) {
  return write_file(dir, name, [&](std::ostream& out) {
    for (const std::string_view part : parts) out.write(part.data(), static_cast<std::streamsize>(part.size()));
  });
}

market::status write_tables(const std::string& dir, const std::vector<market::order>& book,
                            const market::cycle_result& cycle, const std::vector<market::report_table>& which_tables) {
  if (auto st = create_dir(dir); !st) return st;
  for (const auto which : which_tables) {
    const std::string name = market::to_csv_table_name(which);
    if (auto st = write_file(dir, name, [&](std::ostream& out) { market::write_csv_table(out, book, cycle, which); });
        !st)
      return st;
  }
  return {};
}

}  // namespace voltaic::runtime
