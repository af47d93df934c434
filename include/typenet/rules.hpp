// The lecture's shape rules for sliding windows, each a named constexpr predicate.
#pragma once

#include <typenet/geometry.hpp>

#include <cstddef>

namespace typenet {

/// Rule: the window must fit in the padded input, F <= N + 2P.
constexpr bool window_fits(window_axis a) { return a.f <= a.padded(); }

/// What is left over when the windows are laid: (N + 2P - F) mod S.
/// Requires window_fits(a).
constexpr std::size_t left_over(window_axis a) { return (a.padded() - a.f) % a.s; }

/// Rule: the windows tile the padded input exactly, (N + 2P - F) divisible by S.
constexpr bool windows_tile(window_axis a) { return left_over(a) == 0; }

/// Rule: pooling pads at most half the window on each side (beyond that, a
/// window could see nothing but padding).
constexpr bool pool_padding_within_half_window(window_axis a) {
  return a.pad_before <= a.f / 2 && a.pad_after <= a.f / 2;
}

/// Every rule of one window axis holds under rounding r.
constexpr bool window_axis_ok(window_axis a, rounding r) {
  return a.f > 0 && a.s > 0 && window_fits(a) && (r != rounding::exact || windows_tile(a));
}

}  // namespace typenet
