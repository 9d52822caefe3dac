#pragma once
// Checking a parsed TOML document against its file schema (private to
// runtime/; the schemas are voltaic/runtime/config_schema.hpp).

#include <toml++/toml.h>

#include <string>

#include "voltaic/market/error.hpp"
#include "voltaic/runtime/config_schema.hpp"

namespace voltaic::runtime {

// Ok, or the first fault as "PATH:LINE:COLUMN: [section] key: what".
market::status check_config(const toml::table& doc, const file_schema& schema, const std::string& path);

// A fault found across keys, at the node it is about: "PATH:LINE:COLUMN: what".
market::error config_fault(const std::string& path, const toml::node* at, const std::string& what);

}  // namespace voltaic::runtime
