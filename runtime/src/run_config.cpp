#include "voltaic/runtime/run_config.hpp"

#include <filesystem>

#include "config_check.hpp"
#include "run_config_toml.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::runtime {

namespace {

market::error bad(const std::string& file, const std::string& what) {
  return market::make_error(market::errc::malformed_file, file + ": " + what);
}

}  // namespace

market::result<toml::table> parse_toml_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return bad(path, "is a directory, not a TOML file");
  if (!std::filesystem::exists(path, ec)) return bad(path, "no such file");
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return bad(path + ":" + std::to_string(where.line), std::string(e.description()));
  }
}

market::result<run_config> load_run_config(const std::string& path) {
  auto doc = parse_toml_file(path);
  if (!doc) return doc.err();
  if (auto s = check_config(doc.value(), run_file_schema(), path); !s) return s.err();
  return read_run_config(doc.value(), path, std::nullopt);
}

market::result<run_config> read_run_config(const toml::table& doc, const std::string& path,
                                           std::optional<std::uint64_t> lab_seed) {
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return p.empty() || std::filesystem::path(p).is_absolute() ? p : (base / p).string();
  };
  run_config c;
  c.lab_seed = lab_seed;
  auto key_of = [&](const std::string& field, std::string_view hex, chain::public_key& out) -> market::status {
    if (!chain::from_hex(hex, out)) return bad(path, field + " is not a public key of 64 hex digits");
    return {};
  };

  c.genesis.chain_id = doc["chain"]["id"].value_or(std::string{});
  if (c.genesis.chain_id.empty()) return bad(path, "[chain] id is missing");
  c.chain_dir = resolve(doc["chain"]["dir"].value_or(std::string{"chain"}));
  c.genesis.time_ms = doc["chain"]["genesis_time_ms"].value_or(std::uint64_t{1'700'000'000'000});

  const auto cons = doc["consensus"];
  c.timing.timeout_propose_ms = cons["timeout_propose_ms"].value_or(c.timing.timeout_propose_ms);
  c.timing.timeout_prevote_ms = cons["timeout_prevote_ms"].value_or(c.timing.timeout_prevote_ms);
  c.timing.timeout_precommit_ms = cons["timeout_precommit_ms"].value_or(c.timing.timeout_precommit_ms);
  c.timing.timeout_increment_ms = cons["timeout_increment_ms"].value_or(c.timing.timeout_increment_ms);
  c.timing.gossip_ms = cons["gossip_ms"].value_or(c.timing.gossip_ms);
  c.max_block_txs = cons["max_block_txs"].value_or(c.max_block_txs);
  c.empty_block_interval_ms = cons["empty_block_interval_ms"].value_or(c.empty_block_interval_ms);

  const auto gen = doc["genesis"];
  // Lab scenarios may leave keys out: they derive from the scenario's seed.
  auto key_or_lab = [&](const std::string& field, const toml::node_view<const toml::node>& node, std::uint64_t role,
                        std::uint64_t index, chain::public_key& out) -> market::status {
    if (lab_seed && !node) {
      out = chain::derived_key(*lab_seed, role, index).pub;
      return {};
    }
    return key_of(field, node.value_or(std::string{}), out);
  };
  if (auto s = key_or_lab("[genesis] authority", gen["authority"], lab_role_authority, 0, c.genesis.authority); !s)
    return s.err();
  if (auto s = key_or_lab("[genesis] dso", gen["dso"], lab_role_dso, 0, c.genesis.dso); !s) return s.err();
  c.authority_key_file = resolve(gen["authority_key_file"].value_or(std::string{}));
  if (const auto* makers = gen["manufacturers"].as_array())
    for (const auto& m : *makers) {
      chain::public_key k{};
      if (auto s = key_of("[genesis] manufacturers", m.value_or(std::string{}), k); !s) return s.err();
      c.genesis.manufacturers.push_back(k);
    }
  if (const auto* balances = gen["balances"].as_array())
    for (const auto& b : *balances) {
      const auto* t = b.as_table();
      if (!t) return bad(path, "[genesis] balances holds { account, credits } tables");
      chain::public_key k{};
      if (auto s = key_of("[genesis] balances account", (*t)["account"].value_or(std::string{}), k); !s)
        return s.err();
      auto amount = market::parse_scaled((*t)["credits"].value_or(std::string{}), market::uc_per_credit);
      if (!amount) return bad(path, "[genesis] balances credits: " + amount.err().message);
      c.genesis.balances.emplace_back(k, amount.value());
    }

  const auto* validators = doc["validator"].as_array();
  if (lab_seed && !validators) {
    const auto count = doc["scenario"]["validators"].value_or(std::int64_t{1});
    if (count <= 0 || count > 100) return bad(path, "[scenario] validators must be in 1..100");
    for (std::int64_t i = 0; i < count; ++i) {
      validator_endpoint e;
      e.name = "v" + std::to_string(i);
      e.key = chain::derived_key(*lab_seed, lab_role_validator, static_cast<std::uint64_t>(i)).pub;
      c.genesis.validators.push_back({e.key, 1});
      c.validators.push_back(std::move(e));
    }
    return c;
  }
  if (!validators || validators->empty()) return bad(path, "no [[validator]] entries");
  for (const auto& v : *validators) {
    const auto* t = v.as_table();
    if (!t) return bad(path, "[[validator]] must be a table");
    validator_endpoint e;
    e.name = (*t)["name"].value_or(std::string{});
    if (e.name.empty()) return bad(path, "a [[validator]] has no name");
    if (auto s = key_or_lab("validator " + e.name + " public_key", (*t)["public_key"], lab_role_validator,
                            c.validators.size(), e.key);
        !s)
      return s.err();
    e.key_file = resolve((*t)["key_file"].value_or(std::string{}));
    e.host = (*t)["host"].value_or(std::string{"127.0.0.1"});
    const auto port = (*t)["port"].value_or(std::int64_t{0});
    if (port <= 0 || port > 65535) return bad(path, "validator " + e.name + " needs a port in 1..65535");
    e.port = static_cast<std::uint16_t>(port);
    const auto power = (*t)["power"].value_or(std::int64_t{1});
    if (power <= 0) return bad(path, "validator " + e.name + " power must be positive");
    for (const auto& other : c.validators) {
      if (other.name == e.name) return config_fault(path, t, "validator " + e.name + " is listed twice");
      if (other.host == e.host && other.port == e.port)
        return config_fault(path, (*t)["port"].node(),
                            "[[validator]] port: validators " + other.name + " and " + e.name + " both listen on " +
                                e.host + ":" + std::to_string(e.port));
      // One key holding two validators' votes would count twice in every quorum.
      if (other.key == e.key)
        return config_fault(path, (*t)["public_key"].node(),
                            "[[validator]] public_key: validators " + other.name + " and " + e.name +
                                " have the same key");
    }
    c.genesis.validators.push_back({e.key, static_cast<std::uint64_t>(power)});
    c.validators.push_back(std::move(e));
  }
  return c;
}

}  // namespace voltaic::runtime
