// Winograd's F(2x2, 3x3) convolution: 3x3 stride-1 layers in 2.25x fewer multiplications.
//
// Each 2x2 block of output pixels (a tile) is computed from the 4x4 input patch
// under it. The patch d and each filter g go to a 4x4 domain (V = B^T d B,
// U = G g G^T), where the 9 x 4 products of a tile's window become 16: for
// each of the 16 positions e, M_e = V_e U_e is a matrix product, the tiles'
// values times the filters' over the input channels. The output is A^T M A.
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015.)
//
// On HWC data the channels of a pixel are contiguous, so the transforms are
// vector additions over W channels at a time, and the products run in register
// tiles of R tiles x NV vectors of filters, as conv_tile's over a 1x1 window.
// The filters are transformed once a call; then the kernel goes a group of
// rows of tiles (winograd_plan::TR, two output rows each) at a time: the
// group's patches transformed into the scratch, the 16 products, then each
// tile's 2x2 pixels, bias and epilogue.
//
// The rounding differs from the direct kernel's (the transforms add and halve
// before the products); kernels::uses_winograd (conv.hpp) says where conv uses
// it, with the measurements behind it, and conv_rows falls back on the direct
// kernel for infinite, NaN or huge values (winograd_safe).
#pragma once

#include <typenet/geometry.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// What the F(2x2, 3x3) kernel decides at compile time for K filters over window G, taking Rows
/// rows of tiles at a time (0: by the rule of TR below).
template <window2d G, std::size_t Filters, std::size_t Rows = 0>
struct winograd_plan {
  static constexpr std::size_t W = simd::lanes;
  static constexpr std::size_t C = G.channels, K = Filters, OH = G.out_height, OW = G.out_width;
  static constexpr std::size_t IH = G.in_height, IW = G.in_width, top = G.pad_top, left = G.pad_left;
  /// Whether the kernel can run the layer: a 3x3 window of stride 1, with SIMD, channels and filters
  /// whole vectors (the transforms go W channels at a time, the products W filters).
  static constexpr bool applies = simd::available && G.window_height == 3 && G.window_width == 3 &&
                                  G.stride_height == 1 && G.stride_width == 1 && C % W == 0 && K % W == 0;
  /// Tiles of 2x2 output pixels: a row of them, and the rows (the last row or column half used
  /// where the output's is odd).
  static constexpr std::size_t TW = (OW + 1) / 2, TH = (OH + 1) / 2;
  /// Rows of tiles transformed and multiplied at a time (TN tiles, a group): the fewest that make
  /// 16 tiles, or 64 where the transformed filters (16 x C x K floats) outgrow 2 MB, an L2 cache:
  /// each group reads them all once, then from memory. Read off benchmarks/run-tiles --winograd on
  /// the Intel Xeon of docs/performance.md ("Winograd's F(2x2, 3x3)"): 3x3 256 -> 256 on 14x14
  /// (4 MB of them; 7 tiles a row) ran at 87, 112, 135 and 142 GFLOP/s on AVX2 one, two, four and
  /// seven rows at a time (104, 132, 161 and 168 on AVX-512); 64 -> 64 on 32x32 (256 kB) at 203, 206
  /// and 207 one, two and four rows at a time.
  static constexpr std::size_t u_bytes = 16 * C * K * sizeof(float);
  static constexpr std::size_t group = u_bytes > (std::size_t{2} << 20) ? 64 : 16;
  static constexpr std::size_t TR = std::clamp<std::size_t>(Rows == 0 ? (group + TW - 1) / TW : Rows, 1, TH), TN = TR * TW;
  static constexpr std::size_t vectors = K / W;  // vectors of filters
  /// The products' register tile, by conv's rule (default_conv_tile): NV vectors of filters (two; one
  /// when they fit in one; three when they fill exactly three) x R tiles, at most 14 and what
  /// leaves 4 registers free, as even as they can be over the group (on AVX2 16 tiles: 6 5 5).
  static constexpr std::size_t NV = vectors == 3 ? 3 : std::clamp<std::size_t>(vectors, 1, 2);
  static constexpr std::size_t most = std::clamp<std::size_t>(std::min<std::size_t>(14, (simd::registers - 4) / NV), 1, TN);
  static constexpr std::size_t group_tiles = (TN + most - 1) / most;
  static constexpr std::size_t R = (TN + group_tiles - 1) / group_tiles;
  static constexpr std::size_t big_tiles = TN - group_tiles * (R - 1);
  static constexpr std::size_t last_NV = vectors % NV == 0 ? NV : vectors % NV;
  static constexpr std::size_t plain_blocks = (vectors - last_NV) / NV;
  /// The scratch: U, the transformed filters ([e][c][k]); V, a group's transformed patches
  /// ([e][tile][c]); M, their products ([e][tile][k]); the positions' matrices ue, ve and me floats
  /// apart, a 64-byte line more than their size where that is a multiple of 4 kB: the transforms
  /// write the 16 positions' at once, and 4 kB apart (16 x 64 channels) they fell in one set of L1
  /// and evicted each other (the patches of 3x3 64 -> 64 on 32x32 took 148 us a sample on AVX2,
  /// 35 us after).
  static constexpr std::size_t round16(std::size_t n) { return (n + 15) / 16 * 16; }
  static constexpr std::size_t apart(std::size_t n) { return round16(n) % 1024 == 0 ? round16(n) + 16 : round16(n); }
  static constexpr std::size_t ue = apart(C * K), ve = apart(TN * C), me = apart(TN * K);
  static constexpr std::size_t u_floats = 16 * ue, v_floats = 16 * ve, m_floats = 16 * me;
  static constexpr std::size_t v_offset = u_floats, m_offset = v_offset + v_floats;
  static constexpr std::size_t scratch_floats = m_offset + m_floats;
};

/// Whether the n floats at p (a multiple of W) are all finite and at most 2^40 in magnitude, where
/// no sum of either kernel comes near overflowing. Elsewhere Winograd's transforms would not put
/// infinities where the direct kernel does: an infinite input x gives +inf and -inf to the same
/// tile's transformed values (x - d and d + x), and the output inf - inf, NaN.
inline bool winograd_safe(const float* p, std::size_t n) {
  using vec = simd::vec;
  const vec limit(0x1p40f);
  auto ok = vec(0.f) <= limit;
  for (std::size_t i = 0; i < n; i += simd::lanes) ok = ok & (xsimd::abs(vec::load_unaligned(p + i)) <= limit);
  return xsimd::all(ok);
}

/// U = G g G^T for every filter and input channel: g the 3x3 weights of (c, k) in HWIO (K floats a
/// step), U's 16 values at u + e x ue + c x K + k. A channel's values go to a buffer in L1 first,
/// then out to U's 16 positions a run of up to 256 floats each: stored straight from the registers,
/// 16 positions far apart at every step, the 64 x 64 filters of 3x3 64 -> 64 took 15-17 us on
/// AVX-512, 11-12 us this way (a plain fill of U's 256 kB: 5 us).
template <class P>
inline void winograd_filters(const float* w, float* u) {
  using vec = simd::vec;
  constexpr std::size_t C = P::C, K = P::K, W = P::W, KB = std::min<std::size_t>(K, 256);
  const vec half(0.5f);
  alignas(64) float out[16][KB];
  for (std::size_t c = 0; c < C; ++c)
    for (std::size_t k0 = 0; k0 < K; k0 += KB) {
      const std::size_t n = std::min(KB, K - k0);  // a multiple of W
      for (std::size_t k = 0; k < n; k += W) {
        vec g[3][3], a[4][3];
        for (std::size_t i = 0; i < 3; ++i)
          for (std::size_t j = 0; j < 3; ++j) g[i][j] = vec::load_unaligned(w + ((i * 3 + j) * C + c) * K + k0 + k);
        for (std::size_t j = 0; j < 3; ++j) {  // G g
          a[0][j] = g[0][j];
          a[1][j] = (g[0][j] + g[1][j] + g[2][j]) * half;
          a[2][j] = (g[0][j] - g[1][j] + g[2][j]) * half;
          a[3][j] = g[2][j];
        }
        for (std::size_t i = 0; i < 4; ++i) {  // (G g) G^T
          const vec r[4] = {a[i][0], (a[i][0] + a[i][1] + a[i][2]) * half, (a[i][0] - a[i][1] + a[i][2]) * half, a[i][2]};
          for (std::size_t j = 0; j < 4; ++j) r[j].store_aligned(&out[i * 4 + j][k]);
        }
      }
      for (std::size_t e = 0; e < 16; ++e) std::memcpy(u + e * P::ue + c * K + k0, out[e], n * sizeof(float));
    }
}

/// V = B^T d B for the patches of tile row th (input rows 2 th - top .. + 3), every tile and channel:
/// tile t's at v + e x ve + t x C (v: the row's first tile in the group). Input outside the picture
/// (padding, or past it under a last half tile or a row of tiles past the last) reads as zero.
template <class P>
inline void winograd_patches(const float* in, float* v, std::size_t th) {
  using vec = simd::vec;
  constexpr std::size_t C = P::C, W = P::W;
  bool row_in[4];
  for (std::size_t i = 0; i < 4; ++i) row_in[i] = 2 * th + i >= P::top && 2 * th + i - P::top < P::IH;
  for (std::size_t t = 0; t < P::TW; ++t) {
    bool col_in[4];
    for (std::size_t j = 0; j < 4; ++j) col_in[j] = 2 * t + j >= P::left && 2 * t + j - P::left < P::IW;
    // Pixel (i, j) of the patch: input row 2 th + i - top, column 2 t + j - left.
    const float* at = in + (static_cast<std::ptrdiff_t>((2 * th) * P::IW + 2 * t) -
                            static_cast<std::ptrdiff_t>(P::top * P::IW + P::left)) *
                               static_cast<std::ptrdiff_t>(C);
    for (std::size_t c = 0; c < C; c += W) {
      vec d[4][4], b[4][4];
      for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j)
          d[i][j] = row_in[i] && col_in[j] ? vec::load_unaligned(at + (i * P::IW + j) * C + c) : vec(0.f);
      for (std::size_t j = 0; j < 4; ++j) {  // B^T d
        b[0][j] = d[0][j] - d[2][j];
        b[1][j] = d[1][j] + d[2][j];
        b[2][j] = d[2][j] - d[1][j];
        b[3][j] = d[1][j] - d[3][j];
      }
      for (std::size_t i = 0; i < 4; ++i) {  // (B^T d) B
        const vec r[4] = {b[i][0] - b[i][2], b[i][1] + b[i][2], b[i][2] - b[i][1], b[i][1] - b[i][3]};
        for (std::size_t j = 0; j < 4; ++j) r[j].store_unaligned(v + (i * 4 + j) * P::ve + t * C + c);
      }
    }
  }
}

/// N tiles' products for NV vectors of filters at one position: m[t][k] = sum over c of
/// v[t][c] u[c][k] (v: C floats a tile, u and m: K floats a row).
// Not inlined, as conv_tile: the accumulators want every register. conv_row over a 1x1 window of
// TN pixels gives the same bits (from zero biases), 1-3 % slower on AVX2 in a standalone program
// (3x3 64 -> 64 on 32x32 and 8x8, 256 -> 256 on 14x14; its outputs' prefetches and bias loads).
template <class P, std::size_t N, std::size_t NV>
[[gnu::noinline]] void winograd_product(const float* v, const float* u, float* m) {
  using vec = simd::vec;
  constexpr std::size_t C = P::C, K = P::K, W = P::W;
  vec acc[N][NV];
  zero_tile(acc);
  auto step = [&](std::size_t c) __attribute__((always_inline)) {
    vec uv[NV];
    TYPENET_UNROLL
    for (std::size_t j = 0; j < NV; ++j) uv[j] = vec::load_unaligned(u + c * K + j * W);
    TYPENET_UNROLL
    for (std::size_t r = 0; r < N; ++r) {
      const vec xv(v[r * C + c]);
      TYPENET_UNROLL
      for (std::size_t j = 0; j < NV; ++j) acc[r][j] = simd::fma(xv, uv[j], acc[r][j]);
    }
  };
  TYPENET_NO_UNROLL
  for (std::size_t c = 0; c < C; c += 4) {  // C is a multiple of W, so of 4
    TYPENET_UNROLL
    for (std::size_t s = 0; s < 4; ++s) step(c + s);
  }
  store_tile<N, NV, false>(acc, m, K, 0, identity{});
}

/// Every tile of the group at position e, for the NV vectors of filters from k: big_tiles tiles of R,
/// then tiles of R - 1.
template <class P, std::size_t NV>
inline void winograd_products(const float* v, const float* u, float* m, std::size_t k) {
  for (std::size_t t = 0; t < P::big_tiles; ++t)
    winograd_product<P, P::R, NV>(v + t * P::R * P::C, u + k, m + t * P::R * P::K + k);
  if constexpr (P::big_tiles < P::group_tiles)
    for (std::size_t t = P::big_tiles * P::R; t < P::TN; t += P::R - 1)
      winograd_product<P, P::R - 1, NV>(v + t * P::C, u + k, m + t * P::K + k);
}

/// Y = A^T M A for every tile of row th (m: its first tile's products in the group), bias and
/// epilogue applied: output rows 2 th and 2 th + 1 where they are in [first, last), columns below OW.
template <class P, class Act>
inline void winograd_outputs(const float* m, const float* biases, float* out, Act act, std::size_t th,
                             std::size_t first, std::size_t last) {
  using vec = simd::vec;
  constexpr std::size_t K = P::K, W = P::W;
  bool row_out[2];
  for (std::size_t i = 0; i < 2; ++i) row_out[i] = 2 * th + i >= first && 2 * th + i < last;
  for (std::size_t t = 0; t < P::TW; ++t) {
    const bool col_out[2] = {true, 2 * t + 1 < P::OW};
    for (std::size_t k = 0; k < K; k += W) {
      vec s[2][4];
      for (std::size_t j = 0; j < 4; ++j) {  // A^T M
        const vec m0 = vec::load_unaligned(m + (0 * 4 + j) * P::me + t * K + k);
        const vec m1 = vec::load_unaligned(m + (1 * 4 + j) * P::me + t * K + k);
        const vec m2 = vec::load_unaligned(m + (2 * 4 + j) * P::me + t * K + k);
        const vec m3 = vec::load_unaligned(m + (3 * 4 + j) * P::me + t * K + k);
        s[0][j] = m0 + m1 + m2;
        s[1][j] = m1 - m2 - m3;
      }
      const vec bias = vec::load_unaligned(biases + k);
      for (std::size_t i = 0; i < 2; ++i) {  // (A^T M) A
        if (!row_out[i]) continue;
        const vec y[2] = {s[i][0] + s[i][1] + s[i][2] + bias, s[i][1] - s[i][2] - s[i][3] + bias};
        for (std::size_t j = 0; j < 2; ++j)
          if (col_out[j]) apply(act, y[j], k).store_unaligned(out + ((2 * th + i) * P::OW + 2 * t + j) * K + k);
      }
    }
  }
}

/// The group of P::TR rows of tiles from th: their patches, products and outputs (those in rows
/// [first, last)). u: the transformed filters; scratch: the kernel's (V and M at P's offsets).
template <class P, class Act>
inline void winograd_group(const float* in, const float* u, const float* biases, float* out, float* scratch, Act act,
                           std::size_t th, std::size_t first, std::size_t last) {
  float* v = scratch + P::v_offset;
  float* m = scratch + P::m_offset;
  constexpr std::size_t block = P::NV * P::W;
  for (std::size_t r = 0; r < P::TR; ++r) winograd_patches<P>(in, v + r * P::TW * P::C, th + r);
  for (std::size_t e = 0; e < 16; ++e) {
    const float* ve = v + e * P::ve;
    const float* ue = u + e * P::ue;
    float* me = m + e * P::me;
    for (std::size_t b = 0; b < P::plain_blocks; ++b) winograd_products<P, P::NV>(ve, ue, me, b * block);
    winograd_products<P, P::last_NV>(ve, ue, me, P::plain_blocks * block);
  }
  for (std::size_t r = 0; r < P::TR; ++r) winograd_outputs<P>(m + r * P::TW * P::K, biases, out, act, th + r, first, last);
}

/// Output rows [first, last) of the convolution of one sample with K filters over window G (HWC in,
/// HWC out; winograd_plan<G, K>::applies), bias and the fused epilogue `act` included; false, with
/// nothing written, where the input or the weights are not winograd_safe (the whole input, so that
/// calls on any rows decide alike): the caller then runs the direct kernel. `scratch` holds
/// winograd_plan<G, K, Rows>::scratch_floats floats, of this call alone.
/// The groups of rows of tiles start at multiples of TR, whatever the rows asked for, the last one
/// the TH % TR rows left (a plan of its own, not a whole group with rows past the picture: 3x3
/// 64 -> 64 on 10x10, five rows of tiles in groups of four, ran at 110 GFLOP/s on AVX2 instead of
/// 162 a row at a time). A group is computed whole and stores the rows asked for, and each tile's
/// products are the same whatever its place in the group, so every output has the same bits
/// however the rows are split.
template <window2d G, std::size_t K, class Act, std::size_t Rows = 0>
[[nodiscard]] bool winograd_rows(const float* in, const float* weights, const float* biases, float* out, float* scratch,
                                 Act act, std::size_t first, std::size_t last) {
  using P = winograd_plan<G, K, Rows>;
  static_assert(P::applies, "winograd_rows: a 3x3 stride-1 window, channels and filters whole vectors");
  if (first >= last) return true;
  if (!winograd_safe(in, P::IH * P::IW * P::C) || !winograd_safe(weights, 9 * P::C * K)) return false;
  constexpr std::size_t rest = P::TH % P::TR;
  using Rest = winograd_plan<G, K, rest == 0 ? P::TR : rest>;
  static_assert(Rest::scratch_floats <= P::scratch_floats && Rest::v_offset == P::v_offset);
  winograd_filters<P>(weights, scratch);
  for (std::size_t th = first / 2 / P::TR * P::TR; th < (last + 1) / 2; th += P::TR)
    if (th + P::TR <= P::TH)
      winograd_group<P>(in, scratch, biases, out, scratch, act, th, first, last);
    else
      winograd_group<Rest>(in, scratch, biases, out, scratch, act, th, first, last);
  return true;
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
