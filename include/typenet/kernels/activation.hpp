// The xsimd activation kernels: relu, leaky_relu, sigmoid, tanh element-wise; softmax over the depth.
#pragma once

#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <cmath>
#include <cstddef>
#include <type_traits>

namespace typenet::kernels {

/// Activation layer L on a volume of shape S (in and out may be the same buffer).
template <class L, shape S>
void activation(const float* in, float* out) {
  if constexpr (!simd::available || std::is_same_v<L, softmax>) {
    // softmax is a few exp per output vector: the reference is fast enough.
    reference::activation<L, S, float>(in, out);
  } else {
    using vec = simd::vec;
    constexpr std::size_t N = S.size(), W = simd::lanes, full = N / W * W;
    auto f = [](auto x) {
      using V = decltype(x);
      if constexpr (std::is_same_v<L, relu>)
        return xsimd::select(x > V(0.f), x, V(0.f));
      else if constexpr (is_leaky_relu<L>)
        return xsimd::select(x > V(0.f), x, x * V(static_cast<float>(L::negative_slope)));
      else if constexpr (std::is_same_v<L, sigmoid>)
        return V(1.f) / (V(1.f) + xsimd::exp(-x));
      else if constexpr (std::is_same_v<L, typenet::tanh>)
        return xsimd::tanh(x);
      else
        return x;
    };
    for (std::size_t i = 0; i < full; i += W) f(vec::load_unaligned(in + i)).store_unaligned(out + i);
    if constexpr (full != N) reference::activation<L, shape{1, 1, N - full, true}, float>(in + full, out + full);
  }
}

}  // namespace typenet::kernels
