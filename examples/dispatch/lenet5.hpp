// One binary, three ISAs: LeNet-5 built for SSE2, AVX2 and AVX-512, picked at run time with xsimd::dispatch.
#pragma once

#include <typenet/models/lenet5.hpp>

#include <xsimd/xsimd.hpp>

#include <span>

namespace example {

/// classify(Arch{}, x, y): LeNet-5's forward pass with the kernels for Arch.
/// Declared here; each specialization is defined in lenet5_variant.cpp,
/// compiled once per ISA with that ISA's flags.
struct classify {
  template <class Arch>
  void operator()(Arch, std::span<const float> x, std::span<float> y) const;
};

template <>
void classify::operator()(xsimd::avx512bw, std::span<const float>, std::span<float>) const;
template <>
void classify::operator()(xsimd::fma3<xsimd::avx2>, std::span<const float>, std::span<float>) const;
template <>
void classify::operator()(xsimd::sse2, std::span<const float>, std::span<float>) const;

/// The ISAs, best first, as xsimd::dispatch walks them.
using isas = xsimd::arch_list<xsimd::avx512bw, xsimd::fma3<xsimd::avx2>, xsimd::sse2>;

}  // namespace example
