// The xsimd dense backward kernel: the gradients of the weights, the biases and the input, over several samples.
//
// For samples s, inputs i and units u, with g the gradient of the output:
//   dL/db[u]    = sum_s g[s][u]
//   dL/dw[i][u] = sum_s x[s][i] * g[s][u]   (each weight row loaded and stored once per call)
//   dL/dx[s][i] = sum_u w[i][u] * g[s][u]   (each weight row loaded once per call)
#pragma once

#include <typenet/kernels/epilogue.hpp>  // add_first, add_vector
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// Lanes [0, n) of a vector: true; the rest false.
inline auto first_lanes(std::size_t n) {
  alignas(64) float index[simd::lanes];
  for (std::size_t i = 0; i < simd::lanes; ++i) index[i] = static_cast<float>(i);
  return simd::vec::load_aligned(index) < simd::vec(static_cast<float>(n));
}

/// The gradients of dense<Inputs, Units> over `samples` samples stored back to
/// back (x: Inputs each, g: Units each, grad_in: Inputs each or null). Adds to
/// grad_weights (inputs x units) and grad_biases (unless null: no bias); writes grad_in.
template <std::size_t Inputs, std::size_t Units>
void dense_backward(const float* x, const float* weights, const float* g, float* grad_in, float* grad_weights,
                    float* grad_biases, std::size_t samples) {
  if constexpr (!simd::available) {
    for (std::size_t s = 0; s < samples; ++s)
      reference::dense_backward<Inputs, Units, float>(x + s * Inputs, weights, g + s * Units,
                                                      grad_in ? grad_in + s * Inputs : nullptr, grad_weights,
                                                      grad_biases);
  } else {
    using vec = simd::vec;
    constexpr std::size_t W = simd::lanes, V = (Units + W - 1) / W, tail = Units % W;
    // Biases (none: no_bias). The unrolled loop keeps a constant trip count (g++ ignores, and at
    // -O0 warns about, an unroll annotation on a loop whose condition reads a pointer).
    if (grad_biases) {
      TYPENET_UNROLL
      for (std::size_t v = 0; v < V; ++v) {
        vec acc(0.f);
        for (std::size_t s = 0; s < samples; ++s) acc += vec::load_unaligned(g + s * Units + v * W);
        if (tail != 0 && v == V - 1)
          add_first(acc, grad_biases + v * W, tail);
        else
          add_vector<false>(acc, grad_biases + v * W, W);
      }
    }
    // Weights, a block of up to B vectors of one row at a time.
    constexpr std::size_t B = std::min(V, std::size_t{8});
    for (std::size_t i = 0; i < Inputs; ++i) {
      float* row = grad_weights + i * Units;
      for (std::size_t v0 = 0; v0 < V; v0 += B) {
        vec acc[B];
        TYPENET_UNROLL
        for (std::size_t b = 0; b < B; ++b) acc[b] = vec(0.f);
        for (std::size_t s = 0; s < samples; ++s) {
          const vec xv(x[s * Inputs + i]);
          TYPENET_UNROLL
          for (std::size_t b = 0; b < B; ++b)
            if (v0 + b < V) acc[b] = simd::fma(xv, vec::load_unaligned(g + s * Units + (v0 + b) * W), acc[b]);
        }
        for (std::size_t b = 0; b < B && v0 + b < V; ++b) {
          if (tail != 0 && v0 + b == V - 1)
            add_first(acc[b], row + (v0 + b) * W, tail);
          else
            add_vector<false>(acc[b], row + (v0 + b) * W, W);
        }
      }
    }
    if (!grad_in) return;
    // Input: a dot product per (sample, input); the weights' lanes past Units are masked off.
    const auto keep = first_lanes(tail == 0 ? W : tail);
    for (std::size_t i = 0; i < Inputs; ++i) {
      const float* w = weights + i * Units;
      for (std::size_t s = 0; s < samples; ++s) {
        const float* gs = g + s * Units;
        vec acc(0.f);
        for (std::size_t v = 0; v + 1 < V; ++v) acc = simd::fma(vec::load_unaligned(w + v * W), vec::load_unaligned(gs + v * W), acc);
        const vec last_w = xsimd::select(keep, vec::load_unaligned(w + (V - 1) * W), vec(0.f));
        const vec last_g = xsimd::select(keep, vec::load_unaligned(gs + (V - 1) * W), vec(0.f));
        acc = simd::fma(last_w, last_g, acc);
        grad_in[s * Inputs + i] = xsimd::hadd(acc);
      }
    }
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
