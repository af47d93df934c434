// The xsimd pooling kernel: max and average over windows of HWC activations, vectorized over channels.
#pragma once

#include <typenet/geometry.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// Channels [c, c + n) of one max-pooling window, lane by lane with max_with_nan.
inline void max_lanes_exactly(const float* in, std::size_t in_width, std::size_t channels, window_span rows,
                              window_span cols, std::size_t c, std::size_t n, float* y) {
  for (std::size_t k = c; k < c + n; ++k) {
    float acc = in[(rows.first * in_width + cols.first) * channels + k];
    for (std::size_t ih = rows.first; ih < rows.last; ++ih)
      for (std::size_t iw = cols.first; iw < cols.last; ++iw)
        acc = reference::max_with_nan(acc, in[(ih * in_width + iw) * channels + k]);
    y[k] = acc;
  }
}

/// Whether any of n floats is NaN or infinite.
inline bool has_nan_or_inf(const float* x, std::size_t n) {
  using vec = simd::vec;
  constexpr std::size_t W = simd::lanes;
  vec s0(0.f), s1(0.f), s2(0.f), s3(0.f);
  std::size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    s0 = simd::fma(vec::load_unaligned(x + i), vec(0.f), s0);
    s1 = simd::fma(vec::load_unaligned(x + i + W), vec(0.f), s1);
    s2 = simd::fma(vec::load_unaligned(x + i + 2 * W), vec(0.f), s2);
    s3 = simd::fma(vec::load_unaligned(x + i + 3 * W), vec(0.f), s3);
  }
  bool rest = false;
  for (; i < n; ++i) rest = rest || !(x[i] * 0.f == 0.f);
  return rest || xsimd::any(xsimd::isnan((s0 + s1) + (s2 + s3)));
}

/// Max or average pooling of one sample over window G. Windows are clipped to
/// the input, so padding never wins a max and adds nothing to a sum (an average
/// divides by average_divisor); a NaN in a window makes its max NaN, as in
/// PyTorch and the reference. Output rows [first, last): calls on disjoint rows may run at once.
template <window2d G, pool_op Op>
TYPENET_RANGE_KERNEL void pool_rows(const float* in, float* out, std::size_t first, std::size_t last) {
  if constexpr (!simd::available) {
    reference::pool<G, Op, float>(in, out, first, last);
  } else {
    using vec = simd::vec;
    constexpr std::size_t C = G.channels, W = simd::lanes, full = C / W * W;
    constexpr bool is_max = Op == pool_op::max;
    for (std::size_t oh = first; oh < last; ++oh) {
      const window_span rows = G.rows(oh);
      // NaN must win a max (max_with_nan), but xsimd::max may drop it, and a test in the max loop
      // below, even one instruction per value, slowed it by 35-60% (fewer loads in flight). So one
      // pass over the output row's input rows comes first: x * 0 summed, NaN once a NaN or an
      // infinity went by, finds the rare row to do exactly, value by value. The pass also brings
      // the rows into L1, so the max loop then runs from there: at batch 1 the two took 2.4 us
      // where the max loop alone took 3.0 (benchmarks/run-forward W4, AVX-512); scanning after
      // the max loop took 3.5 us, and scanning the next row in parts during it was slower still.
      if (is_max && full != 0 && has_nan_or_inf(in + rows.first * G.in_width * C, rows.size() * G.in_width * C)) {
        for (std::size_t ow = 0; ow < G.out_width; ++ow)
          max_lanes_exactly(in, G.in_width, C, rows, G.cols(ow), 0, C, out + (oh * G.out_width + ow) * C);
        continue;
      }
      for (std::size_t ow = 0; ow < G.out_width; ++ow) {
        const window_span cols = G.cols(ow);
        const float* first = in + (rows.first * G.in_width + cols.first) * C;
        float* y = out + (oh * G.out_width + ow) * C;
        float scale = 1.f;
        if constexpr (!is_max) scale = 1.f / static_cast<float>(average_divisor<G, Op>(oh, ow));
        for (std::size_t c = 0; c < full; c += W) {
          vec acc = is_max ? vec::load_unaligned(first + c) : vec(0.f);
          for (std::size_t ih = rows.first; ih < rows.last; ++ih)
            for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
              const vec v = vec::load_unaligned(in + (ih * G.in_width + iw) * C + c);
              acc = is_max ? xsimd::max(acc, v) : acc + v;
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

/// Pooling of one sample: every output row.
template <window2d G, pool_op Op>
void pool(const float* in, float* out) {
  pool_rows<G, Op>(in, out, 0, G.out_height);
}

/// The gradient of pool<G, Op> for one sample: grad_in receives dL/din.
/// Max: each output's gradient goes to the first maximum of its window (the
/// last NaN if it holds one), lane by lane as the reference; average: divided
/// by average_divisor, to each covered input position.
template <window2d G, pool_op Op>
void pool_backward(const float* in, const float* grad_out, float* grad_in) {
  if constexpr (!simd::available) {
    reference::pool_backward<G, Op, float>(in, grad_out, grad_in);
  } else {
    using vec = simd::vec;
    constexpr std::size_t C = G.channels, W = simd::lanes, full = C / W * W;
    std::fill_n(grad_in, G.in_height * G.in_width * C, 0.f);
    for (std::size_t oh = 0; oh < G.out_height; ++oh) {
      const window_span rows = G.rows(oh);
      for (std::size_t ow = 0; ow < G.out_width; ++ow) {
        const window_span cols = G.cols(ow);
        const float* g = grad_out + (oh * G.out_width + ow) * C;
        for (std::size_t c = 0; c < full; c += W) {
          const vec gv = vec::load_unaligned(g + c);
          if constexpr (Op == pool_op::max) {
            // The winner's position in the window, per lane, as a float (exact: windows are small).
            vec best = vec::load_unaligned(in + (rows.first * G.in_width + cols.first) * C + c), at(0.f);
            float q = 0.f;
            for (std::size_t ih = rows.first; ih < rows.last; ++ih)
              for (std::size_t iw = cols.first; iw < cols.last; ++iw, q += 1.f) {
                const vec v = vec::load_unaligned(in + (ih * G.in_width + iw) * C + c);
                const auto take = (v > best) || xsimd::isnan(v);
                best = xsimd::select(take, v, best);
                at = xsimd::select(take, vec(q), at);
              }
            q = 0.f;
            for (std::size_t ih = rows.first; ih < rows.last; ++ih)
              for (std::size_t iw = cols.first; iw < cols.last; ++iw, q += 1.f) {
                float* dst = grad_in + (ih * G.in_width + iw) * C + c;
                (vec::load_unaligned(dst) + xsimd::select(at == vec(q), gv, vec(0.f))).store_unaligned(dst);
              }
          } else {
            const vec share = gv / vec(static_cast<float>(average_divisor<G, Op>(oh, ow)));
            for (std::size_t ih = rows.first; ih < rows.last; ++ih)
              for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
                float* dst = grad_in + (ih * G.in_width + iw) * C + c;
                (vec::load_unaligned(dst) + share).store_unaligned(dst);
              }
          }
        }
        for (std::size_t c = full; c < C; ++c)  // the channels past the last full vector, as the reference
          reference::pool_window_backward<G, Op, float>(in, oh, ow, c, g[c], grad_in);
      }
    }
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
