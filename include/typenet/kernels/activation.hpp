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

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
