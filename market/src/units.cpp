#include "voltaic/market/units.hpp"

#include <cmath>
#include <cstdlib>

namespace voltaic::market {

std::int64_t div_round_half_even(int128 num, std::int64_t den) {
  int128 q = num / den;
  int128 r = num % den;  // same sign as num
  if (r < 0) {             // floor division
    r += den;
    q -= 1;
  }
  const int128 twice = 2 * r;
  if (twice > den || (twice == den && (q % 2 != 0))) q += 1;
  return static_cast<std::int64_t>(q);
}

result<std::int64_t> round_half_even(double value) {
  if (!std::isfinite(value)) return make_error(errc::invalid_number, "not a finite number");
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (value >= 9223372036854775808.0 || value < -9223372036854775808.0)
    return make_error(errc::out_of_range, "number too large");
  const double nearest = std::nearbyint(value);  // default mode: half to even
  return static_cast<std::int64_t>(nearest);
}

result<std::int64_t> to_scaled(double value, std::int64_t scale) {
  if (!std::isfinite(value)) return make_error(errc::invalid_number, "not a finite number");
  return round_half_even(value * static_cast<double>(scale));
}

money_uc money_for(price_ucpkwh price, energy_mwh energy) {
  return div_round_half_even(static_cast<int128>(price) * energy, mwh_per_kwh);
}

namespace {

// The text as a message may quote it: control bytes (a NUL would end the
// line early on a terminal) as \xNN.
std::string quoted(std::string_view text) {
  static const char* hex = "0123456789abcdef";
  std::string out = "'";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

result<std::int64_t> parse_scaled(std::string_view text, std::int64_t scale) {
  const auto bad = [&] {
    return make_error(errc::invalid_number,
                      quoted(text) + " is not a decimal number");
  };
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  std::size_t end = text.size();
  while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r')) --end;
  bool negative = false;
  if (i < end && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  if (i >= end) return bad();
  int scale_digits = 0;
  for (std::int64_t s = scale; s > 1; s /= 10) ++scale_digits;

  int128 value = 0;
  bool any_digit = false, seen_point = false;
  int fraction_digits = 0;
  int first_dropped = -1;      // first digit beyond the scale
  bool dropped_nonzero = false;  // any non-zero digit after the first dropped one
  constexpr int128 limit = static_cast<int128>(1) << 100;
  for (; i < end; ++i) {
    const char c = text[i];
    if (c == '.') {
      if (seen_point) return bad();
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return bad();
    any_digit = true;
    const int digit = c - '0';
    if (seen_point) {
      if (fraction_digits >= scale_digits) {
        if (first_dropped < 0) first_dropped = digit;
        else if (digit != 0) dropped_nonzero = true;
        continue;
      }
      ++fraction_digits;
    }
    value = value * 10 + digit;
    if (value > limit) return make_error(errc::out_of_range, quoted(text) + " is too large");
  }
  if (!any_digit) return bad();
  for (; fraction_digits < scale_digits; ++fraction_digits) value *= 10;
  if (first_dropped > 5 || (first_dropped == 5 && (dropped_nonzero || value % 2 != 0))) value += 1;
  if (negative) value = -value;
  if (value > std::numeric_limits<std::int64_t>::max() || value < std::numeric_limits<std::int64_t>::min())
    return make_error(errc::out_of_range, quoted(text) + " is too large");
  return static_cast<std::int64_t>(value);
}

void append_scaled(std::string& out, std::int64_t value, std::int64_t scale) {
  // Built in a stack buffer: reports format millions of these.
  // Every int64 magnitude, INT64_MIN's included, fits 64 unsigned bits: no
  // 128-bit division, which took a fifth of a million-row table's time.
  const bool negative = value < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  auto whole = magnitude / static_cast<std::uint64_t>(scale);
  auto fraction = magnitude % static_cast<std::uint64_t>(scale);
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  int places = 0;
  for (std::int64_t s = scale; s > 1; s /= 10) ++places;
  for (int k = 0; k < places; ++k) {
    *--p = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  char* digits_end = end;
  while (digits_end - p > 1 && digits_end[-1] == '0') --digits_end;
  if (places == 0) *--p = '0', digits_end = end;
  *--p = '.';
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole > 0);
  if (negative) *--p = '-';
  out.append(p, digits_end);
}

std::string format_scaled(std::int64_t value, std::int64_t scale) {
  std::string out;
  append_scaled(out, value, scale);
  return out;
}

}  // namespace voltaic::market
