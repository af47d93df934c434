// The xsimd elementwise kernel: a function applied to every value, vectorized; the layer supplies the function.
#pragma once

#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <cstddef>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// f applied to each of N floats (in and out may be the same buffer). f must
/// be callable on a float and on a simd::vec, with the same result lane by lane.
template <std::size_t N, class F>
void map(const float* in, float* out, F f) {
  if constexpr (!simd::available) {
    reference::map<N>(in, out, f);
  } else {
    using vec = simd::vec;
    constexpr std::size_t W = simd::lanes, full = N / W * W;
    for (std::size_t i = 0; i < full; i += W) f(vec::load_unaligned(in + i)).store_unaligned(out + i);
    for (std::size_t i = full; i < N; ++i) out[i] = f(in[i]);
  }
}

/// The gradient of map<N>(f): grad_in[i] = grad_out[i] * d(x_i, y_i), where
/// d(x, y) is f' at x, callable on floats and on simd::vec like f.
template <std::size_t N, class D>
void map_backward(const float* in, const float* out, const float* grad_out, float* grad_in, D d) {
  if constexpr (!simd::available) {
    reference::map_backward<N>(in, out, grad_out, grad_in, d);
  } else {
    using vec = simd::vec;
    constexpr std::size_t W = simd::lanes, full = N / W * W;
    for (std::size_t i = 0; i < full; i += W)
      (vec::load_unaligned(grad_out + i) * d(vec::load_unaligned(in + i), vec::load_unaligned(out + i)))
          .store_unaligned(grad_in + i);
    for (std::size_t i = full; i < N; ++i) grad_in[i] = grad_out[i] * d(in[i], out[i]);
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
