// The lecture's shape rules for sliding windows, each a named constexpr predicate.
#pragma once

#include <typenet/options.hpp>

#include <cstddef>

namespace typenet {

/// One axis of a sliding window (convolution or pooling): input extent N,
/// window F, zero padding before and after, stride S. The lecture's P is
/// `pad_before` = `pad_after`.
struct window_axis {
  std::size_t n;
  std::size_t f;
  std::size_t pad_before;
  std::size_t pad_after;
  std::size_t s;

  /// N + 2P: the extent the window slides over.
  constexpr std::size_t padded() const { return n + pad_before + pad_after; }
};

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

/// The lecture's output size, (N + 2P - F) / S + 1, with the chosen rounding.
/// Rounding up keeps a partial last window only if it starts inside the input
/// or its leading padding, as PyTorch's ceil_mode does. Requires window_fits(a).
constexpr std::size_t output_extent(window_axis a, rounding r) {
  const std::size_t span = a.padded() - a.f;
  if (r != rounding::up) return span / a.s + 1;
  std::size_t out = (span + a.s - 1) / a.s + 1;
  if ((out - 1) * a.s >= a.n + a.pad_before) --out;
  return out;
}

/// Every rule of one window axis holds under rounding r.
constexpr bool window_axis_ok(window_axis a, rounding r) {
  return a.f > 0 && a.s > 0 && window_fits(a) && (r != rounding::exact || windows_tile(a));
}

}  // namespace typenet
