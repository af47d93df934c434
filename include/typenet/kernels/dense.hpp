// The xsimd dense kernel: out = in x W + b, vectorized over the units, with a fused activation.
#pragma once

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// Blocking of a dense layer: V vectors of units per block, S independent
/// partial sums over the inputs so that about eight FMA chains are in flight.
template <std::size_t Inputs, std::size_t Units>
struct dense_plan {
  static constexpr std::size_t W = simd::lanes;
  static constexpr std::size_t vectors = (Units + W - 1) / W;
  static constexpr std::size_t V = std::min(vectors, std::size_t{8});
  static constexpr std::size_t S = std::min(Inputs, std::max(std::size_t{1}, std::size_t{8} / V));
  static constexpr std::size_t last_V = vectors % V == 0 ? V : vectors % V;
  static constexpr std::size_t plain_blocks = (vectors - last_V) / V;
  static constexpr std::size_t tail = Units % W;
};

/// How many inputs' weights (Units floats each) fit in `bytes`: at least 1, at most Inputs. The
/// panels of both dense kernels are cut so.
template <std::size_t Inputs, std::size_t Units>
constexpr std::size_t inputs_within(std::size_t bytes) {
  return std::clamp<std::size_t>(bytes / (Units * sizeof(float)), 1, Inputs);
}

/// Inputs per panel of a dense layer on one sample (dense_part): a panel's weights (panel x Units
/// floats, contiguous) fill at most 32 kB, and every block of units goes over one panel before
/// the next is read, so the weights stream from memory in order. Without panels each block reads
/// a short piece of every weight row (for 4096 -> 512 on AVX-512, 512 bytes of each 2 kB row) and
/// the layer read its 8 MB at 77 GB/s, against 88 for a plain read of 8 MB (docs/performance.md).
/// One panel (all the inputs) when the plan keeps several partial sums (S > 1: few units, small
/// weights): a panel boundary would change which partial sum an input goes to.
template <std::size_t Inputs, std::size_t Units>
inline constexpr std::size_t dense_single_panel =
    dense_plan<Inputs, Units>::S != 1 ? Inputs : inputs_within<Inputs, Units>(std::size_t{32} << 10);

/// V vectors of units over inputs [first, last): from zero when first is 0, else from the partial
/// sums in y (S is then 1: dense_single_panel); bias and activation once last is Inputs. Every
/// unit adds its inputs in the same order whatever the panels, so they change no bit of it.
template <class P, std::size_t Inputs, std::size_t Units, std::size_t V, bool Partial, class Act>
inline void dense_block(const float* in, const float* w, const float* b, float* y, Act act, std::size_t first,
                        std::size_t last) {
  using vec = simd::vec;
  constexpr std::size_t W = P::W, S = P::S;
  vec acc[S][V];
  zero_tile(acc);
  if constexpr (S == 1)
    if (first != 0) load_tile<1, V, Partial>(acc, y, 0, P::tail);
  const std::size_t steps = (last - first) / S;
  for (std::size_t i = first; i < first + steps * S; i += S) {
    TYPENET_UNROLL
    for (std::size_t s = 0; s < S; ++s) {
      const vec x(in[i + s]);
      TYPENET_UNROLL
      for (std::size_t v = 0; v < V; ++v)
        acc[s][v] = simd::fma(x, vec::load_unaligned(w + (i + s) * Units + v * W), acc[s][v]);
    }
  }
  for (std::size_t i = first + steps * S; i < last; ++i) {
    const vec x(in[i]);
    TYPENET_UNROLL
    for (std::size_t v = 0; v < V; ++v) acc[0][v] = simd::fma(x, vec::load_unaligned(w + i * Units + v * W), acc[0][v]);
  }
  if constexpr (S == 1)
    if (last != Inputs) return store_tile<1, V, Partial>(acc, y, 0, P::tail, identity{});
  TYPENET_UNROLL
  for (std::size_t v = 0; v < V; ++v) {
    vec sum = vec::load_unaligned(b + v * W);  // may read past Units: slack, discarded
    TYPENET_UNROLL
    for (std::size_t s = 0; s < S; ++s) sum += acc[s][v];
    sum = act(sum);
    if (Partial && v == V - 1)
      store_first(sum, y + v * W, P::tail);
    else
      sum.store_unaligned(y + v * W);
  }
}

/// Blocks of units of a dense layer on one sample (dense_plan<Inputs, Units>): the plain blocks,
/// then the last (maybe partial) one.
template <std::size_t Inputs, std::size_t Units>
inline constexpr std::size_t dense_blocks = dense_plan<Inputs, Units>::plain_blocks + 1;

/// Blocks [first, last) of dense_blocks<Inputs, Units> of a fully connected layer on one sample,
/// bias and the fused activation included. Calls on disjoint blocks may run at once; each unit is
/// computed the same way whatever the blocks asked for.
template <std::size_t Inputs, std::size_t Units, class Act = identity>
TYPENET_RANGE_KERNEL void dense_part(const float* in, const float* weights, const float* biases, float* out, Act act, std::size_t first,
                std::size_t last) {
  using P = dense_plan<Inputs, Units>;
  if (first >= last) return;
  if constexpr (!simd::available) {
    if (first != 0) return;  // the whole layer, on the first block's call
    reference::dense<Inputs, Units, float>(in, weights, biases, out);
    for (std::size_t u = 0; u < Units; ++u) out[u] = act(out[u]);
  } else {
    constexpr std::size_t block = P::V * P::W, panel = dense_single_panel<Inputs, Units>;
    for (std::size_t i = 0; i < Inputs; i += panel) {
      const std::size_t i_last = std::min(i + panel, Inputs);
      for (std::size_t cb = first; cb < std::min(last, P::plain_blocks); ++cb)
        dense_block<P, Inputs, Units, P::V, false, Act>(in, weights + cb * block, biases + cb * block,
                                                      out + cb * block, act, i, i_last);
      constexpr std::size_t u = P::plain_blocks * block;
      if (last == P::plain_blocks + 1)
        dense_block<P, Inputs, Units, P::last_V, P::tail != 0, Act>(in, weights + u, biases + u, out + u, act, i,
                                                                  i_last);
    }
  }
}

/// Fully connected layer of one sample, bias and the fused activation included.
template <std::size_t Inputs, std::size_t Units, class Act = identity>
void dense(const float* in, const float* weights, const float* biases, float* out, Act act = {}) {
  dense_part<Inputs, Units, Act>(in, weights, biases, out, act, 0, dense_blocks<Inputs, Units>);
}

/// Blocking of a dense layer over several samples: Rows samples x V vectors
/// of units in registers, so each weight vector loaded serves every sample.
template <std::size_t Units>
struct dense_batch_plan {
  static constexpr std::size_t W = simd::lanes;
  static constexpr std::size_t vectors = (Units + W - 1) / W;
  // 8 rows (a whole micro-batch) x V vectors: 24 accumulators of 32 registers, or 8 of 16.
  static constexpr std::size_t V = std::min(vectors, simd::registers == 32 ? std::size_t{3} : std::size_t{1});
  static constexpr std::size_t Rows = 8;
  static constexpr std::size_t last_V = vectors % V == 0 ? V : vectors % V;
  static constexpr std::size_t plain_blocks = (vectors - last_V) / V;
  static constexpr std::size_t tail = Units % W;
};

/// Inputs per panel of dense_batch: a panel's weights (panel x Units floats, contiguous) fill at
/// most 256 kB, so that they stay in L2 while every group of samples goes over them. Without
/// panels a block of units reads one short piece of each of the Inputs weight rows, Units * 4
/// bytes apart: for 4096 -> 512 that is 4096 pieces 2 kB apart, which fall into few cache sets,
/// so each group of 8 samples read them from memory again (38.9 GFLOP/s on AVX2 at batch 64).
template <std::size_t Inputs, std::size_t Units>
inline constexpr std::size_t dense_panel = inputs_within<Inputs, Units>(std::size_t{256} << 10);

/// Rows samples x V vectors of units over inputs [first, last): from the biases when first is 0,
/// else from the partial sums in y; the activation once last is Inputs. Every output adds its
/// inputs in order, one at a time, so panels change no bit of the result.
template <class P, std::size_t Inputs, std::size_t Units, std::size_t Rows, std::size_t V, bool Partial, class Act>
inline void dense_rows(const float* in, std::size_t in_stride, const float* w, const float* b, float* y,
                       std::size_t out_stride, std::size_t first, std::size_t last, Act act) {
  using vec = simd::vec;
  constexpr std::size_t W = P::W;
  vec acc[Rows][V];
  if (first == 0)
    load_bias(acc, b);
  else
    load_tile<Rows, V, Partial>(acc, y, out_stride, P::tail);
  for (std::size_t i = first; i < last; ++i) {
    vec wv[V];
    TYPENET_UNROLL
    for (std::size_t v = 0; v < V; ++v) wv[v] = vec::load_unaligned(w + i * Units + v * W);
    TYPENET_UNROLL
    for (std::size_t r = 0; r < Rows; ++r) {
      const vec x(in[r * in_stride + i]);
      TYPENET_UNROLL
      for (std::size_t v = 0; v < V; ++v) acc[r][v] = simd::fma(x, wv[v], acc[r][v]);
    }
  }
  if (last == Inputs)
    store_tile<Rows, V, Partial>(acc, y, out_stride, P::tail, act);
  else
    store_tile<Rows, V, Partial>(acc, y, out_stride, P::tail, identity{});
}

template <class P, std::size_t Inputs, std::size_t Units, std::size_t V, bool Partial, class Act>
inline void dense_block_rows(const float* in, std::size_t in_stride, const float* w, const float* b, float* y,
                             std::size_t out_stride, std::size_t samples, std::size_t first, std::size_t last,
                             Act act) {
  std::size_t s = 0;
  for (; s + P::Rows <= samples; s += P::Rows)
    dense_rows<P, Inputs, Units, P::Rows, V, Partial, Act>(in + s * in_stride, in_stride, w, b, y + s * out_stride,
                                                         out_stride, first, last, act);
  // The last few samples: one call with as many rows as are left.
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    const std::size_t left = samples - s;
    static_cast<void>(((left == R + 1 ? (dense_rows<P, Inputs, Units, R + 1, V, Partial, Act>(
                                              in + s * in_stride, in_stride, w, b, y + s * out_stride, out_stride,
                                              first, last, act),
                                          true)
                                       : false) ||
                       ...));
  }(std::make_index_sequence<P::Rows - 1>{});
}

/// A dense layer on several samples at once (sample s at in + s * in_stride,
/// out + s * out_stride): each weight is loaded once per group of samples
/// instead of once per sample, which is what a batch gains over a loop.
template <std::size_t Inputs, std::size_t Units, class Act = identity>
void dense_batch(const float* in, std::size_t in_stride, const float* weights, const float* biases, float* out,
                 std::size_t out_stride, std::size_t samples, Act act = {}) {
  if constexpr (!simd::available) {
    for (std::size_t s = 0; s < samples; ++s) dense<Inputs, Units, Act>(in + s * in_stride, weights, biases, out + s * out_stride, act);
  } else {
    using P = dense_batch_plan<Units>;
    constexpr std::size_t block = P::V * P::W, panel = dense_panel<Inputs, Units>;
    for (std::size_t first = 0; first < Inputs; first += panel) {
      const std::size_t last = std::min(first + panel, Inputs);
      for (std::size_t cb = 0; cb < P::plain_blocks; ++cb)
        dense_block_rows<P, Inputs, Units, P::V, false, Act>(in, in_stride, weights + cb * block, biases + cb * block,
                                                           out + cb * block, out_stride, samples, first, last, act);
      constexpr std::size_t u = P::plain_blocks * block;
      dense_block_rows<P, Inputs, Units, P::last_V, P::tail != 0, Act>(in, in_stride, weights + u, biases + u,
                                                                    out + u, out_stride, samples, first, last, act);
    }
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
