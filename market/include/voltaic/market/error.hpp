#pragma once
// Errors of the market layer: a fixed-value code plus a sentence for people.
//
// The pure layers never throw across their API; they return result<T> or
// status. Codes have fixed values because peers and tests compare them.
// Thread-safety: plain values.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace voltaic::market {

enum class errc : std::uint8_t {
  invalid_number = 1,   // not a finite decimal number
  out_of_range = 2,     // outside the named range of a unit
  duplicate_id = 3,     // two orders with one id in one auction
  invalid_field = 4,    // a field that is not one of its allowed values
  missing_field = 5,    // a required column or value is absent
  unknown_bus = 6,      // a location that is not a bus of the grid
  disconnected = 7,     // two buses with no in-service path between them
  io_error = 8,         // a file that cannot be read
  malformed_file = 9,   // a file whose structure is wrong (header, columns)
  missing_distance = 10,// a buyer/seller pair without a distance
  invalid_argument = 11,// a caller's option outside its domain
  too_large = 12,       // input larger than the memory it may use
};

struct error {
  errc code;
  std::string message;  // one sentence: what, and where
};

// Either a value or an error. Small and explicit on purpose: callers test
// ok() and then read value() or err().
template <class T>
class result {
 public:
  result(T value) : state_(std::move(value)) {}              // NOLINT
  result(error e) : state_(std::move(e)) {}                  // NOLINT
  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const error& err() const { return std::get<1>(state_); }

 private:
  std::variant<T, error> state_;
};

// A result without a value.
class status {
 public:
  status() = default;
  status(error e) : error_(std::move(e)), failed_(true) {}   // NOLINT
  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const error& err() const { return error_; }

 private:
  error error_{errc::invalid_argument, {}};
  bool failed_ = false;
};

inline error make_error(errc code, std::string message) {
  return error{code, std::move(message)};
}

}  // namespace voltaic::market
