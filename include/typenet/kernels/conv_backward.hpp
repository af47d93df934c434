// The xsimd convolution backward kernel: the gradients of the weights, the biases and the input, on HWC activations.
//
// For one sample, with g the gradient of the output (OH x OW x K):
//   dL/dbias[k]            = sum over positions of g[p][k]
//   dL/dw[kh][kw][c][k]    = sum over positions of x[p + (kh, kw)][c] * g[p][k]
//   dL/dx[p + (kh, kw)][c] = sum over positions and k of w[kh][kw][c][k] * g[p][k]
// The weight gradient keeps an R channels x V vectors of filters tile in
// registers over all positions (the forward tile with the roles of pixels and
// channels swapped). The input gradient scatters into a padded copy from
// weights transposed once per call to (kh, kw, k, c), so that its inner loop
// is a vector FMA over channels. Both read the padded input copy the forward
// kernel makes, so no loop tests bounds.
#pragma once

#include <typenet/kernels/conv.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// What the conv backward kernel decides at compile time for K filters over window G.
template <window2d G, std::size_t Filters>
struct conv_backward_plan {
  using F = conv_plan<G, Filters>;
  static constexpr std::size_t C = G.channels, K = Filters, OH = G.out_height, OW = G.out_width;
  static constexpr std::size_t KH = G.window_height, KW = G.window_width, SH = G.stride_height, SW = G.stride_width;
  static constexpr std::size_t PH = F::PH, PW = F::PW;
  static constexpr std::size_t W = simd::lanes;
  static constexpr std::size_t k_vectors = (K + W - 1) / W;
  static constexpr std::size_t c_vectors = (C + W - 1) / W;
  static constexpr std::size_t C_padded = c_vectors * W;
  // Weight-gradient tile: R channels x V filter vectors.
  static constexpr std::size_t V = std::min(k_vectors, simd::registers == 32 ? std::size_t{3} : std::size_t{2});
  static constexpr std::size_t R = std::min(C, simd::registers == 32 ? std::size_t{8} : std::size_t{4});
  // Input-gradient block: up to CV channel vectors at once.
  static constexpr std::size_t CV = std::min(c_vectors, std::size_t{4});

  static constexpr std::size_t padded_floats = PH * PW * C + simd::read_slack;
  static constexpr std::size_t transposed_floats = KH * KW * K * C_padded;
  /// The padded input copy, the padded input gradient and the transposed weights.
  static constexpr std::size_t scratch_floats = 2 * padded_floats + transposed_floats;
};

/// dL/dw for channels [c0, c0 + R) at window offset (kh, kw), filters [k0, k0 + V*W).
template <class P, std::size_t R, std::size_t V, bool Partial>
inline void conv_weight_tile(const float* x, const float* g, float* gw, std::size_t kh, std::size_t kw, std::size_t c0,
                             std::size_t k0) {
  using vec = simd::vec;
  constexpr std::size_t W = P::W, C = P::C, K = P::K;
  vec acc[R][V];
  zero_tile(acc);
  for (std::size_t oh = 0; oh < P::OH; ++oh) {
    const float* xr = x + ((oh * P::SH + kh) * P::PW + kw) * C + c0;
    const float* gr = g + oh * P::OW * K + k0;
    for (std::size_t ow = 0; ow < P::OW; ++ow) {
      vec gv[V];
      TYPENET_UNROLL
      for (std::size_t v = 0; v < V; ++v) gv[v] = vec::load_unaligned(gr + ow * K + v * W);  // may read past K: discarded
      TYPENET_UNROLL
      for (std::size_t r = 0; r < R; ++r) {
        const vec xv(xr[ow * P::SW * C + r]);
        TYPENET_UNROLL
        for (std::size_t v = 0; v < V; ++v) acc[r][v] = simd::fma(xv, gv[v], acc[r][v]);
      }
    }
  }
  constexpr std::size_t tail = K % W;
  TYPENET_UNROLL
  for (std::size_t r = 0; r < R; ++r) {
    TYPENET_UNROLL
    for (std::size_t v = 0; v < V; ++v) {
      float* dst = gw + ((kh * P::KW + kw) * C + c0 + r) * K + k0 + v * W;
      if (Partial && v == V - 1)
        add_first(acc[r][v], dst, tail);
      else
        add_vector<false>(acc[r][v], dst, W);
    }
  }
}

/// The weight gradient, all filters, for channels [c0, c0 + R) at (kh, kw).
template <class P, std::size_t R>
inline void conv_weight_channels(const float* x, const float* g, float* gw, std::size_t kh, std::size_t kw,
                                 std::size_t c0) {
  constexpr std::size_t block = P::V * P::W, blocks = P::k_vectors / P::V, rest = P::k_vectors % P::V;
  constexpr bool partial = P::K % P::W != 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    if (partial && rest == 0 && b + 1 == blocks)
      conv_weight_tile<P, R, P::V, true>(x, g, gw, kh, kw, c0, b * block);
    else
      conv_weight_tile<P, R, P::V, false>(x, g, gw, kh, kw, c0, b * block);
  }
  if constexpr (rest != 0) conv_weight_tile<P, R, rest, partial>(x, g, gw, kh, kw, c0, blocks * block);
}

/// Adds sum_k g[k] * w[k][c] to dst[c] for NV channel vectors from c0 (the last one partial if Partial).
template <class P, std::size_t NV, bool Partial>
inline void conv_input_block(const float* w, const float* g, float* dst, std::size_t c0) {
  using vec = simd::vec;
  constexpr std::size_t W = P::W, CP = P::C_padded;
  vec acc[NV];
  TYPENET_UNROLL
  for (std::size_t v = 0; v < NV; ++v) acc[v] = vec(0.f);
  for (std::size_t k = 0; k < P::K; ++k) {
    const vec gk(g[k]);
    TYPENET_UNROLL
    for (std::size_t v = 0; v < NV; ++v) acc[v] = simd::fma(gk, vec::load_unaligned(w + k * CP + (c0 + v) * W), acc[v]);
  }
  TYPENET_UNROLL
  for (std::size_t v = 0; v < NV; ++v) {
    if (Partial && v == NV - 1)
      add_first(acc[v], dst + (c0 + v) * W, P::C % W);
    else
      add_vector<false>(acc[v], dst + (c0 + v) * W, W);
  }
}

/// dL/dx of the padded input, from the transposed weights wt (kh, kw, k, c padded).
template <class P>
inline void conv_input_gradient(const float* wt, const float* g, float* gx) {
  constexpr std::size_t blocks = P::c_vectors / P::CV, rest = P::c_vectors % P::CV;
  constexpr bool partial = P::C % P::W != 0;
  for (std::size_t oh = 0; oh < P::OH; ++oh)
    for (std::size_t ow = 0; ow < P::OW; ++ow) {
      const float* gp = g + (oh * P::OW + ow) * P::K;
      for (std::size_t kh = 0; kh < P::KH; ++kh)
        for (std::size_t kw = 0; kw < P::KW; ++kw) {
          float* dst = gx + ((oh * P::SH + kh) * P::PW + ow * P::SW + kw) * P::C;
          const float* w = wt + (kh * P::KW + kw) * P::K * P::C_padded;
          for (std::size_t b = 0; b < blocks; ++b) {
            if (partial && rest == 0 && b + 1 == blocks)
              conv_input_block<P, P::CV, true>(w, gp, dst, b * P::CV);
            else
              conv_input_block<P, P::CV, false>(w, gp, dst, b * P::CV);
          }
          if constexpr (rest != 0) conv_input_block<P, rest, partial>(w, gp, dst, blocks * P::CV);
        }
    }
}

/// The gradients of conv<G, K> over `samples` samples stored back to back
/// (in: H x W x C each, grad_out: OH x OW x K each, grad_in likewise, or
/// null). Adds to grad_weights (HWIO) and grad_biases (unless null: no bias); writes grad_in.
/// `scratch` holds conv_backward_plan<G, K>::scratch_floats floats.
template <window2d G, std::size_t K>
void conv_backward(const float* in, const float* weights, const float* grad_out, float* grad_in, float* grad_weights,
                   float* grad_biases, std::size_t samples, float* scratch) {
  using P = conv_backward_plan<G, K>;
  constexpr std::size_t in_size = G.in_height * G.in_width * G.channels, out_size = P::OH * P::OW * K;
  if constexpr (!simd::available) {
    for (std::size_t s = 0; s < samples; ++s)
      reference::conv_backward<G, K, float>(in + s * in_size, weights, grad_out + s * out_size,
                                            grad_in ? grad_in + s * in_size : nullptr, grad_weights, grad_biases);
  } else {
    using vec = simd::vec;
    constexpr std::size_t W = P::W, C = P::C, CP = P::C_padded;
    float* padded = scratch;
    float* gx = scratch + P::padded_floats;
    float* wt = gx + P::padded_floats;
    if (grad_in) {  // (kh, kw, c, k) -> (kh, kw, k, c), channels padded with zeros
      std::memset(wt, 0, P::transposed_floats * sizeof(float));
      for (std::size_t hw = 0; hw < P::KH * P::KW; ++hw)
        for (std::size_t c = 0; c < C; ++c)
          for (std::size_t k = 0; k < K; ++k) wt[(hw * K + k) * CP + c] = weights[(hw * C + c) * K + k];
    }
    for (std::size_t s = 0; s < samples; ++s) {
      const float* x = in + s * in_size;
      const float* g = grad_out + s * out_size;
      if constexpr (P::F::copies) {
        pad_input<typename P::F>(x, padded, G.in_height, G.in_width);
        x = padded;
      }
      // Biases.
      for (std::size_t k0 = 0; grad_biases && k0 < K; k0 += W) {
        vec acc(0.f);
        for (std::size_t p = 0; p < P::OH * P::OW; ++p) acc += vec::load_unaligned(g + p * K + k0);
        if (k0 + W <= K)
          add_vector<false>(acc, grad_biases + k0, W);
        else
          add_first(acc, grad_biases + k0, K - k0);
      }
      // Weights.
      for (std::size_t kh = 0; kh < P::KH; ++kh)
        for (std::size_t kw = 0; kw < P::KW; ++kw) {
          std::size_t c0 = 0;
          for (; c0 + P::R <= C; c0 += P::R) conv_weight_channels<P, P::R>(x, g, grad_weights, kh, kw, c0);
          [&]<std::size_t... Rest>(std::index_sequence<Rest...>) {
            const std::size_t left = C - c0;
            static_cast<void>(
                ((left == Rest + 1 ? (conv_weight_channels<P, Rest + 1>(x, g, grad_weights, kh, kw, c0), true)
                                   : false) ||
                 ...));
          }(std::make_index_sequence<P::R - 1>{});
        }
      // Input.
      if (grad_in) {
        std::memset(gx, 0, P::padded_floats * sizeof(float));
        conv_input_gradient<P>(wt, g, gx);
        float* gi = grad_in + s * in_size;
        for (std::size_t h = 0; h < G.in_height; ++h)
          std::memcpy(gi + h * G.in_width * C, gx + ((h + G.pad_top) * P::PW + G.pad_left) * C,
                      G.in_width * C * sizeof(float));
      }
    }
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
