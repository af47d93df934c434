// Sliding-window arithmetic: one axis of a window, the output extent, the input rows a window covers.
//
// Plain numbers and no templates: the shape rules (rules.hpp), the layers
// and the kernels all compute windows with these, so the arithmetic lives
// in one place.
#pragma once

#include <cstddef>

namespace typenet {

/// How to treat windows that do not tile the padded input.
enum class rounding {
  exact,  ///< the lecture's rule: (N + 2P - F) must be a multiple of S
  down,   ///< drop the last partial window (PyTorch's default, floor)
  up,     ///< keep it, as PyTorch's ceil_mode does
};

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

/// The lecture's output size, (N + 2P - F) / S + 1, with the chosen rounding.
/// Rounding up keeps a partial last window only if it starts inside the input
/// or its leading padding, as PyTorch's ceil_mode does. Requires F <= N + 2P.
constexpr std::size_t output_extent(window_axis a, rounding r) {
  const std::size_t span = a.padded() - a.f;
  if (r != rounding::up) return span / a.s + 1;
  std::size_t out = span / a.s + (span % a.s != 0) + 1;  // not (span + S - 1) / S, which can wrap
  if ((out - 1) * a.s >= a.n + a.pad_before) --out;
  return out;
}

/// First index and one-past-last index of the input rows (or columns) that
/// output position o's window covers, clipped to the input: padding is skipped.
struct window_span {
  std::size_t first, last;
  constexpr std::size_t size() const { return last - first; }
};
/// Part `part` of `parts` near-equal shares of n items ([n * part / parts, n * (part + 1) / parts)):
/// how a layer run on several threads divides its rows or blocks.
constexpr window_span share(std::size_t n, std::size_t part, std::size_t parts) {
  return {n * part / parts, n * (part + 1) / parts};
}
constexpr window_span covered(std::size_t o, std::size_t stride, std::size_t window, std::size_t pad_before,
                              std::size_t n) {
  const std::size_t start = o * stride;  // in padded coordinates
  const std::size_t first = start < pad_before ? 0 : start - pad_before;
  const std::size_t end = start + window < pad_before ? 0 : start + window - pad_before;
  return {first, end < n ? end : n};
}

/// Everything a kernel needs to know about a 2-D sliding window over an
/// H x W x C volume (HWC): plain numbers, usable as a template argument.
struct window2d {
  std::size_t in_height, in_width, channels;  ///< the input volume
  std::size_t out_height, out_width;          ///< the output grid
  std::size_t window_height, window_width;    ///< F_h, F_w
  std::size_t stride_height, stride_width;    ///< S_h, S_w
  std::size_t pad_top, pad_bottom, pad_left, pad_right;

  /// Input rows covered by output row o (padding skipped).
  constexpr window_span rows(std::size_t o) const { return covered(o, stride_height, window_height, pad_top, in_height); }
  /// Input columns covered by output column o (padding skipped).
  constexpr window_span cols(std::size_t o) const { return covered(o, stride_width, window_width, pad_left, in_width); }
};

}  // namespace typenet
