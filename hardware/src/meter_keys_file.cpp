#include "voltaic/hardware/meter_keys_file.hpp"

#include "voltaic/chain/core/merkle.hpp"

namespace voltaic::hardware {

namespace {

constexpr const char* header = "voltaic-meter-keys 1";
constexpr std::size_t most_coe_keys = 4'096;

std::vector<chain::hash256> leaves_of(const meter_key_material& keys) {
  std::vector<chain::hash256> leaves;
  for (const auto& k : keys.coe) leaves.push_back(chain::merkle_leaf(k.pub.data(), k.pub.size()));
  return leaves;
}

}  // namespace

meter_key_material make_meter_key_material(std::size_t coe_keys) {
  meter_key_material m;
  m.identity = chain::generate_key_pair();
  for (std::size_t k = 0; k < coe_keys; ++k) m.coe.push_back(chain::generate_key_pair());
  return m;
}

status save_meter_keys(const std::string& path, const meter_key_material& keys) {
  std::string text = std::string(header) + "\n" + chain::key_line(keys.identity);
  for (const auto& k : keys.coe) text += chain::key_line(k);
  return chain::write_private_file(path, text);
}

result<meter_key_material> load_meter_keys(const std::string& path) {
  auto text = chain::read_private_file(path, (most_coe_keys + 3) * 160);
  if (!text) return text.err();
  std::vector<std::string_view> lines;
  std::string_view rest = text.value();
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (lines.empty() || lines[0] != header)
    return make_error(errc::invalid_field, path + ": not a meter key file (expected the header '" +
                                               std::string(header) + "', as `voltaic meter init` writes)");
  if (lines.size() < 3)
    return make_error(errc::invalid_field, path + ": a meter key file needs its identity and at least one CoE key");
  meter_key_material m;
  for (std::size_t k = 1; k < lines.size(); ++k) {
    auto key = chain::parse_key_line(lines[k], path + ":" + std::to_string(k + 1));
    if (!key) return key.err();
    if (k == 1) m.identity = key.value();
    else m.coe.push_back(key.value());
  }
  return m;
}

chain::hash256 coe_root(const meter_key_material& keys) { return chain::merkle_root(leaves_of(keys)); }

coe_signer coe_signer_of(const meter_key_material& keys, std::size_t index) {
  const std::vector<chain::hash256> leaves = leaves_of(keys);
  coe_signer s;
  s.index = index % keys.coe.size();
  s.key = keys.coe[s.index];
  s.leaf_count = keys.coe.size();
  for (const auto& step : chain::make_merkle_proof(leaves, s.index).path) s.siblings.push_back(step.sibling);
  s.root = chain::merkle_root(leaves);
  return s;
}

}  // namespace voltaic::hardware
