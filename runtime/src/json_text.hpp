#pragma once
// voltaic's one JSON string writer (private to runtime/): nlohmann-json
// escapes, and invalid UTF-8 is replaced rather than thrown. Numbers are
// written by the callers from integer units, exactly: a double would round
// large amounts of money.
// Thread-safety: a pure function.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace voltaic::runtime {

inline std::string json_quote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace voltaic::runtime
