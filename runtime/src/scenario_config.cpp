#include "voltaic/runtime/scenario_config.hpp"

#include <filesystem>

#include <limits>

#include "config_check.hpp"
#include "run_config_toml.hpp"
#include "voltaic/market/p_series.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::runtime {

namespace {

market::error bad(const std::string& origin, const std::string& what) {
  return market::make_error(market::errc::malformed_file, origin + ": " + what);
}

// [carbon], [[carbon_validator]] and [[carbon_participant]] (the schema
// checked types and ranges); `s` gives the houses a PVP may be the carbon side of.
market::status read_carbon(const toml::table& doc, const std::string& origin, const scenario_config& s,
                           carbon_scenario& c) {
  const auto* section = doc["carbon"].as_table();
  const auto* list = doc["carbon_participant"].as_array();
  const auto* places = doc["carbon_validator"].as_array();
  if (!section) {
    if (list) return config_fault(origin, list, "[[carbon_participant]] needs a [carbon] section");
    if (places) return config_fault(origin, places, "[[carbon_validator]] needs a [carbon] section");
    return {};
  }
  c.enabled = true;
  c.validators = static_cast<std::uint32_t>((*section)["validators"].value_or(std::int64_t{4}));
  if (places) {
    if ((*section)["validators"] && c.validators != places->size())
      return config_fault(origin, places,
                          "[carbon] validators = " + std::to_string(c.validators) + " but " +
                              std::to_string(places->size()) + " [[carbon_validator]] entries place them");
    c.validators = static_cast<std::uint32_t>(places->size());
    for (const auto& item : *places) {
      const auto& t = *item.as_table();
      if (!t["port"]) return config_fault(origin, &item, "[[carbon_validator]] needs its port");
      c.places.push_back({t["host"].value_or(std::string{"127.0.0.1"}),
                          static_cast<std::uint16_t>(t["port"].value_or(std::int64_t{0}))});
    }
  }
  c.periods = static_cast<std::uint64_t>((*section)["periods"].value_or(std::int64_t{1}));
  c.host = (*section)["host"].value_or(c.host);
  c.port = static_cast<std::uint16_t>((*section)["port"].value_or(std::int64_t{0}));
  c.delta_g_per_kwh = (*section)["delta_g_per_kwh"].value_or(c.delta_g_per_kwh);
  c.period = static_cast<std::uint64_t>((*section)["period"].value_or(std::int64_t{2020}));
  c.allowance_kg = (*section)["allowance_kg"].value_or(c.allowance_kg);
  c.block_interval_ms = static_cast<std::uint64_t>((*section)["block_interval_s"].value_or(std::int64_t{600})) * 1000;
  if (auto file = (*section)["prices_file"].value<std::string>()) {
    const std::filesystem::path p(*file);
    c.prices_file = p.is_absolute() ? p.string() : (std::filesystem::path(origin).parent_path() / p).string();
  }
  if (!list || list->empty()) return config_fault(origin, section, "[carbon] has no [[carbon_participant]]");
  bool copula = false;
  for (const auto& item : *list) {
    const auto& t = *item.as_table();
    carbon_participant_spec p;
    p.id = std::to_string(t["bus"].value_or(std::int64_t{0}));
    if (!t["bus"]) return config_fault(origin, &item, "[[carbon_participant]] needs its bus");
    for (const auto& other : c.participants)
      if (other.id == p.id) return config_fault(origin, t["bus"].node(), "[[carbon_participant]] bus " + p.id + " appears twice");
    const std::string role = t["role"].value_or(std::string{});
    if (role == "pvp") p.role = market::carbon_role::pvp;
    else if (role != "cec") return config_fault(origin, &item, "[[carbon_participant]] role must be \"pvp\" or \"cec\"");
    p.generation_kwh = t["generation_kwh"].value_or(std::int64_t{0});
    if (const auto* months = t["monthly_kwh"].as_array()) {
      if (months->size() != 12)
        return config_fault(origin, months,
                            "[[carbon_participant]] monthly_kwh must hold twelve monthly totals, not " +
                                std::to_string(months->size()));
      if (t["generation_kwh"])
        return config_fault(origin, months, "[[carbon_participant]] gives generation_kwh or monthly_kwh, not both");
      for (const auto& m : *months) p.monthly_kwh.push_back(m.value_or(std::int64_t{0}));
    }
    if (const auto* house = t["house"].node()) {
      p.house = house->value_or(std::string{});
      const auto index = s.party_index(p.house);
      if (!index)
        return config_fault(origin, house, "[[carbon_participant]] house '" + p.house + "' is no party of the scenario");
      p.house_index = *index;
      for (const auto& other : c.participants)
        if (other.house == p.house)
          return config_fault(origin, house, "[[carbon_participant]] house " + p.house + " is the carbon side of bus " +
                                                 other.id + " already");
    }
    p.estimate_kg = t["estimate_kg"].value_or(std::int64_t{-1});
    p.emissions_kg = t["emissions_kg"].value_or(std::int64_t{0});
    if (p.role == market::carbon_role::pvp && t["emissions_kg"])
      return config_fault(origin, t["emissions_kg"].node(), "a PV prosumer reports no emissions (use generation_kwh)");
    if (p.role == market::carbon_role::cec && (t["generation_kwh"] || t["estimate_kg"] || t["monthly_kwh"]))
      return config_fault(origin, &item, "a CEC has emissions_kg, not generation_kwh, monthly_kwh or estimate_kg");
    if (p.role == market::carbon_role::cec && t["house"])
      return config_fault(origin, t["house"].node(), "only a PV prosumer is the carbon side of a house");
    const std::string price = t["price"].value_or(std::string{"copula"});
    if (price == "copula") {
      copula = true;
    } else {
      auto v = market::parse_scaled(price, 1'000'000);
      if (!v || v.value() < 0 || v.value() > market::max_carbon_price)
        return config_fault(origin, t["price"].node(),
                            "[[carbon_participant]] price must be \"copula\" or 0 to 100000 credits per tonne");
      p.price = v.value();
    }
    c.participants.push_back(std::move(p));
  }
  if (copula && c.prices_file.empty())
    return config_fault(origin, section, "[carbon] prices_file is needed for participants priced \"copula\"");
  return {};
}

// market = "bilateral" and its keys (the schema checked types and ranges).
market::status read_bilateral(const toml::table& doc, const std::string& origin, scenario_config& s) {
  const auto sc = doc["scenario"];
  const std::string market = sc["market"].value_or(std::string{"auction"});
  auto& b = s.bilateral;
  const bool keys = sc["settlement"] || sc["routers"] || sc["negotiators"] || sc["unreliable_producers"] ||
                    sc["fresh_keys"] || doc["router"];
  if (market != "bilateral") {
    if (market != "auction") return config_fault(origin, sc["market"].node(), "[scenario] market must be \"auction\" or \"bilateral\"");
    if (keys)
      return bad(origin,
                 "[scenario] settlement, routers, negotiators, unreliable_producers, fresh_keys and [[router]] need market = "
                 "\"bilateral\"");
    return {};
  }
  b.enabled = true;
  const std::string settlement = sc["settlement"].value_or(std::string{"spb"});
  if (settlement != "spb" && settlement != "escrow")
    return config_fault(origin, sc["settlement"].node(), "[scenario] settlement must be \"spb\" or \"escrow\"");
  b.escrow = settlement == "escrow";
  b.routers = static_cast<std::uint64_t>(sc["routers"].value_or(std::int64_t{4}));
  if (const auto* places = doc["router"].as_array()) {
    if (sc["routers"] && b.routers != places->size())
      return config_fault(origin, places, "[scenario] routers = " + std::to_string(b.routers) + " but " +
                                              std::to_string(places->size()) + " [[router]] entries place them");
    b.routers = places->size();
    for (const auto& item : *places) {
      const auto& t = *item.as_table();
      if (!t["port"]) return config_fault(origin, &item, "[[router]] needs its port");
      b.places.push_back({t["host"].value_or(std::string{"127.0.0.1"}),
                          static_cast<std::uint16_t>(t["port"].value_or(std::int64_t{0}))});
    }
  }
  if (const auto* list = sc["negotiators"].as_array()) {
    b.negotiators.clear();
    for (const auto& item : *list) {
      const std::string n = item.value_or(std::string{});
      if (n != "eager" && n != "patient" && n != "firm")
        return config_fault(origin, &item, "[scenario] negotiators: '" + n + "' is not eager, patient or firm");
      b.negotiators.push_back(n);
    }
    if (b.negotiators.empty()) return config_fault(origin, list, "[scenario] negotiators is empty");
  }
  b.unreliable = static_cast<std::size_t>(sc["unreliable_producers"].value_or(std::int64_t{0}));
  b.fresh_keys = sc["fresh_keys"].value_or(false);
  const std::size_t producers = s.prosumers - s.buyers_per_market();
  if (b.unreliable > producers)
    return bad(origin, "[scenario] unreliable_producers (" + std::to_string(b.unreliable) + ") are more than the " +
                           std::to_string(producers) + " producers");
  if (s.markets != 1) return bad(origin, "[scenario] a bilateral market is one market (markets = 1)");
  // Deals run on the validators' own blocks: there are no phases to step.
  s.wall_clock = true;
  return {};
}

market::result<scenario_config> read_scenario(const toml::table& doc, const std::string& origin) {
  scenario_config s;
  if (auto st = check_config(doc, scenario_file_schema(), origin); !st) return st.err();
  const auto sc = doc["scenario"];
  if (!sc.as_table()) return bad(origin, "no [scenario] section");
  const auto seed = sc["seed"].value_or(std::int64_t{1});
  if (seed < 0) return bad(origin, "[scenario] seed must not be negative");
  s.seed = static_cast<std::uint64_t>(seed);
  auto run = read_run_config(doc, origin, s.seed);
  if (!run) return run.err();
  s.run = std::move(run).value();

  auto count = [&](const char* key, std::int64_t fallback, std::int64_t lo, std::int64_t hi,
                   std::int64_t& out) -> market::status {
    out = sc[key].value_or(fallback);
    if (out < lo || out > hi)
      return bad(origin, std::string("[scenario] ") + key + " must be in " + std::to_string(lo) + ".." +
                             std::to_string(hi));
    return {};
  };
  auto decimal = [&](const char* key, std::int64_t scale, std::int64_t& out) -> market::status {
    const auto* node = sc[key].node();
    if (!node) return {};
    const auto text = node->value<std::string>();
    if (!text) return bad(origin, std::string("[scenario] ") + key + " must be a decimal in quotes");
    auto v = market::parse_scaled(*text, scale);
    if (!v) return config_fault(origin, node, std::string("[scenario] ") + key + ": " + v.err().message);
    if (v.value() < 0) return config_fault(origin, node, std::string("[scenario] ") + key + " must not be negative");
    out = v.value();
    return {};
  };
  std::int64_t v = 0;
  s.feeder = sc["feeder"].value_or(s.feeder);
  if (auto st = count("markets", 1, 1, 100'000, v); !st) return st.err();
  s.markets = static_cast<std::uint64_t>(v);
  if (auto st = count("prosumers", 55, 2, 100'000, v); !st) return st.err();
  s.prosumers = static_cast<std::size_t>(v);
  if (auto st = count("buyers", 0, 0, static_cast<std::int64_t>(s.prosumers) - 1, v); !st) return st.err();
  s.buyers = static_cast<std::size_t>(v);
  if (const auto* series = sc["series"].node()) {
    s.series = series->value_or(std::string{});
    auto p = market::find_p_scenario(s.series);
    if (!p) return config_fault(origin, series, "[scenario] series: " + p.err().message);
    if (sc["prosumers"] || sc["buyers"])
      return config_fault(origin, series, "[scenario] series sets the prosumers and buyers: leave those out");
    s.prosumers = p.value().sellers + p.value().buyers;
    s.buyers = p.value().buyers;
  }
  if (auto st = count("cycles", 3, 1, 1'000'000, v); !st) return st.err();
  s.cycles = static_cast<std::uint64_t>(v);
  if (auto st = count("cycle_seconds", 900, 1, 86'400, v); !st) return st.err();
  s.cycle_ms = static_cast<std::uint64_t>(v) * 1000;
  if (auto st = count("short_sellers", 0, 0, 100'000, v); !st) return st.err();
  s.short_sellers = static_cast<std::size_t>(v);
  if (auto st = count("silent_buyers", 0, 0, 100'000, v); !st) return st.err();
  s.silent_buyers = static_cast<std::size_t>(v);
  if (s.short_sellers + s.silent_buyers > s.prosumers)
    return config_fault(origin, sc["short_sellers"] ? sc["short_sellers"].node() : sc["silent_buyers"].node(),
                        "[scenario] short_sellers and silent_buyers (" + std::to_string(s.short_sellers) + " + " +
                           std::to_string(s.silent_buyers) + ") are more than the " + std::to_string(s.prosumers) +
                           " prosumers");
  if (auto st = count("ctp_lifetime_blocks", 300, 2, 1'000'000, v); !st) return st.err();
  s.ctp_lifetime_blocks = static_cast<std::uint64_t>(v);
  if (auto st = count("chunk_answers", 10'000, 1, 100'000'000, v); !st) return st.err();
  s.chunk_answers = static_cast<std::size_t>(v);

  const std::string clock = sc["clock"].value_or(std::string{"simulated"});
  if (clock != "simulated" && clock != "wall") return bad(origin, "[scenario] clock must be 'simulated' or 'wall'");
  s.wall_clock = clock == "wall";
  auto mech = market::parse_mechanism(sc["mechanism"].value_or(std::string{"dpda"}));
  if (!mech) return bad(origin, "[scenario] mechanism: " + mech.err().message);
  s.rules.mechanism = mech.value();
  auto policy = market::parse_surplus_policy(sc["policy"].value_or(std::string{"equal_share"}));
  if (!policy) return bad(origin, "[scenario] policy: " + policy.err().message);
  s.rules.policy = policy.value();
  if (const auto* list = sc["strategies"].as_array()) {
    s.strategies.clear();
    for (const auto& item : *list) {
      auto k = market::parse_strategy(item.value_or(std::string{}));
      if (!k || k.value() == market::strategy_kind::scripted)
        return bad(origin, "[scenario] strategies: '" + item.value_or(std::string{}) +
                               "' is not truthful, cooperative, non_cooperative or adaptive");
      s.strategies.push_back(k.value());
    }
    if (s.strategies.empty()) return bad(origin, "[scenario] strategies is empty");
  }
  if (auto st = decimal("reference_price", market::uc_per_credit, s.reference_price); !st) return st.err();
  if (auto st = decimal("min_energy_kwh", market::mwh_per_kwh, s.min_energy); !st) return st.err();
  if (auto st = decimal("max_energy_kwh", market::mwh_per_kwh, s.max_energy); !st) return st.err();
  if (s.min_energy <= 0 || s.min_energy > s.max_energy || !market::energy_in_range(s.max_energy))
    return bad(origin, "[scenario] energies must satisfy 0 < min_energy_kwh <= max_energy_kwh <= 1 GWh");
  std::int64_t charge_per_m = s.charge_uc_per_m;
  if (auto st = decimal("charge_per_m", market::uc_per_credit, charge_per_m); !st) return st.err();
  s.charge_uc_per_m = charge_per_m;
  if (auto st = decimal("penalty", market::uc_per_credit, s.penalty_ucpkwh); !st) return st.err();
  if (auto st = decimal("initial_credits", market::uc_per_credit, s.initial_credits_uc); !st) return st.err();
  // The chain's money, every account's credits summed, is one 64-bit count
  // of micro-credits; half of it is left for the DSO and the genesis balances.
  if (s.initial_credits_uc > std::numeric_limits<std::int64_t>::max() / 2 / static_cast<std::int64_t>(s.prosumers))
    return config_fault(origin, sc["initial_credits"].node(),
                        "[scenario] initial_credits: " + std::to_string(s.prosumers) +
                            " prosumers holding that much pass the chain's limit on all money (" +
                            std::to_string(std::numeric_limits<std::int64_t>::max() / 2 / market::uc_per_credit) +
                            " credits)");
  std::int64_t short_share = s.short_permille * 1000;
  if (auto st = decimal("short_delivery", market::uc_per_credit, short_share); !st) return st.err();
  if (short_share > market::uc_per_credit) return bad(origin, "[scenario] short_delivery must be at most 1");
  s.short_permille = short_share / 1000;

  if (const auto* clock_table = doc["clock"].as_table()) {
    s.clock_host = (*clock_table)["host"].value_or(s.clock_host);
    const auto port = (*clock_table)["port"].value_or(std::int64_t{0});
    if (port < 0 || port > 65'535) return bad(origin, "[clock] port must be between 0 and 65535");
    s.clock_port = static_cast<std::uint16_t>(port);
  }
  if (const auto* meters = doc["meter"].as_array())
    for (const auto& item : *meters) {
      const auto* t = item.as_table();
      if (!t) return bad(origin, "[[meter]] must be a table");
      meter_place m;
      m.party = (*t)["party"].value_or(std::string{});
      if (m.party.empty()) return bad(origin, "[[meter]] names no party");
      if (s.meter_of(m.party)) return bad(origin, "[[meter]] places the meter of " + m.party + " twice");
      m.host = (*t)["host"].value_or(m.host);
      const auto port = (*t)["port"].value_or(std::int64_t{0});
      if (port < 1 || port > 65'535) return bad(origin, "[[meter]] port of " + m.party + " must be between 1 and 65535");
      m.port = static_cast<std::uint16_t>(port);
      s.meters.push_back(std::move(m));
    }
  if (const auto* bindings = doc["meterd"].as_array()) {
    const std::filesystem::path base = std::filesystem::path(origin).parent_path();
    for (const auto& item : *bindings) {
      const auto* t = item.as_table();
      if (!t) return bad(origin, "[[meterd]] must be a table");
      meterd_binding m;
      m.party = (*t)["party"].value_or(std::string{});
      if (m.party.empty()) return bad(origin, "[[meterd]] names no party");
      if (s.meterd_of(m.party)) return bad(origin, "[[meterd]] binds the meter of " + m.party + " twice");
      m.endpoint = (*t)["endpoint"].value_or(std::string{});
      m.server_key = (*t)["server_key"].value_or(std::string{});
      m.client_key_file = (*t)["client_key_file"].value_or(std::string{});
      if (m.endpoint.empty() || m.server_key.empty() || m.client_key_file.empty())
        return bad(origin, "[[meterd]] of " + m.party + " needs endpoint, server_key and client_key_file");
      if (std::filesystem::path(m.client_key_file).is_relative()) m.client_key_file = (base / m.client_key_file).string();
      s.meterds.push_back(std::move(m));
    }
  }
  if (const auto* changes = doc["grid_change"].as_array())
    for (const auto& item : *changes) {
      const auto* t = item.as_table();
      if (!t) return bad(origin, "[[grid_change]] must be a table");
      grid_change_step step;
      const auto before = (*t)["before_cycle"].value_or(std::int64_t{0});
      if (before < 1) return bad(origin, "[[grid_change]] before_cycle must be at least 1");
      step.before_cycle = static_cast<std::uint64_t>(before);
      step.change = (*t)["change"].value_or(std::string{});
      if (step.change.empty()) return bad(origin, "[[grid_change]] has no change");
      s.grid_changes.push_back(std::move(step));
    }
  if (auto c = read_carbon(doc, origin, s, s.carbon); !c) return c.err();
  if (auto b = read_bilateral(doc, origin, s); !b) return b.err();
  s.carbon.simulated = !s.wall_clock;
  return s;
}

}  // namespace

std::string scenario_config::party_name(std::uint64_t market, std::size_t i) const {
  return markets == 1 ? "p" + std::to_string(i) : "m" + std::to_string(market) + "-p" + std::to_string(i);
}

std::optional<std::size_t> scenario_config::party_index(const std::string& name) const {
  // Digits only, no leading zero: the names party_name gives.
  auto number = [](const std::string& text, std::uint64_t bound) -> std::optional<std::uint64_t> {
    if (text.empty() || text.size() > 12 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    std::uint64_t v = 0;
    for (char ch : text) {
      if (ch < '0' || ch > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    if (v >= bound) return std::nullopt;
    return v;
  };
  std::uint64_t market = 0;
  std::string rest = name;
  if (markets > 1) {
    const auto dash = name.find("-p");
    if (name.empty() || name[0] != 'm' || dash == std::string::npos) return std::nullopt;
    auto m = number(name.substr(1, dash - 1), markets);
    if (!m) return std::nullopt;
    market = *m;
    rest = name.substr(dash + 1);
  }
  if (rest.empty() || rest[0] != 'p') return std::nullopt;
  auto i = number(rest.substr(1), prosumers);
  if (!i) return std::nullopt;
  return market * prosumers + *i;
}

bool is_scenario_file(const std::string& path) {
  auto doc = parse_toml_file(path);
  return doc && doc.value()["scenario"].as_table() != nullptr;
}

market::result<scenario_config> load_scenario(const std::string& path) {
  auto doc = parse_toml_file(path);
  if (!doc) return doc.err();
  return read_scenario(doc.value(), path);
}

market::result<scenario_config> parse_scenario(const std::string& text, const std::string& origin) {
  try {
    return read_scenario(toml::parse(text, origin), origin);
  } catch (const toml::parse_error& e) {
    return bad(origin + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
}

}  // namespace voltaic::runtime
