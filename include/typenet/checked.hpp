// Checked counts: extents, counts and byte sizes that record an overflow past 64 bits instead of wrapping.
//
// Every fact the compiler computes (a shape's values and bytes, weights,
// biases, parameters, MACs, padded extents, the network's sums) goes through
// these, so that a layer too large for std::size_t is a compile error naming
// what overflowed and the numbers (resolve() in layer.hpp reports it), never a
// count that silently wrapped to something small.
#pragma once

#include <cstddef>
#include <string_view>

namespace typenet {

/// The first operation that overflowed: `lhs op rhs` did not fit in std::size_t.
/// Plain data (no pointers), so that it can travel as a template argument.
struct overflow {
  char op = 0;  ///< '*' or '+'; 0: nothing overflowed
  std::size_t lhs = 0;
  std::size_t rhs = 0;
  char what[48]{};  ///< what was being computed ("MACs", "weights", ...), 0-terminated
  constexpr bool happened() const { return op != 0; }
  constexpr std::string_view what_text() const {
    std::size_t n = 0;
    while (n < sizeof what && what[n] != 0) ++n;
    return {what, n};
  }
};

/// A count computed with checked arithmetic: its value, or the first operation
/// that overflowed (later operations keep that one). Converts from std::size_t,
/// so a layer writes `checked{f_h} * f_w * depth` and hands the result to
/// make_facts().
struct checked {
  std::size_t value = 0;
  overflow failed{};

  constexpr checked() = default;
  constexpr checked(std::size_t v) : value(v) {}  // NOLINT: implicit, so that plain numbers mix in
  constexpr checked(std::size_t v, overflow o) : value(v), failed(o) {}

  constexpr bool ok() const { return !failed.happened(); }

  /// The same count, its overflow (if any) labelled with what was being computed.
  constexpr checked as(std::string_view what) const {
    checked c = *this;
    if (!c.ok() && c.failed.what[0] == 0)
      for (std::size_t i = 0; i < what.size() && i + 1 < sizeof c.failed.what; ++i) c.failed.what[i] = what[i];
    return c;
  }

  friend constexpr checked operator*(checked a, checked b) {
    if (!a.ok()) return a;
    if (!b.ok()) return b;
    std::size_t r = 0;
    if (__builtin_mul_overflow(a.value, b.value, &r)) return {0, {'*', a.value, b.value}};
    return r;
  }
  friend constexpr checked operator+(checked a, checked b) {
    if (!a.ok()) return a;
    if (!b.ok()) return b;
    std::size_t r = 0;
    if (__builtin_add_overflow(a.value, b.value, &r)) return {0, {'+', a.value, b.value}};
    return r;
  }
};

/// H x W x C values, checked.
constexpr checked volume_values(std::size_t height, std::size_t width, std::size_t depth) {
  return checked{height} * width * depth;
}

/// n values as float, in bytes, checked.
constexpr checked bytes_as_float(checked n) { return n * sizeof(float); }

}  // namespace typenet
