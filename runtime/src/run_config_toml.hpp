#pragma once
// Reading a run configuration out of a parsed TOML document (private to
// runtime/): `voltaic run` files and scenario files share the [chain],
// [consensus], [genesis] and [[validator]] sections.

#include <toml++/toml.h>

#include <optional>

#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime {

// Roles of lab keys derived from a scenario's seed (chain::derived_key).
inline constexpr std::uint64_t lab_role_authority = 1;
inline constexpr std::uint64_t lab_role_dso = 2;
inline constexpr std::uint64_t lab_role_validator = 4;
inline constexpr std::uint64_t lab_role_prosumer = 10;
inline constexpr std::uint64_t lab_role_meter = 11;
inline constexpr std::uint64_t lab_role_recorder = 12;  // the lab's observer
inline constexpr std::uint64_t lab_role_manufacturer = 13;  // certifies the lab's meters
inline constexpr std::uint64_t lab_role_meter_coe = 14;     // the meters' CoE keys

market::result<toml::table> parse_toml_file(const std::string& path);

// With a lab seed, keys the document leaves out derive from it, and without
// [[validator]] entries `[scenario] validators` (default 1) in-process
// validators v0, v1, ... are made.
market::result<run_config> read_run_config(const toml::table& doc, const std::string& path,
                                           std::optional<std::uint64_t> lab_seed);

}  // namespace voltaic::runtime
