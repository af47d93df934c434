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

}  // namespace typenet::kernels
