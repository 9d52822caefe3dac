#include "voltaic/runtime/run_config.hpp"

#include <toml++/toml.h>

#include <filesystem>

#include "voltaic/market/units.hpp"

namespace voltaic::runtime {

namespace {

market::error bad(const std::string& file, const std::string& what) {
  return market::make_error(market::errc::malformed_file, file + ": " + what);
}

}  // namespace

market::result<run_config> load_run_config(const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return bad(path + ":" + std::to_string(where.line), std::string(e.description()));
  }
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return p.empty() || std::filesystem::path(p).is_absolute() ? p : (base / p).string();
  };
  run_config c;
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

  const auto gen = doc["genesis"];
  if (auto s = key_of("[genesis] authority", gen["authority"].value_or(std::string{}), c.genesis.authority); !s)
    return s.err();
  if (auto s = key_of("[genesis] dso", gen["dso"].value_or(std::string{}), c.genesis.dso); !s) return s.err();
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
  if (!validators || validators->empty()) return bad(path, "no [[validator]] entries");
  for (const auto& v : *validators) {
    const auto* t = v.as_table();
    if (!t) return bad(path, "[[validator]] must be a table");
    validator_endpoint e;
    e.name = (*t)["name"].value_or(std::string{});
    if (e.name.empty()) return bad(path, "a [[validator]] has no name");
    if (auto s = key_of("validator " + e.name + " public_key", (*t)["public_key"].value_or(std::string{}), e.key); !s)
      return s.err();
    e.key_file = resolve((*t)["key_file"].value_or(std::string{}));
    e.host = (*t)["host"].value_or(std::string{"127.0.0.1"});
    const auto port = (*t)["port"].value_or(std::int64_t{0});
    if (port <= 0 || port > 65535) return bad(path, "validator " + e.name + " needs a port in 1..65535");
    e.port = static_cast<std::uint16_t>(port);
    const auto power = (*t)["power"].value_or(std::int64_t{1});
    if (power <= 0) return bad(path, "validator " + e.name + " power must be positive");
    for (const auto& other : c.validators)
      if (other.name == e.name) return bad(path, "validator " + e.name + " is listed twice");
    c.genesis.validators.push_back({e.key, static_cast<std::uint64_t>(power)});
    c.validators.push_back(std::move(e));
  }
  return c;
}

}  // namespace voltaic::runtime
