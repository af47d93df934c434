// The xsimd kernel of grouped and depthwise convolution on HWC activations (conv<..., groups<G>> and depthwise).
//
// Depthwise (one input channel per group, one filter per channel: MobileNet's
// 3x3 layers) is a per-channel stencil: each output channel is its own input
// channel's window times its own F_h x F_w weights, so the kernel vectorizes
// across channels, which are contiguous in HWC, and walks the window with no
// padded copy (the covered rows and columns skip the padding). Any other
// grouping (several channels per group, or several filters per channel) runs
// the reference loop compiled for the unit's ISA.
#pragma once

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <cstddef>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// Output rows [first, last) of a grouped convolution of one sample: K filters in Groups groups
/// over window G, bias and the fused activation `act` included. Weights F_h x F_w x (C / Groups) x K.
/// Calls on disjoint rows may run at once; each output is computed the same way whatever the rows.
template <window2d G, std::size_t K, std::size_t Groups, class Act = identity>
TYPENET_RANGE_KERNEL void grouped_conv_rows(const float* in, const float* weights, const float* biases, float* out, Act act,
                       std::size_t first, std::size_t last) {
  constexpr std::size_t C = G.channels;
  if constexpr (!simd::available || Groups != C || K != C) {
    reference::conv<G, K, float, Groups>(in, weights, biases, out, first, last);
    for (std::size_t i = first * G.out_width * K; i < last * G.out_width * K; ++i) out[i] = apply(act, out[i], i % K);
  } else {
    using vec = simd::vec;
    constexpr std::size_t W = simd::lanes, KW = G.window_width, full = C / W * W;
    for (std::size_t oh = first; oh < last; ++oh) {
      const window_span rows = G.rows(oh);
      const std::size_t kh0 = rows.first + G.pad_top - oh * G.stride_height;
      for (std::size_t ow = 0; ow < G.out_width; ++ow) {
        const window_span cols = G.cols(ow);
        const std::size_t kw0 = cols.first + G.pad_left - ow * G.stride_width;
        float* y = out + (oh * G.out_width + ow) * C;
        std::size_t c = 0;
        for (; c < full; c += W) {
          vec acc = vec::load_unaligned(biases + c);
          for (std::size_t ih = rows.first, kh = kh0; ih < rows.last; ++ih, ++kh) {
            const float* x = in + (ih * G.in_width + cols.first) * C + c;
            const float* w = weights + (kh * KW + kw0) * C + c;
            for (std::size_t iw = cols.first; iw < cols.last; ++iw, x += C, w += C)
              acc = simd::fma(vec::load_unaligned(x), vec::load_unaligned(w), acc);
          }
          apply(act, acc, c).store_unaligned(y + c);
        }
        for (; c < C; ++c) {  // the channels past the last full vector
          float acc = biases[c];
          for (std::size_t ih = rows.first, kh = kh0; ih < rows.last; ++ih, ++kh)
            for (std::size_t iw = cols.first, kw = kw0; iw < cols.last; ++iw, ++kw)
              acc += in[(ih * G.in_width + iw) * C + c] * weights[(kh * KW + kw) * C + c];
          y[c] = apply(act, acc, c);
        }
      }
    }
  }
}

/// Grouped convolution of one sample: every output row.
template <window2d G, std::size_t K, std::size_t Groups, class Act = identity>
void grouped_conv(const float* in, const float* weights, const float* biases, float* out, Act act = {}) {
  grouped_conv_rows<G, K, Groups, Act>(in, weights, biases, out, act, 0, G.out_height);
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
