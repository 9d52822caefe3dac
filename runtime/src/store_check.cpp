#include "store_check.hpp"

#include <filesystem>

#include "in_child.hpp"
#include "voltaic/chain/energy/verify.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"

namespace voltaic::runtime {

std::string why_no_store(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return dir + ": no such directory";
  if (!std::filesystem::is_directory(dir, ec)) return dir + " is not a directory (give the store's directory)";
  const auto data = std::filesystem::path(dir) / "data.mdb";
  if (!std::filesystem::exists(data, ec)) return dir + " holds no chain store (no data.mdb)";
  if (std::filesystem::file_size(data, ec) == 0) return data.string() + " is empty: no chain in it";
  return {};
}

market::status check_validator_store(const std::string& name, const std::string& store_dir) {
  std::error_code ec;
  const auto data = std::filesystem::path(store_dir) / "data.mdb";
  if (!std::filesystem::exists(data, ec) || std::filesystem::file_size(data, ec) == 0) return {};
  const child_outcome c = run_in_child([&](std::ostream& out, std::ostream&, const auto& publish) {
    chain::lmdb_options ro;
    ro.read_only = true;
    auto store = chain::open_lmdb_store(store_dir, ro);
    if (!store) {
      out << "at height 0: " << store.err().message;
      return 1;
    }
    auto head = store.value()->head_height();
    if (head && !head.value()) return 0;  // opened by a validator that stopped before its genesis
    chain::verify_options structure;
    structure.structure_only = true;
    const auto v = chain::verify_chain(
        *store.value(), [&](std::uint64_t h) { publish(h + 1); }, structure);
    if (v.ok) return 0;
    out << "at height " << v.height << ": " << v.reason;
    return 1;
  });
  if (!c.crashed && c.code == 0) return {};
  const std::string where = c.crashed ? "at height " + std::to_string(c.progress) + ": " + crash_text(c) : c.out;
  return market::make_error(market::errc::io_error, "validator " + name + ": its store " + store_dir + " is damaged " +
                                                        where + "; it does not start (`voltaic chain verify " +
                                                        store_dir + "` checks the whole history)");
}

}  // namespace voltaic::runtime
