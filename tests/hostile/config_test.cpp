// Every key of every configuration file type (config_schema.hpp), given a
// value of the wrong type, a value out of range and a misspelt name: each
// is refused with the file, the line and the key, never replaced by a
// default or ignored (hostile test F11). Then the checks across keys, and
// `voltaic run` answering such a file with one line and exit 2.
#include "voltaic/runtime/config_schema.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"
#include "voltaic/runtime/meter_config.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"

using namespace voltaic::runtime;

namespace {

// A section header.
std::string header(const section_rule& s) { return s.repeated ? "[[" + s.name + "]]\n" : "[" + s.name + "]\n"; }

// A file of `schema`'s type with `assignment` in `section`; `line` is where
// it is. A scenario file also gets what its reader needs to reach the key
// ([chain] id, a [scenario] section).
std::string file_with(const file_schema& schema, const section_rule& section, const std::string& assignment,
                      std::size_t& line) {
  std::string text;
  auto put = [&](const std::string& s) {
    line = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    text += s + "\n";
  };
  if (schema.what != "scenario file") {
    text = header(section);
    put(assignment);
    return text;
  }
  text = "[chain]\n";
  if (section.name == "chain") put(assignment);
  if (section.name != "chain" || assignment.rfind("id ", 0) != 0) text += "id = \"schema\"\n";
  text += "\n[scenario]\n";
  if (section.name == "scenario") put(assignment);
  if (section.name != "chain" && section.name != "scenario") {
    text += "\n" + header(section);
    put(assignment);
  }
  return text;
}

// Values of the wrong kind, and out of range, for a rule.
std::vector<std::string> bad_values(const key_rule& r) {
  std::vector<std::string> v;
  switch (r.kind) {
    case value_kind::text:
      v = {"5"};
      if (r.min > 0) v.push_back("\"\"");
      if (r.max < 4'096) v.push_back("\"" + std::string(static_cast<std::size_t>(r.max) + 1, 'x') + "\"");
      break;
    case value_kind::integer:
      v = {"\"7\"", "55.5"};
      if (r.min > std::numeric_limits<std::int64_t>::min()) v.push_back(std::to_string(r.min - 1));
      if (r.max < std::numeric_limits<std::int64_t>::max()) v.push_back(std::to_string(r.max + 1));
      break;
    case value_kind::decimal_text:
      v = {"0.5", "\"0.2x\""};
      break;
    case value_kind::key_hex:
      v = {"7", "\"abc\""};
      break;
    case value_kind::text_list:
      v = {"\"one\"", "[1, 2]"};
      break;
    case value_kind::key_list:
      v = {"\"one\"", "[\"abc\"]"};
      break;
    case value_kind::tables:
      v = {"3", "[1]"};
      break;
  }
  return v;
}

// Two neighbouring letters swapped: a typo the "did you mean" must catch.
std::string misspelt(std::string name) {
  for (std::size_t i = 0; i + 1 < name.size(); ++i)
    if (name[i] != name[i + 1] && name[i] != '_' && name[i + 1] != '_') {
      std::swap(name[i], name[i + 1]);
      return name;
    }
  return name + "x";
}

// Loads `text` as a file of `schema`'s type: the error, or "" when it loads.
std::string refusal(const file_schema& schema, const std::string& text) {
  const std::string path = "schema_case.toml";
  std::ofstream(path) << text;
  if (schema.what == "scenario file") {
    auto r = load_scenario(path);
    return r ? "" : r.err().message;
  }
  if (schema.what == "meter file") {
    auto r = load_meter_config(path);
    return r ? "" : r.err().message;
  }
  auto r = load_run_config(path);
  return r ? "" : r.err().message;
}

struct case_count {
  std::size_t keys = 0, cases = 0;
};

// Each case: the refusal names the file, the line of the key and the key.
void check_every_key(const file_schema& schema, case_count& n) {
  for (const auto& section : schema.sections) {
    for (const auto& key : section.keys) {
      ++n.keys;
      auto expect_refused = [&](const std::string& assignment, const std::string& names) {
        std::size_t line = 0;
        const std::string text = file_with(schema, section, assignment, line);
        const std::string why = refusal(schema, text);
        CAPTURE(schema.what);
        CAPTURE(text);
        CHECK_MESSAGE(why.rfind("schema_case.toml:" + std::to_string(line) + ":", 0) == 0, why);
        CHECK_MESSAGE(why.find(names) != std::string::npos, why);
        ++n.cases;
      };
      for (const auto& v : bad_values(key)) expect_refused(key.name + " = " + v, key.name);
      expect_refused(misspelt(key.name) + " = 1", "did you mean '" + key.name + "'");
      for (const auto& field : key.fields) {
        for (const auto& v : bad_values(field))
          expect_refused(key.name + " = [ { " + field.name + " = " + v + " } ]", field.name);
        expect_refused(key.name + " = [ { " + misspelt(field.name) + " = 1 } ]", "did you mean '" + field.name + "'");
      }
    }
  }
  // A misspelt section is named too.
  for (const auto& section : schema.sections) {
    const std::string why = refusal(schema, "[" + misspelt(section.name) + "]\n");
    CHECK_MESSAGE(why.find("did you mean '" + section.name + "'") != std::string::npos, why);
  }
}

}  // namespace

TEST_CASE(
    "every key of every configuration file: wrong types, out-of-range values and typos are refused at their line") {
  case_count n;
  check_every_key(run_file_schema(), n);
  check_every_key(scenario_file_schema(), n);
  check_every_key(meter_file_schema(), n);
  MESSAGE(n.keys << " keys, " << n.cases << " refused cases");
  CHECK(n.keys >= 60);  // both file types: the run file's sections again in the scenario's
  std::filesystem::remove("schema_case.toml");
}

TEST_CASE("checks across keys: duplicate validators, counts beyond the prosumers, money beyond the chain's limit") {
  const file_schema& scenario = scenario_file_schema();
  const std::string base = "[chain]\nid = \"schema\"\n\n[scenario]\nprosumers = 10\n";
  auto v = [](const std::string& name, int port, const std::string& key = "") {
    return "\n[[validator]]\nname = \"" + name + "\"\nport = " + std::to_string(port) + "\n" +
           (key.empty() ? "" : "public_key = \"" + key + "\"\n");
  };
  const std::string k1(64, 'a'), k2(64, 'b');
  CHECK(refusal(scenario, base + v("v0", 27100) + v("v0", 27101)).find("v0 is listed twice") != std::string::npos);
  CHECK(refusal(scenario, base + v("v0", 27100) + v("v1", 27100)).find("both listen on 127.0.0.1:27100") !=
        std::string::npos);
  CHECK(refusal(scenario, base + v("v0", 27100, k1) + v("v1", 27101, k1)).find("have the same key") !=
        std::string::npos);
  CHECK(refusal(scenario, base + v("v0", 27100, k1) + v("v1", 27101, k2)).empty());
  CHECK(refusal(scenario, base + "short_sellers = 6\nsilent_buyers = 5\n").find("more than the 10 prosumers") !=
        std::string::npos);
  CHECK(refusal(scenario, base + "short_sellers = 5\nsilent_buyers = 5\n").empty());
  CHECK(refusal(scenario, base + "initial_credits = \"922337203685\"\n").find("schema_case.toml:6:") == 0);
  CHECK(refusal(scenario, base + "initial_credits = \"1000000\"\n").empty());
  std::filesystem::remove("schema_case.toml");
}

TEST_CASE("voltaic run refuses a misconfigured file with one line naming file, line and key, exit 2") {
  std::ofstream("schema_run.toml") << "[chain]\nid = \"schema\"\n\n[scenario]\ncylces = 1\n";
  const auto r = voltaic::test::run_command(std::string(VOLTAIC_BIN) + " run schema_run.toml --out schema_run_out");
  CHECK(r.status == 2);
  CHECK(r.err == "voltaic run: schema_run.toml:5:1: [scenario]: unknown key 'cylces' (did you mean 'cycles'?)\n");
  CHECK_FALSE(std::filesystem::exists("schema_run_out"));
  std::ofstream("schema_run.toml") << "[consensus]\ngossip_ms = 0\n";
  const auto l = voltaic::test::run_command(std::string(VOLTAIC_BIN) + " load --config schema_run.toml --rate 1");
  CHECK(l.status == 2);
  CHECK(l.err == "voltaic load: schema_run.toml:2:13: [consensus] gossip_ms must be in 1..3600000, not 0\n");
  std::filesystem::remove("schema_run.toml");
}
