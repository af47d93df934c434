// The SIMD vocabulary of the kernels: xsimd's best batch for the target the compiler builds for.
//
// One build targets one ISA: the default flags give SSE2 on x86-64, and
// -march=x86-64-v3 / -march=native give AVX2 / AVX-512 (see docs/performance.md).
// Where xsimd knows no SIMD at all, the kernels fall back to the scalar reference.
#pragma once

// g++ 12 reports the undefined vectors of its own AVX-512 intrinsics as
// uninitialized (GCC bug 105593) wherever xsimd's math inlines them.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <xsimd/xsimd.hpp>
#pragma GCC diagnostic pop
#else
#include <xsimd/xsimd.hpp>
#endif

#include <typenet/isa_guard.hpp>
#include <typenet/kernels/isa.hpp>  // a build for an ISA this CPU lacks stops with a message, not SIGILL

#include <cstddef>
#include <string_view>
#include <type_traits>

/// Before a loop over a register tile's rows or vectors (a compile-time trip count): unroll it.
/// g++ does at -O3 by itself but not at -O2, where the tile would live in memory (training
/// LeNet-sized networks ran at half speed).
#define TYPENET_UNROLL _Pragma("GCC unroll 16")

/// Before a loop that must stay a loop (see conv_tile's loop over input channels).
#define TYPENET_NO_UNROLL _Pragma("GCC unroll 1")

/// On a kernel over a range of rows or blocks: inlined into the whole-sample kernel, so that the
/// range's compile-time bounds reach its loops there (not inlined, max pooling on 6 channels
/// took 3x as long: its window loops were no longer unrolled and vectorized).
#define TYPENET_RANGE_KERNEL [[gnu::always_inline]] inline

namespace typenet::simd {
inline namespace TYPENET_ISA_NAMESPACE {

/// A type that names this unit's ISA: model's default Isa argument.
struct isa_tag {};

using arch = xsimd::default_arch;
/// False on targets without SIMD that xsimd supports: kernels then use the scalar reference.
inline constexpr bool available = !std::is_same_v<arch, xsimd::unavailable>;
using vec = xsimd::batch<float, arch>;

/// Floats per vector (1 without SIMD).
inline constexpr std::size_t lanes = [] {
  if constexpr (available) return vec::size;
  else return std::size_t{1};
}();

/// Vector registers the kernels may plan for: 32 with AVX-512, 16 otherwise.
inline constexpr std::size_t registers = lanes >= 16 ? 32 : 16;

/// Kernels may read (never write) up to this many floats past the end of a
/// parameter block; the model allocates that much slack, zeroed.
inline constexpr std::size_t read_slack = 16;

/// Whether the target multiplies and adds in one rounding (FMA3 or AVX-512), as fma below then does.
inline constexpr bool fma_rounds_once =
#if defined(__FMA__) || defined(__AVX512F__)
    available;
#else
    false;
#endif

/// a x b + c: in one rounding where the target has FMA (fma_rounds_once), else the product
/// rounded, then the sum. Every kernel multiplies and adds with it, not with xsimd::fma: xsimd 8.1
/// has no fma for AVX-512 and falls back to a multiplication and an addition, which g++ contracts
/// into one instruction and clang 16 does not. Built with clang for AVX-512, the conv kernel then
/// ran 3x3 64 -> 64 on 32x32 at 100-115 GFLOP/s instead of 150-165 (g++), and rounded twice.
template <class V>
inline V fma(const V& a, const V& b, const V& c) {
  if constexpr (std::is_base_of_v<xsimd::avx512f, typename V::arch_type>)
    return _mm512_fmadd_ps(a, b, c);
  else
    return xsimd::fma(a, b, c);
}

/// The ISA the kernels were built for, e.g. "avx512bw", "fma3+avx2", "sse2".
inline std::string_view isa() {
  if constexpr (available) return arch::name();
  else return "scalar";
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::simd
