// The xsimd pooling kernel: max and average over windows of HWC activations, vectorized over channels.
#pragma once

#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <cstddef>

namespace typenet::kernels {

/// Max or average pooling of one sample. Windows are clipped to the input, so
/// padding never wins a max and is never counted in an average.
template <class L, shape In, shape Out>
void pool(const float* in, float* out) {
  if constexpr (!simd::available) {
    reference::pool<L, In, Out, float>(in, out);
  } else {
    using G = typename L::geometry;
    using vec = simd::vec;
    constexpr std::size_t C = In.depth, W = simd::lanes, full = C / W * W;
    constexpr bool is_max = L::op == pool_op::max;
    for (std::size_t oh = 0; oh < Out.height; ++oh) {
      const window_span rows = covered(oh, L::strides.height, G::window_size.height, G::pads.top, In.height);
      for (std::size_t ow = 0; ow < Out.width; ++ow) {
        const window_span cols = covered(ow, L::strides.width, G::window_size.width, G::pads.left, In.width);
        const float* first = in + (rows.first * In.width + cols.first) * C;
        float* y = out + (oh * Out.width + ow) * C;
        const float scale = 1.f / static_cast<float>((rows.last - rows.first) * (cols.last - cols.first));
        for (std::size_t c = 0; c < full; c += W) {
          vec acc = is_max ? vec::load_unaligned(first + c) : vec(0.f);
          for (std::size_t ih = rows.first; ih < rows.last; ++ih)
            for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
              const vec v = vec::load_unaligned(in + (ih * In.width + iw) * C + c);
              acc = is_max ? xsimd::max(acc, v) : acc + v;
            }
          if (!is_max) acc *= vec(scale);
          acc.store_unaligned(y + c);
        }
        for (std::size_t c = full; c < C; ++c) {
          float acc = is_max ? first[c] : 0.f;
          for (std::size_t ih = rows.first; ih < rows.last; ++ih)
            for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
              const float v = in[(ih * In.width + iw) * C + c];
              acc = is_max ? (v > acc ? v : acc) : acc + v;
            }
          y[c] = is_max ? acc : acc * scale;
        }
      }
    }
  }
}

}  // namespace typenet::kernels
