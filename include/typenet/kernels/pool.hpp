// The xsimd pooling kernel: max and average over windows of HWC activations, vectorized over channels.
#pragma once

#include <typenet/geometry.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <cstddef>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// Max or average pooling of one sample over window G. Windows are clipped to
/// the input, so padding never wins a max and is never counted in an average;
/// a NaN in a window makes its max NaN, as in PyTorch and the reference.
template <window2d G, pool_op Op>
void pool(const float* in, float* out) {
  if constexpr (!simd::available) {
    reference::pool<G, Op, float>(in, out);
  } else {
    using vec = simd::vec;
    constexpr std::size_t C = G.channels, W = simd::lanes, full = C / W * W;
    constexpr bool is_max = Op == pool_op::max;
    for (std::size_t oh = 0; oh < G.out_height; ++oh) {
      const window_span rows = G.rows(oh);
      for (std::size_t ow = 0; ow < G.out_width; ++ow) {
        const window_span cols = G.cols(ow);
        const float* first = in + (rows.first * G.in_width + cols.first) * C;
        float* y = out + (oh * G.out_width + ow) * C;
        const float scale = 1.f / static_cast<float>(rows.size() * cols.size());
        for (std::size_t c = 0; c < full; c += W) {
          vec acc = is_max ? vec::load_unaligned(first + c) : vec(0.f);
          for (std::size_t ih = rows.first; ih < rows.last; ++ih)
            for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
              const vec v = vec::load_unaligned(in + (ih * G.in_width + iw) * C + c);
              // max_with_nan, lane by lane: v wins if larger or NaN; a NaN acc stays. (Not v != v:
              // AVX compares not-equal ordered, false for NaN, where SSE2's cmpneq is true.)
              acc = is_max ? xsimd::select((v > acc) | xsimd::isnan(v), v, acc) : acc + v;
            }
          if (!is_max) acc *= vec(scale);
          acc.store_unaligned(y + c);
        }
        for (std::size_t c = full; c < C; ++c) {
          float acc = is_max ? first[c] : 0.f;
          for (std::size_t ih = rows.first; ih < rows.last; ++ih)
            for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
              const float v = in[(ih * G.in_width + iw) * C + c];
              acc = is_max ? reference::max_with_nan(acc, v) : acc + v;
            }
          y[c] = is_max ? acc : acc * scale;
        }
      }
    }
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
