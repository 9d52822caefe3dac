#include "voltaic/runtime/config_schema.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "config_check.hpp"

namespace voltaic::runtime {

namespace {

constexpr std::int64_t hour_ms = 3'600'000;
constexpr std::int64_t most = std::numeric_limits<std::int64_t>::max();

key_rule text(std::string name, std::int64_t min_len = 0, std::int64_t max_len = 4'096) {
  return {std::move(name), value_kind::text, min_len, max_len, {}};
}
key_rule integer(std::string name, std::int64_t lo, std::int64_t hi) {
  return {std::move(name), value_kind::integer, lo, hi, {}};
}
key_rule of_kind(std::string name, value_kind kind) { return {std::move(name), kind, 0, 0, {}}; }

std::vector<section_rule> run_sections() {
  return {
      {"chain", false, {text("id", 1, 64), text("dir", 1), integer("genesis_time_ms", 0, most)}},
      {"consensus",
       false,
       {integer("timeout_propose_ms", 1, hour_ms), integer("timeout_prevote_ms", 1, hour_ms),
        integer("timeout_precommit_ms", 1, hour_ms), integer("timeout_increment_ms", 0, hour_ms),
        // Zero would resend without pause: a busy loop (hostile test F11).
        integer("gossip_ms", 1, hour_ms), integer("max_block_txs", 1, 1'000'000),
        integer("empty_block_interval_ms", 1, hour_ms)}},
      {"genesis",
       false,
       {of_kind("authority", value_kind::key_hex),
        text("authority_key_file", 1),
        of_kind("dso", value_kind::key_hex),
        of_kind("manufacturers", value_kind::key_list),
        {"balances",
         value_kind::tables,
         0,
         0,
         {of_kind("account", value_kind::key_hex), of_kind("credits", value_kind::decimal_text)}}}},
      {"validator",
       true,
       {text("name", 1, 64), of_kind("public_key", value_kind::key_hex), text("key_file", 1), text("host", 1, 255),
        integer("port", 1, 65'535), integer("power", 1, 1'000'000)}},
  };
}

file_schema make_scenario_schema() {
  file_schema s{"scenario file", run_sections()};
  s.sections.push_back({"scenario",
                        false,
                        {integer("seed", 0, most),
                         integer("validators", 1, 100),
                         text("feeder", 1, 64),
                         integer("markets", 1, 100'000),
                         integer("prosumers", 2, 100'000),
                         integer("buyers", 0, 99'999),
                         text("series", 4, 5),
                         integer("cycles", 1, 1'000'000),
                         integer("cycle_seconds", 1, 86'400),
                         integer("short_sellers", 0, 100'000),
                         integer("silent_buyers", 0, 100'000),
                         integer("ctp_lifetime_blocks", 2, 1'000'000),
                         integer("chunk_answers", 1, 100'000'000),
                         text("clock", 1, 16),
                         text("mechanism", 1, 32),
                         text("policy", 1, 32),
                         of_kind("strategies", value_kind::text_list),
                         of_kind("reference_price", value_kind::decimal_text),
                         of_kind("min_energy_kwh", value_kind::decimal_text),
                         of_kind("max_energy_kwh", value_kind::decimal_text),
                         of_kind("charge_per_m", value_kind::decimal_text),
                         of_kind("penalty", value_kind::decimal_text),
                         of_kind("initial_credits", value_kind::decimal_text),
                         of_kind("short_delivery", value_kind::decimal_text),
                         text("market", 1, 16),
                         text("settlement", 1, 16),
                         integer("routers", 1, 1'000),
                         of_kind("negotiators", value_kind::text_list),
                         integer("unreliable_producers", 0, 100'000),
                         of_kind("fresh_keys", value_kind::boolean)}});
  s.sections.push_back({"clock", false, {text("host", 1, 255), integer("port", 0, 65'535)}});
  s.sections.push_back({"meter", true, {text("party", 1, 64), text("host", 1, 255), integer("port", 1, 65'535)}});
  s.sections.push_back({"meterd",
                        true,
                        {text("party", 1, 64), text("endpoint", 1, 255), text("server_key", 40, 40),
                         text("client_key_file", 1)}});
  s.sections.push_back({"router", true, {text("host", 1, 255), integer("port", 1, 65'535)}});
  s.sections.push_back({"grid_change", true, {integer("before_cycle", 1, most), text("change", 1)}});
  s.sections.push_back({"carbon",
                        false,
                        {integer("validators", 1, 100), integer("delta_g_per_kwh", 0, 10'000),
                         integer("period", 0, 1'000'000), integer("allowance_kg", 0, 10'000'000'000),
                         integer("block_interval_s", 1, 31'536'000), text("prices_file", 1),
                         integer("periods", 1, 1'000), text("host", 1, 255), integer("port", 0, 65'535)}});
  s.sections.push_back({"carbon_validator", true, {text("host", 1, 255), integer("port", 1, 65'535)}});
  s.sections.push_back({"carbon_participant",
                        true,
                        {integer("bus", 1, 33), text("role", 3, 3), integer("generation_kwh", 0, 1'000'000'000'000),
                         integer("estimate_kg", 0, 10'000'000'000), integer("emissions_kg", 0, 10'000'000'000),
                         text("price", 1, 32),
                         {"monthly_kwh", value_kind::integer_list, 0, 100'000'000'000, {}},
                         text("house", 1, 64)}});
  return s;
}

// Edits between two names (insert, delete, replace, swap two neighbours),
// for "did you mean".
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// " (did you mean 'x'?)" for the nearest name within a third of its length, else "".
// Of names as near, the one as long as the typo.
template <class Rules>
std::string near_miss(const std::string& name, const Rules& rules) {
  std::string best;
  auto score = [&](const std::string& candidate) {
    const std::size_t length_gap =
        candidate.size() > name.size() ? candidate.size() - name.size() : name.size() - candidate.size();
    return std::make_pair(distance(name, candidate), length_gap);
  };
  auto best_score = std::make_pair(std::max<std::size_t>(2, name.size() / 3 + 1), std::size_t{0});
  for (const auto& r : rules)
    if (const auto sc = score(r.name); sc < best_score) best = r.name, best_score = sc;
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string where(const std::string& path, const toml::source_region& at) {
  return path + ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column);
}

market::error fault(const std::string& path, const toml::source_region& at, const std::string& what) {
  return market::make_error(market::errc::malformed_file, where(path, at) + ": " + what);
}

bool is_key_hex(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool is_decimal(const std::string& s) {
  std::size_t i = s.empty() || s[0] != '-' ? 0 : 1, digits = 0, points = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '.')
      ++points;
    else if (s[i] >= '0' && s[i] <= '9')
      ++digits;
    else
      return false;
  }
  return digits > 0 && points <= 1;
}

const char* kind_name(value_kind k) {
  switch (k) {
    case value_kind::text:
      return "a string";
    case value_kind::integer:
      return "an integer";
    case value_kind::decimal_text:
      return "a decimal in quotes (\"0.20\")";
    case value_kind::key_hex:
      return "a public key of 64 hex digits in quotes";
    case value_kind::text_list:
      return "an array of strings";
    case value_kind::key_list:
      return "an array of public keys (64 hex digits each)";
    case value_kind::integer_list:
      return "an array of integers";
    case value_kind::boolean:
      return "true or false";
    case value_kind::tables:
      return "an array of tables";
  }
  return "?";
}

market::status check_keys(const toml::table& t, const std::vector<key_rule>& rules, const std::string& label,
                          const std::string& path);

market::status check_value(const toml::node& v, const key_rule& rule, const std::string& label,
                           const std::string& path) {
  auto wrong = [&] { return fault(path, v.source(), label + " must be " + kind_name(rule.kind)); };
  switch (rule.kind) {
    case value_kind::text: {
      const auto* s = v.as_string();
      if (!s) return wrong();
      const auto n = static_cast<std::int64_t>(s->get().size());
      if (n < rule.min || n > rule.max)
        return fault(
            path, v.source(),
            label + " must be " + std::to_string(rule.min) + " to " + std::to_string(rule.max) + " bytes long");
      return {};
    }
    case value_kind::integer: {
      const auto* i = v.as_integer();
      if (!i) return wrong();
      if (i->get() < rule.min || i->get() > rule.max)
        return fault(path, v.source(),
                     label + " must be in " + std::to_string(rule.min) + ".." + std::to_string(rule.max) + ", not " +
                         std::to_string(i->get()));
      return {};
    }
    case value_kind::decimal_text: {
      const auto* s = v.as_string();
      if (!s || !is_decimal(s->get())) return wrong();
      return {};
    }
    case value_kind::key_hex: {
      const auto* s = v.as_string();
      if (!s || !is_key_hex(s->get())) return wrong();
      return {};
    }
    case value_kind::text_list:
    case value_kind::key_list: {
      const auto* a = v.as_array();
      if (!a) return wrong();
      for (const auto& item : *a) {
        const auto* s = item.as_string();
        if (!s || (rule.kind == value_kind::key_list && !is_key_hex(s->get()))) return wrong();
      }
      return {};
    }
    case value_kind::boolean:
      if (!v.as_boolean()) return wrong();
      return {};
    case value_kind::integer_list: {
      const auto* a = v.as_array();
      if (!a) return wrong();
      for (const auto& item : *a) {
        const auto* i = item.as_integer();
        if (!i) return wrong();
        if (i->get() < rule.min || i->get() > rule.max)
          return fault(path, item.source(),
                       label + " values must be in " + std::to_string(rule.min) + ".." + std::to_string(rule.max) +
                           ", not " + std::to_string(i->get()));
      }
      return {};
    }
    case value_kind::tables: {
      const auto* a = v.as_array();
      if (!a) return wrong();
      for (const auto& item : *a) {
        const auto* t = item.as_table();
        if (!t) return wrong();
        if (auto s = check_keys(*t, rule.fields, label, path); !s) return s;
      }
      return {};
    }
  }
  return {};
}

// Every key of a table is one of `rules` and holds what its rule asks.
market::status check_keys(const toml::table& t, const std::vector<key_rule>& rules, const std::string& label,
                          const std::string& path) {
  for (const auto& [k, v] : t) {
    const std::string name(k.str());
    auto rule = std::find_if(rules.begin(), rules.end(), [&](const key_rule& r) { return r.name == name; });
    if (rule == rules.end())
      return fault(path, k.source(), label + ": unknown key '" + name + "'" + near_miss(name, rules));
    if (auto s = check_value(v, *rule, label + " " + name, path); !s) return s;
  }
  return {};
}

}  // namespace

const file_schema& meter_file_schema() {
  static const file_schema s{
      "meter file",
      {{"source",
        false,
        {text("kind", 1, 16), text("address", 1, 255), integer("unit", 0, 247), text("map", 1), text("device", 1),
         integer("baud", 300, 4'000'000), text("chip", 1, 255), integer("line", 0, 1'023),
         integer("pulses_per_kwh", 1, 1'000'000), text("direction", 6, 6), text("file", 1)}},
       {"publish", false, {text("endpoint", 1, 255)}},
       {"curve", false, {text("secret_key_file", 1), text("allowed_clients_file", 1)}},
       {"journal", false, {text("dir", 1)}},
       // Ten reads a second at most: a meter's registers are not a stream.
       {"meter", false, {text("key_file", 1), integer("interval_ms", 100, hour_ms)}}}};
  return s;
}

const file_schema& experiment_file_schema() {
  static const file_schema s{"experiment file",
                             {{"experiment",
                               false,
                               {of_kind("series", value_kind::text_list), of_kind("behaviours", value_kind::text_list),
                                of_kind("mechanisms", value_kind::text_list),
                                of_kind("policies", value_kind::text_list), text("seeds", 1, 64),
                                text("feeder", 1), text("engine", 3, 6), integer("cycles", 1, 10'000)}}}};
  return s;
}

const file_schema& run_file_schema() {
  static const file_schema s{"run file", run_sections()};
  return s;
}

const file_schema& scenario_file_schema() {
  static const file_schema s = make_scenario_schema();
  return s;
}

market::error config_fault(const std::string& path, const toml::node* at, const std::string& what) {
  if (!at) return market::make_error(market::errc::malformed_file, path + ": " + what);
  return fault(path, at->source(), what);
}

market::status check_config(const toml::table& doc, const file_schema& schema, const std::string& path) {
  for (const auto& [k, v] : doc) {
    const std::string name(k.str());
    auto section = std::find_if(schema.sections.begin(), schema.sections.end(),
                                [&](const section_rule& s) { return s.name == name; });
    if (section == schema.sections.end())
      return fault(path, k.source(),
                   "unknown section or key '" + name + "' in a " + schema.what + near_miss(name, schema.sections));
    if (section->repeated) {
      const auto* list = v.as_array();
      if (!list) return fault(path, v.source(), "[[" + name + "]] must be written as [[" + name + "]] tables");
      for (const auto& item : *list) {
        const auto* t = item.as_table();
        if (!t) return fault(path, item.source(), "[[" + name + "]] must be a table");
        if (auto s = check_keys(*t, section->keys, "[[" + name + "]]", path); !s) return s;
      }
      continue;
    }
    const auto* t = v.as_table();
    if (!t) return fault(path, v.source(), "[" + name + "] must be a section");
    if (auto s = check_keys(*t, section->keys, "[" + name + "]", path); !s) return s;
  }
  return {};
}

}  // namespace voltaic::runtime
