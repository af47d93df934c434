// The xsimd convolution kernel: direct convolution on HWC activations, register-blocked on compile-time shapes.
//
// Each tile keeps R output pixels x V vectors of output channels in registers
// and walks the window: per (kh, kw, c) it loads V weight vectors and
// broadcasts R input values. R and V come from the shapes and the register
// count, so every loop bound is a constant. Padding is materialised once per
// call in a scratch copy, which leaves the inner loops free of bounds checks.
#pragma once

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// Everything the conv kernel decides at compile time for K filters over window G.
template <window2d G, std::size_t Filters>
struct conv_plan {
  static constexpr std::size_t C = G.channels, K = Filters, OH = G.out_height, OW = G.out_width;
  static constexpr std::size_t KH = G.window_height, KW = G.window_width;
  static constexpr std::size_t SH = G.stride_height, SW = G.stride_width;
  static constexpr std::size_t top = G.pad_top, left = G.pad_left;
  // The padded copy: big enough for every window, rounded-up ones included.
  static constexpr std::size_t PH = std::max(G.in_height + top + G.pad_bottom, (OH - 1) * SH + KH);
  static constexpr std::size_t PW = std::max(G.in_width + left + G.pad_right, (OW - 1) * SW + KW);
  static constexpr bool copies = PH != G.in_height || PW != G.in_width;
  static constexpr std::size_t scratch_floats = copies ? PH * PW * C : 0;

  static constexpr std::size_t W = simd::lanes;
  static constexpr std::size_t vectors = (K + W - 1) / W;           // vectors of output channels
  static constexpr std::size_t V = std::min(vectors, simd::registers == 32 ? std::size_t{4} : std::size_t{2});
  static constexpr std::size_t R = std::min({std::size_t{8}, std::max(std::size_t{1}, (simd::registers - V - 1) / V), OW});
  static constexpr std::size_t last_V = vectors % V == 0 ? V : vectors % V;
  static constexpr std::size_t plain_blocks = (vectors - last_V) / V;
  static constexpr std::size_t tail = K % W;  // lanes used in the last vector (0: all)
};

/// Copies the input into the zero-padded scratch volume: rows [first, last) of it (all by default).
template <class P>
inline void pad_input(const float* in, float* padded, std::size_t in_height, std::size_t in_width,
                      std::size_t first = 0, std::size_t last = P::PH) {
  constexpr std::size_t row = P::PW * P::C;
  for (std::size_t h = first; h < last; ++h) {
    float* dst = padded + h * row;
    if (h < P::top || h >= P::top + in_height) {
      std::memset(dst, 0, row * sizeof(float));
      continue;
    }
    const std::size_t left = P::left * P::C, copied = in_width * P::C;
    std::memset(dst, 0, left * sizeof(float));
    std::memcpy(dst + left, in + (h - P::top) * copied, copied * sizeof(float));
    std::memset(dst + left + copied, 0, (row - left - copied) * sizeof(float));
  }
}

/// R output pixels of one row x V channel vectors. `x` is the first input
/// value of the first pixel's window, `w` and `b` the weights and biases of
/// the first channel of the block, `y` the first output.
template <class P, std::size_t R, std::size_t V, bool Partial, class Act>
inline void conv_tile(const float* x, const float* w, const float* b, float* y, Act act) {
  using vec = simd::vec;
  constexpr std::size_t W = P::W, C = P::C, K = P::K;
  vec acc[R][V];
  load_bias(acc, b);
  for (std::size_t kh = 0; kh < P::KH; ++kh)
    for (std::size_t kw = 0; kw < P::KW; ++kw) {
      const float* xk = x + (kh * P::PW + kw) * C;
      const float* wk = w + (kh * P::KW + kw) * C * K;
      for (std::size_t c = 0; c < C; ++c) {
        vec wv[V];
        TYPENET_UNROLL
        for (std::size_t v = 0; v < V; ++v) wv[v] = vec::load_unaligned(wk + c * K + v * W);
        TYPENET_UNROLL
        for (std::size_t r = 0; r < R; ++r) {
          const vec xv(xk[r * P::SW * C + c]);
          TYPENET_UNROLL
          for (std::size_t v = 0; v < V; ++v) acc[r][v] = xsimd::fma(xv, wv[v], acc[r][v]);
        }
      }
    }
  store_tile<R, V, Partial>(acc, y, K, P::tail, act);
}

/// One output row for one block of V channel vectors: full tiles of R pixels, then the rest.
template <class P, std::size_t V, bool Partial, class Act>
inline void conv_row(const float* x, const float* w, const float* b, float* y, Act act) {
  constexpr std::size_t full = P::OW / P::R, rest = P::OW % P::R;
  for (std::size_t t = 0; t < full; ++t)
    conv_tile<P, P::R, V, Partial, Act>(x + t * P::R * P::SW * P::C, w, b, y + t * P::R * P::K, act);
  if constexpr (rest != 0)
    conv_tile<P, rest, V, Partial, Act>(x + full * P::R * P::SW * P::C, w, b, y + full * P::R * P::K, act);
}

/// Output rows [first, last) of the convolution of one sample with K filters
/// over window G (HWC in, HWC out), bias and the fused epilogue `act`
/// included. `scratch` holds conv_plan<G, K>::scratch_floats floats, of this
/// call alone: calls on disjoint rows may run at once, each with its own.
/// Every output is computed the same way whatever the rows asked for.
template <window2d G, std::size_t K, class Act = identity>
TYPENET_RANGE_KERNEL void conv_rows(const float* in, const float* weights, const float* biases, float* out, float* scratch, Act act,
               std::size_t first, std::size_t last) {
  using P = conv_plan<G, K>;
  if (first >= last) return;
  if constexpr (!simd::available) {
    reference::conv<G, K, float>(in, weights, biases, out, first, last);
    for (std::size_t i = first * G.out_width * K; i < last * G.out_width * K; ++i) out[i] = apply(act, out[i], i % K);
  } else {
    const float* src = in;
    if constexpr (P::copies) {  // the padded rows these output rows read
      pad_input<P>(in, scratch, G.in_height, G.in_width, first * P::SH, (last - 1) * P::SH + P::KH);
      src = scratch;
    }
    constexpr std::size_t block = P::V * P::W;
    for (std::size_t oh = first; oh < last; ++oh) {
      const float* x = src + oh * P::SH * P::PW * P::C;
      float* y = out + oh * P::OW * P::K;
      for (std::size_t cb = 0; cb < P::plain_blocks; ++cb)
        conv_row<P, P::V, false>(x, weights + cb * block, biases + cb * block, y + cb * block,
                                 from_channel(act, cb * block));
      constexpr std::size_t co = P::plain_blocks * block;
      conv_row<P, P::last_V, P::tail != 0>(x, weights + co, biases + co, y + co, from_channel(act, co));
    }
  }
}

/// Convolution of one sample with K filters over window G: every output row.
template <window2d G, std::size_t K, class Act = identity>
void conv(const float* in, const float* weights, const float* biases, float* out, float* scratch, Act act = {}) {
  conv_rows<G, K, Act>(in, weights, biases, out, scratch, act, 0, G.out_height);
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
