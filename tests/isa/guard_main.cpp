// A tiny program for the ISA guard's test (tests/isa/check.py): built for various ISAs, with
// and without TYPENET_ISA_GUARD_PRETEND_MISSING / TYPENET_NO_ISA_GUARD (tests/meson.build).
// It prints one line from main, so the test sees whether main was reached.
#include <typenet/kernels/simd.hpp>

#include <cstdio>
#include <string>

int main() {
  namespace simd = typenet::simd;
  volatile float seed = 1.5f;
  float sum = seed;
  if constexpr (simd::available) sum = xsimd::hadd(simd::vec(seed));  // the vector ISA, for real
  std::printf("main reached: ISA %s, %zu lanes, sum %g\n", std::string(simd::isa()).c_str(), simd::lanes,
              static_cast<double>(sum));
  return 0;
}
