// What conv and dense kernels do last: apply a fused activation (or nothing) and store (or add) a register tile.
#pragma once

#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// What a kernel applies to a value before it stores it: nothing (identity)
/// or the elementwise function of the activation layer fused into it. Any
/// functor callable on a float and on a simd::vec will do.
struct identity {
  template <class V>
  constexpr V operator()(V x) const {
    return x;
  }
};

/// An elementwise layer's function F fused into a kernel. The wrapper (like
/// identity) lives in this unit's ISA namespace, so a layer's kernel hook,
/// templated on it, is instantiated once per ISA.
template <class F>
struct fused {
  F f;
  template <class V>
  constexpr V operator()(V x) const {
    return f(x);
  }
};

/// An epilogue that depends on the channel (channel_affine): applied as act(x, c), c the channel of
/// the value (of a vector's first lane).
template <class Act>
concept per_channel = requires { requires Act::per_channel; };

/// Applies an epilogue to x, of channel c (a vector: c is its first lane's channel).
template <class Act, class V>
inline V apply(const Act& act, V x, std::size_t c) {
  if constexpr (per_channel<Act>)
    return act(x, c);
  else
    return act(x);
}
/// The epilogue of a kernel call whose channel 0 is channel `first` of the layer's: per-channel
/// epilogues move their tables along, the others are the same.
template <class Act>
inline Act from_channel(const Act& act, std::size_t first) {
  if constexpr (per_channel<Act>)
    return act.from(first);
  else
    return act;
}

/// A batch norm folded into the convolution before it (the plan's step::folded): x * scale[c] +
/// shift[c], then the epilogue after it (a relu fused too, or identity). scale and shift are the
/// batch norm's per-channel factors, with read slack past the last channel. The same arithmetic
/// as the batch norm's own kernel on the stored output, so folding changes no bit.
template <class Next>
struct channel_affine {
  static constexpr bool per_channel = true;
  const float* scale;
  const float* shift;
  Next next;

  simd::vec operator()(simd::vec x, std::size_t c) const {
    return next(simd::fma(x, simd::vec::load_unaligned(scale + c), simd::vec::load_unaligned(shift + c)));
  }
  float operator()(float x, std::size_t c) const { return next(x * scale[c] + shift[c]); }
  channel_affine from(std::size_t first) const { return {scale + first, shift + first, next}; }
};

/// Stores the first n lanes of v (a partial last vector) without touching memory past them.
inline void store_first(simd::vec v, float* dst, std::size_t n) {
  alignas(64) float lanes[simd::lanes];
  v.store_aligned(lanes);
  for (std::size_t i = 0; i < n; ++i) dst[i] = lanes[i];
}

/// Adds the first n lanes of v to dst[0, n).
inline void add_first(simd::vec v, float* dst, std::size_t n) {
  alignas(64) float lanes[simd::lanes];
  v.store_aligned(lanes);
  for (std::size_t i = 0; i < n; ++i) dst[i] += lanes[i];
}

/// Adds v to dst's W floats, or to its first `tail` if Partial.
template <bool Partial>
inline void add_vector(simd::vec v, float* dst, std::size_t tail) {
  if constexpr (Partial)
    add_first(v, dst, tail);
  else
    (simd::vec::load_unaligned(dst) + v).store_unaligned(dst);
}

/// Starts an R x V register tile from zero.
template <std::size_t R, std::size_t V>
inline void zero_tile(simd::vec (&acc)[R][V]) {
  TYPENET_UNROLL
  for (std::size_t r = 0; r < R; ++r) {
    TYPENET_UNROLL
    for (std::size_t v = 0; v < V; ++v) acc[r][v] = simd::vec(0.f);
  }
}

/// Starts an R x V register tile from the biases: every row gets b[0 .. V*W).
/// May read past the last bias of a partial vector (slack, discarded).
template <std::size_t R, std::size_t V>
inline void load_bias(simd::vec (&acc)[R][V], const float* b) {
  TYPENET_UNROLL
  for (std::size_t v = 0; v < V; ++v) {
    const simd::vec bias = simd::vec::load_unaligned(b + v * simd::lanes);
    TYPENET_UNROLL
    for (std::size_t r = 0; r < R; ++r) acc[r][v] = bias;
  }
}

/// Loads an R x V register tile from y (row r at y + r * row_stride), the last vector's first
/// `tail` lanes alone if Partial (the others 0): partial sums that store_tile wrote.
template <std::size_t R, std::size_t V, bool Partial>
inline void load_tile(simd::vec (&acc)[R][V], const float* y, std::size_t row_stride, std::size_t tail) {
  TYPENET_UNROLL
  for (std::size_t r = 0; r < R; ++r) {
    TYPENET_UNROLL
    for (std::size_t v = 0; v < V; ++v) {
      const float* src = y + r * row_stride + v * simd::lanes;
      if (Partial && v == V - 1) {
        alignas(64) float lanes[simd::lanes] = {};
        for (std::size_t i = 0; i < tail; ++i) lanes[i] = src[i];
        acc[r][v] = simd::vec::load_aligned(lanes);
      } else {
        acc[r][v] = simd::vec::load_unaligned(src);
      }
    }
  }
}

/// Asks the cache for lines [first, first + count) of the R x V tile's output, to be written: the
/// tile's pixels, each V vectors from y + r * row_stride, cut in 64-byte lines (a hint: it never
/// faults, and lines past the tile's are skipped). conv_tile spreads a tile's lines over the steps
/// of its window, so that lines not in cache (a batch's outputs, which go to memory) arrive while
/// it computes instead of holding up its stores. On the Intel Xeon of docs/performance.md ("The
/// tile's outputs fetched ahead") 3x3 64 -> 64 on 32x32 over 64 samples went from 549-569 to
/// 520-546 us a sample on AVX-512; one sample, whose output stays in cache, within 1 %.
template <std::size_t R, std::size_t V>
inline void prefetch_tile(float* y, std::size_t row_stride, std::size_t first, std::size_t count) {
  constexpr std::size_t per_pixel = (V * simd::lanes + 15) / 16, lines = R * per_pixel;
  for (std::size_t i = first; i < std::min(first + count, lines); ++i)
    __builtin_prefetch(y + i / per_pixel * row_stride + i % per_pixel * 16, 1, 3);
}

/// Applies the fused activation to an R x V register tile and stores row r at
/// y + r * row_stride; with Partial, only `tail` lanes of the last vector.
template <std::size_t R, std::size_t V, bool Partial, class Act>
inline void store_tile(const simd::vec (&acc)[R][V], float* y, std::size_t row_stride, std::size_t tail, Act act) {
  TYPENET_UNROLL
  for (std::size_t r = 0; r < R; ++r) {
    TYPENET_UNROLL
    for (std::size_t v = 0; v < V; ++v) {
      const simd::vec out = apply(act, acc[r][v], v * simd::lanes);
      if (Partial && v == V - 1)
        store_first(out, y + r * row_stride + v * simd::lanes, tail);
      else
        out.store_unaligned(y + r * row_stride + v * simd::lanes);
    }
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
