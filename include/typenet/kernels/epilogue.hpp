// What conv and dense kernels apply before they store: bias is already in, this adds a fused activation.
#pragma once

#include <typenet/kernels/simd.hpp>

#include <cstddef>

namespace typenet::kernels {

enum class fused { none, relu, leaky_relu };

/// A fused activation, applied to vectors and to scalars alike.
template <fused A>
struct epilogue {
  float slope = 0;  ///< leaky_relu's negative slope

  // select rather than xsimd::max: g++ 12 warns (-Wuninitialized) inside _mm512_max_ps.
  template <class V>
  V operator()(V x) const {
    if constexpr (A == fused::relu)
      return xsimd::select(x > V(0.f), x, V(0.f));
    else if constexpr (A == fused::leaky_relu)
      return xsimd::select(x > V(0.f), x, x * V(slope));
    else
      return x;
  }
  float operator()(float x) const {
    if constexpr (A == fused::relu)
      return x > 0.f ? x : 0.f;
    else if constexpr (A == fused::leaky_relu)
      return x > 0.f ? x : slope * x;
    else
      return x;
  }
};

/// Stores the first n lanes of v (a partial last vector) without touching memory past them.
inline void store_first(simd::vec v, float* dst, std::size_t n) {
  alignas(64) float lanes[simd::lanes];
  v.store_aligned(lanes);
  for (std::size_t i = 0; i < n; ++i) dst[i] = lanes[i];
}

/// Starts an R x V register tile from the biases: every row gets b[0 .. V*W).
/// May read past the last bias of a partial vector (slack, discarded).
template <std::size_t R, std::size_t V>
inline void load_bias(simd::vec (&acc)[R][V], const float* b) {
  for (std::size_t v = 0; v < V; ++v) {
    const simd::vec bias = simd::vec::load_unaligned(b + v * simd::lanes);
    for (std::size_t r = 0; r < R; ++r) acc[r][v] = bias;
  }
}

/// Applies the fused activation to an R x V register tile and stores row r at
/// y + r * row_stride; with Partial, only `tail` lanes of the last vector.
template <std::size_t R, std::size_t V, bool Partial, fused A>
inline void store_tile(const simd::vec (&acc)[R][V], float* y, std::size_t row_stride, std::size_t tail,
                       epilogue<A> act) {
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < V; ++v) {
      const simd::vec out = act(acc[r][v]);
      if (Partial && v == V - 1)
        store_first(out, y + r * row_stride + v * simd::lanes, tail);
      else
        out.store_unaligned(y + r * row_stride + v * simd::lanes);
    }
}

}  // namespace typenet::kernels
