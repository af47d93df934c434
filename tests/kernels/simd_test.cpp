// simd::fma, the kernels' multiply-add: one rounding wherever the target has FMA, on every ISA and
// with every compiler (xsimd 8.1 has no fma for AVX-512; clang 16 then multiplied and added).
#include <typenet/kernels/conv.hpp>
#include <typenet/kernels/simd.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace {
using namespace typenet;

// a x a = 1 + 2^-11 + 2^-24 exactly; rounded to float (2^-24 is half of 1's ulp, a tie that goes
// to the even 1 + 2^-11) it is 1 + 2^-11. So a x a + c is 2^-24 in one rounding, 0 in two.
const float a = 1.f + std::ldexp(1.f, -12), c = -(1.f + std::ldexp(1.f, -11));
const float one_rounding = std::ldexp(1.f, -24), two_roundings = 0.f;
const float expected = simd::fma_rounds_once ? one_rounding : two_roundings;

TEST_CASE("simd::fma rounds once where the target has FMA, twice where it has none") {
  INFO("ISA " << simd::isa() << ", fused " << simd::fma_rounds_once);
  if constexpr (simd::available) {
    using vec = simd::vec;
    float out[vec::size];
    simd::fma(vec(a), vec(a), vec(c)).store_unaligned(out);
    for (float y : out) CHECK(y == expected);
  }
}

TEST_CASE("conv kernel: a 1x1 window on one channel gives fma(x, w, bias), bit for bit") {
  // 35 filters: two whole vectors (on AVX-512) and a partial one, through conv_tile.
  constexpr window2d G{4, 4, 1, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0};
  constexpr std::size_t K = 35, slack = simd::read_slack;
  INFO("ISA " << simd::isa() << ", fused " << simd::fma_rounds_once);
  std::vector<float> x(G.in_height * G.in_width + slack, a), w(K + slack, a), b(K + slack, c),
      y(G.out_height * G.out_width * K), s(kernels::conv_scratch_floats<G, K> + slack);
  kernels::conv<G, K>(x.data(), w.data(), b.data(), y.data(), s.data());
  for (float v : y) CHECK(v == expected);
}

}  // namespace
