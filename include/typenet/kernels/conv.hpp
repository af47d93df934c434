// The xsimd convolution kernel: direct convolution on HWC activations, register-blocked on compile-time shapes.
//
// Each tile keeps R output pixels x V vectors of output channels in registers
// and walks the window: per (kh, kw, c) it loads V weight vectors and
// broadcasts R input values. R and V come from the shapes and the register
// count, so every loop bound is a constant. With rows outer and 8 channels or
// more (conv_plan::direct) the tiles read the input where it lies: the window's
// rows outside it are skipped (a range a row), and the tiles that touch a border
// column skip its columns outside, decided at compile time; with a stride of 2 or more, each tile
// asks the cache for a share of the input rows the next output row reads
// (conv_plan::fetches_ahead). Elsewhere padding is
// materialised once per call in a scratch copy, which leaves the inner loops free
// of bounds checks. Where the filters are many, the weights are copied to the
// scratch too, each block of V vectors' together (conv_plan::packs), so that a
// tile reads them in order.
//
// 3x3 stride-1 layers go to Winograd's F(2x2, 3x3) instead where it pays
// (uses_winograd; the kernel is in winograd.hpp): conv_rows picks, direct_conv_rows
// is the direct kernel above.
#pragma once

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/kernels/winograd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

namespace typenet::kernels {
inline namespace TYPENET_ISA_NAMESPACE {

/// A register tile: `pixels` output pixels of a row x `vectors` vectors of output channels; with
/// `rows` above 1, the tile holds that many whole output rows (pixels = rows x the row's width).
struct conv_tile_shape {
  std::size_t pixels = 0, vectors = 0, rows = 1;
};

/// The padded input copy of the conv kernel: rows and columns, big enough for every window
/// (rounded-up ones included).
constexpr std::size_t padded_height(window2d g) {
  return std::max(g.in_height + g.pad_top + g.pad_bottom, (g.out_height - 1) * g.stride_height + g.window_height);
}
constexpr std::size_t padded_width(window2d g) {
  return std::max(g.in_width + g.pad_left + g.pad_right, (g.out_width - 1) * g.stride_width + g.window_width);
}

/// Whether the weights of K filters over G outweigh the padded input and more than 256 kB (what
/// an L2 cache holds beside the rest), as in deep layers on small images (ResNet's 3x3x512x512
/// on 7x7: 9.4 MB against 166 kB): the kernel then runs each block of channels over every row
/// while its weights stay in cache, and wants few tiles per row (each tile loads every weight of
/// its block once). Smaller weights stay in cache anyway (CIFAR's 64 -> 64 on 16x16: 147 kB).
template <window2d G, std::size_t K>
inline constexpr bool weight_heavy =
    G.window_height * G.window_width * G.channels * K > padded_height(G) * padded_width(G) * G.channels &&
    G.window_height * G.window_width * G.channels * K * sizeof(float) > (std::size_t{256} << 10);

/// The tile the conv kernel uses for K filters over window G on this ISA, a rule read off
/// benchmarks/run-tiles on AVX2 and AVX-512 (docs/performance.md, "Register tiles"):
/// - accumulators (pixels x vectors) leave 4 registers free (for each vector's weights, the
///   broadcast input and one to spare: on 16 registers, LeNet's first convolution ran at 2/3
///   the speed with 14 pixels x 1 vector as with 10 x 1); a weight-heavy layer takes all but
///   those for the weights and the input (on 16 registers 14 x 1 beat 7 x 1 by 1.3x on ResNet's
///   256 -> 256 on 14x14: half the weight loads); at most 14 pixels, 10 on one input channel
///   (each step of the window then has one FMA per pixel and vector; on AVX-512 LeNet-5's first
///   convolution ran 1.14-1.17x faster in tiles of 10, 9, 9 than of 14, 14, and 1 -> 16 5x5 on
///   32 wide 1.08x faster in tiles of 8 than of 11, 11, 10);
/// - two vectors of channels; one when the filters fit in one; three when they fill exactly
///   three (on AVX2 20 filters in one block of 4 x 3 beat a block of 6 x 2 and one of 6 x 1 by
///   1.2x); for a weight-heavy layer, the most vectors, up to 4, that keep the fewest tiles
///   per row, or on rows short enough, whole rows a tile (below);
/// - the fewest tiles per output row; conv_plan makes them as even as they can be (a row of 32
///   on AVX-512: 11 + 11 + 10, not 14 + 14 + 4; on AVX2 6 6 5 5 5 5, not 6 6 6 6 6 2).
template <window2d G, std::size_t K>
constexpr conv_tile_shape default_conv_tile() {
  const std::size_t vectors = (K + simd::lanes - 1) / simd::lanes;
  auto most_pixels = [](std::size_t v) {
    const std::size_t free = weight_heavy<G, K> ? v + 1 : 4;
    const std::size_t cap = G.channels == 1 ? 10 : 14;
    return std::min({cap, std::max(std::size_t{1}, (simd::registers - free) / v), G.out_width});
  };
  auto tiles = [&](std::size_t v) { return (G.out_width + most_pixels(v) - 1) / most_pixels(v); };
  std::size_t v = vectors == 3 ? 3 : std::min(vectors, std::size_t{2});
  if (weight_heavy<G, K>) {
    // Short rows (ResNet's last stage, 7 wide): whole rows a tile, the most vectors (2 to 4)
    // that leave room for two rows or more. On AVX-512 3x3 512 -> 512 on 7x7 went from 91-95 to
    // 104-105 GFLOP/s in tiles of 14 x 2 (two rows) instead of 7 x 3, and on 4x4 from 47-49 to
    // 55-56 in 8 x 3 instead of 4 x 4. With one vector (AVX2's room) it paid on 7x7 (45 -> 48-51)
    // but not on 4x4 (12 x 1 at 22-24 against 4 x 3 at 39-40): one vector's broadcasts are as
    // many as its FMAs.
    auto room = [](std::size_t u) { return std::min<std::size_t>(14, (simd::registers - u - 1) / u); };
    std::size_t rows_v = 0;
    for (std::size_t u = 2; u <= std::min(vectors, std::size_t{4}); ++u)
      if (G.out_height >= 2 && room(u) >= 2 * G.out_width) rows_v = u;
    if (rows_v != 0) {
      const std::size_t rows = std::min(room(rows_v) / G.out_width, G.out_height);
      return {rows * G.out_width, rows_v, rows};
    }
    // Otherwise the most vectors (up to 4) that keep the fewest tiles per row.
    for (std::size_t u = 1; u <= std::min(vectors, std::size_t{4}); ++u)
      if (tiles(u) < tiles(v) || (tiles(u) == tiles(v) && u > v)) v = u;
  }
  return {(G.out_width + tiles(v) - 1) / tiles(v), v};
}

/// Whether the conv kernel packs its weights: by conv_plan's rule, or never, or always where it
/// can (benchmarks/tiles times the three).
enum class packing { rule, never, always };

/// Everything the conv kernel decides at compile time for K filters over window G, with a tile
/// of Pixels x Vectors (0, 0: default_conv_tile; benchmarks/tiles times others).
template <window2d G, std::size_t Filters, std::size_t Pixels = 0, std::size_t Vectors = 0,
          packing Packing = packing::rule>
struct conv_plan {
  static constexpr conv_tile_shape T =
      Pixels == 0 ? default_conv_tile<G, Filters>() : conv_tile_shape{Pixels, Vectors};
  static constexpr std::size_t C = G.channels, K = Filters, OH = G.out_height, OW = G.out_width;
  static constexpr std::size_t KH = G.window_height, KW = G.window_width;
  static constexpr std::size_t SH = G.stride_height, SW = G.stride_width;
  static constexpr std::size_t top = G.pad_top, left = G.pad_left;
  static constexpr std::size_t PH = padded_height(G), PW = padded_width(G);
  static constexpr bool copies = PH != G.in_height || PW != G.in_width;
  static constexpr std::size_t padded_floats = copies ? PH * PW * C : 0;

  static constexpr std::size_t W = simd::lanes;
  static constexpr std::size_t vectors = (K + W - 1) / W;  // vectors of output channels
  static constexpr std::size_t V = std::clamp<std::size_t>(T.vectors, 1, vectors);
  /// Whether the kernel first copies its weights block by block (pack_weights), so that a tile
  /// reads its block's weights in order rather than V vectors every K floats. Read off
  /// benchmarks/run-tiles --packing on AVX2 and AVX-512 (docs/performance.md, "Packed weights"):
  /// with 64 filters or more (steps 256 bytes apart or more: a block's weights then fall in a
  /// quarter of L1's sets or fewer and evict each other) and more than one block (one block's
  /// weights are in order already), either
  /// - a block fits in 40 kB once packed (L1 holds it through a row's tiles) and the output has
  ///   256 pixels or more to pay for the copy (CIFAR's 3x3 32 -> 64 on 16x16 on AVX-512: 158 ->
  ///   178 GFLOP/s; on AVX2, where L2 keeps up with half the FMAs, such layers ran 0.96-1.07x
  ///   as fast packed);
  /// - or the weights outgrow 2 MB (an L2; steps 1 kB or more apart cross a page every 4 steps),
  ///   with output pixels x filters at least 768 vectors' lanes (6144 on AVX2, 12288 on AVX-512):
  ///   each weight is copied once but read once a tile, and read unpacked costs the more the
  ///   further apart its steps (K floats). ResNet's 3x3 512 -> 512 on 7x7 went from 18 to 46
  ///   GFLOP/s on AVX2 and 57 to 94 on AVX-512; on 4x4 it ran 1.34-1.42x as fast packed on AVX2
  ///   and 0.71-0.77x on AVX-512, 256 -> 256 on 6x6 1.20-1.23x and 0.78x, on 8x8 1.46-1.51x and 1.18-1.19x
  ///   (docs/performance.md, "Packing the weights of deep layers on small pictures").
  static constexpr std::size_t window_steps = KH * KW * C;
  static constexpr bool packs =
      Packing == packing::rule
          ? K >= 64 && vectors > V &&
                ((window_steps * V * W * sizeof(float) <= (std::size_t{40} << 10) && OH * OW >= 256) ||
                 (window_steps * K * sizeof(float) > (std::size_t{2} << 20) && OH * OW * K >= 768 * W))
          : Packing == packing::always && vectors > V;
  /// The packed weights, after the padded input (on a 64-byte boundary): every vector of every
  /// step, the last one's lanes past K zero.
  static constexpr std::size_t packed_offset = (padded_floats + 15) / 16 * 16;
  static constexpr std::size_t weight_floats = window_steps * vectors * W;  // packed, whatever the tile
  static constexpr std::size_t packed_floats = packs ? weight_floats : 0;
  static constexpr std::size_t scratch_floats = packs ? packed_offset + packed_floats : padded_floats;
  /// Output rows a tile holds (then R = RT x OW, one tile a group of rows): 1 but on short rows.
  static constexpr std::size_t RT = Pixels == 0 && T.rows > 1 ? T.rows : 1;
  /// A row of OW pixels in row_tiles tiles of at most T.pixels, as even as they can be: big_tiles
  /// of R pixels, then the rest of R - 1 (a row of 32 in tiles of at most 6: 6 6 5 5 5 5, not
  /// 6 6 6 6 6 2, whose 2 x 2 tile has too few accumulators to keep the FMA units busy).
  static constexpr std::size_t most_pixels = std::clamp<std::size_t>(T.pixels, 1, OW);
  static constexpr std::size_t row_tiles = RT > 1 ? 1 : (OW + most_pixels - 1) / most_pixels;
  static constexpr std::size_t R = RT > 1 ? RT * OW : (OW + row_tiles - 1) / row_tiles;
  static constexpr std::size_t big_tiles = RT > 1 ? 1 : OW - row_tiles * (R - 1);
  static constexpr std::size_t last_V = vectors % V == 0 ? V : vectors % V;
  static constexpr std::size_t plain_blocks = (vectors - last_V) / V;
  static constexpr std::size_t tail = K % W;  // lanes used in the last vector (0: all)
  /// Loop order: blocks of channels outer (each over every row, its weights in cache) for a
  /// weight-heavy layer; rows outer (each row over every block, its input in cache) otherwise.
  static constexpr bool blocks_outer = weight_heavy<G, K>;
  /// Whether the kernel reads the input where it lies rather than from a padded copy: rows outer,
  /// 8 channels or more. The window's rows outside the input are skipped (a range a row), and in
  /// the tiles that touch a border column (known at compile time: columns_inside) so are the
  /// pixels' columns outside it. W3 (3x3 s2 64 -> 128 on 56x56) ran 1.10x as fast at batch 1 on
  /// AVX-512 and 1.06x on AVX2, W2 1.06x and 1.04x (docs/performance.md, "The input read where it
  /// lies").
  static constexpr bool direct = copies && !blocks_outer && RT == 1 && C >= 8;
  static constexpr std::size_t IH = G.in_height, IW = G.in_width;
  /// The input rows that output row oh + 1 reads and row oh does not (none after the last row).
  static constexpr window_span ahead_rows(std::size_t oh) {
    if (oh + 1 >= OH) return {0, 0};
    const window_span now = G.rows(oh), next = G.rows(oh + 1);
    return {std::min(std::max(next.first, now.last), next.last), next.last};
  }
  /// Tiles an output row takes (every block's).
  static constexpr std::size_t row_calls = row_tiles * (plain_blocks + 1);
  /// Whether, in a direct plan, the tiles of output row oh ask the cache for ahead_rows(oh), each
  /// tile a share of their 64-byte lines (about ahead_share): with a stride of 2 or more. A batch's
  /// inputs come from memory, where one sample's stays in cache, and W3 (3x3 s2 64 -> 128 on 56x56)
  /// read them no faster than it computed. With its inputs apart (benchmarks/run-batch) it took
  /// 1.10-1.14x one sample's time on AVX2 before and 1.05-1.06x after, and its batch of 64 0.92x
  /// the time on AVX2, 0.93x on AVX-512 (benchmarks/run-forward). With stride 1 (one new row an
  /// output row, read in order: W2) it saved nothing (docs/performance.md, "The next input rows
  /// fetched ahead").
  static constexpr std::size_t ahead_share = (std::min(SH, KH) * IW * C / 16 + row_calls - 1) / row_calls;
  static constexpr bool fetches_ahead = direct && SH >= 2;
  /// Where a tile asks for its share: all of it before the tile starts (conv_row_direct) when 16
  /// lines or fewer (W3 on AVX2: 11-12), else ahead_step lines at each step of its window
  /// (conv_tile; W3 on AVX-512: 56 lines, 7 a step). Each way lost on the other's ground: 56 lines
  /// before a tile saved nothing on AVX-512, 2 a step cost W3 1.5-3 % at batch 1 on AVX2.
  static constexpr bool ahead_spread = ahead_share > 16;
  static constexpr std::size_t ahead_step = (ahead_share + KH * KW - 1) / (KH * KW);
  /// Whether output column col reads input column col x SW + kw - left (not padding).
  static constexpr bool column_in(std::size_t col, std::size_t kw) {
    return col * SW + kw >= left && col * SW + kw < left + IW;
  }
  /// Whether every pixel of output columns [col, col + n) reads input columns only.
  static constexpr bool columns_inside(std::size_t col, std::size_t n) {
    return col * SW >= left && (col + n - 1) * SW + KW <= left + IW;
  }
};

/// Copies the input into the zero-padded scratch volume: rows [first, last) of it (all by default).
template <class P>
inline void pad_input(const float* in, float* padded, std::size_t in_height, std::size_t in_width,
                      std::size_t first = 0, std::size_t last = P::PH) {
  constexpr std::size_t row = P::PW * P::C;
  for (std::size_t h = first; h < last; ++h) {
    float* dst = padded + h * row;
    if (h < P::top || h >= P::top + in_height) {
      std::memset(dst, 0, row * sizeof(float));
      continue;
    }
    const std::size_t left = P::left * P::C, copied = in_width * P::C;
    std::memset(dst, 0, left * sizeof(float));
    std::memcpy(dst + left, in + (h - P::top) * copied, copied * sizeof(float));
    std::memset(dst + left + copied, 0, (row - left - copied) * sizeof(float));
  }
}

/// R output pixels of one row x V channel vectors. `x` is the first input
/// value of the first pixel's window, `w` and `b` the weights and biases of
/// the first channel of the block, `y` the first output. `ahead`: the first of the tile's
/// `ahead_count` lines of the next output row's input, asked for at the steps of its window where
/// the plan spreads them (conv_plan::ahead_spread).
// Not inlined: inlined into the row loops (as it came to be once they were lambdas), the AVX2
// tile's 12 accumulators shared 16 registers with the loops' values and the CIFAR net took 1.3x
// as long.
template <class P, std::size_t R, std::size_t V, bool Partial, std::size_t WS, class Act, std::size_t Col0 = 0,
          bool Guard = false>
[[gnu::noinline]] void conv_tile(const float* x, const float* w, const float* b, float* y, Act act,
                                 std::size_t kh0 = 0, std::size_t kh1 = P::KH,
                                 [[maybe_unused]] const float* ahead = nullptr,
                                 [[maybe_unused]] std::size_t ahead_count = 0) {
  using vec = simd::vec;
  constexpr std::size_t W = P::W, C = P::C, K = P::K;
  // Input row stride (pixels): the input's own when the plan reads it directly (conv_plan::direct).
  // With Guard, the tile's first output column is Col0 and its pixels skip the window's columns
  // outside the input (conv_plan::column_in): kw and r are then constants wherever it is asked.
  constexpr std::size_t RS = P::direct ? P::IW : P::PW;
  vec acc[R][V];
  load_bias(acc, b);
  // The tile's output lines, a few a step of the window (prefetch_tile), where a step is long
  // enough to hide them: on 8 channels or more. On fewer (LeNet-5's 1 and 6, a picture's 3), a
  // step's FMAs are few, the output small enough to stay in cache, and LeNet-5 took 1.09-1.13x
  // as long with them.
  constexpr std::size_t lines = R * ((V * W + 15) / 16), per_step = (lines + P::KH * P::KW - 1) / (P::KH * P::KW);
  for (std::size_t kh = kh0; kh < kh1; ++kh) {
    // One step of the window (kw: std::size_t, or a constant in a guarded tile). Inlined by force,
    // as the fold below: clang 16 kept them functions of their own, the accumulators in memory,
    // and W2 and W3 ran at half the speed.
    auto at = [&](auto kw) __attribute__((always_inline)) {
      if constexpr (C >= 8) prefetch_tile<R, V>(y, K, (kh * P::KW + kw) * per_step, per_step);
      if constexpr (P::fetches_ahead && P::ahead_spread) {
        const std::size_t i0 = (kh * P::KW + kw) * P::ahead_step;
        for (std::size_t i = i0; i < std::min(i0 + P::ahead_step, ahead_count); ++i)
          __builtin_prefetch(ahead + i * 16, 0, 2);
      }
      const float* xk = x + (kh * RS + kw) * C;
      const float* wk = w + (kh * P::KW + kw) * C * WS;
      auto step = [&](std::size_t c) {
        vec wv[V];
        TYPENET_UNROLL
        for (std::size_t v = 0; v < V; ++v) wv[v] = vec::load_unaligned(wk + c * WS + v * W);
        TYPENET_UNROLL
        for (std::size_t r = 0; r < R; ++r) {
          if constexpr (Guard)
            if (!P::column_in(Col0 + r, kw)) continue;
          const vec xv(xk[(r / P::OW) * P::SH * RS * C + (r % P::OW) * P::SW * C + c]);
          TYPENET_UNROLL
          for (std::size_t v = 0; v < V; ++v) acc[r][v] = simd::fma(xv, wv[v], acc[r][v]);
        }
      };
      // Few channels: one at a time. Unrolled (g++ does so by itself for 3 channels), the loads of
      // every channel's weights came first and, with the accumulators, overflowed the registers:
      // on AVX2 the 6 x 2 tile then spilled inside the window's loop and the 3-channel 5x5 and 7x7
      // convolutions ran at 45-57 GFLOP/s instead of 63-102 (benchmarks/run-tiles).
      // 8 channels or more: four at a time, the loop's own instructions (two pointer additions,
      // a compare and a branch a step, taking issue slots from the FMAs) a quarter as many. On the
      // Intel Xeon of docs/performance.md ("Four channels a step") 3x3 64 -> 64 on 32x32 went from
      // 104-108 to 111-117 GFLOP/s on AVX2 and 156-161 to 174-176 on AVX-512; eight at a time
      // was no better.
      constexpr std::size_t unrolled = C >= 8 ? C / 4 * 4 : 0;
      TYPENET_NO_UNROLL
      for (std::size_t c = 0; c < unrolled; c += 4) {
        TYPENET_UNROLL
        for (std::size_t u = 0; u < 4; ++u) step(c + u);
      }
      TYPENET_NO_UNROLL
      for (std::size_t c = unrolled; c < C; ++c) step(c);
    };
    if constexpr (Guard)
      [&]<std::size_t... KW>(std::index_sequence<KW...>) __attribute__((always_inline)) {
        (at(std::integral_constant<std::size_t, KW>{}), ...);
      }(std::make_index_sequence<P::KW>{});
    else
      for (std::size_t kw = 0; kw < P::KW; ++kw) at(kw);
  }
  store_tile<R, V, Partial>(acc, y, K, P::tail, act);
}

/// One output row for one block of V channel vectors: big_tiles tiles of R pixels, then tiles of R - 1.
template <class P, std::size_t V, bool Partial, std::size_t WS, class Act>
inline void conv_row(const float* x, const float* w, const float* b, float* y, Act act) {
  for (std::size_t t = 0; t < P::big_tiles; ++t)
    conv_tile<P, P::R, V, Partial, WS, Act>(x + t * P::R * P::SW * P::C, w, b, y + t * P::R * P::K, act);
  if constexpr (P::big_tiles < P::row_tiles)
    for (std::size_t p = P::big_tiles * P::R; p < P::OW; p += P::R - 1)
      conv_tile<P, P::R - 1, V, Partial, WS, Act>(x + p * P::SW * P::C, w, b, y + p * P::K, act);
}

/// One output row for one block of V channel vectors, the input read where it lies
/// (conv_plan::direct): `x` is where input column -left of the window's first row would be, rows
/// [kh0, kh1) of the window are inside the input. The tiles as conv_row's; those that touch a
/// border column are guarded (conv_tile's Guard), the others all the same function. `ahead`: the
/// first of the `lines` cache lines of input the next output row reads and this one does not; the
/// tiles, calls first_call, first_call + 1, ... of the row's P::row_calls, each ask for a share.
template <class P, std::size_t V, bool Partial, std::size_t WS, class Act>
inline void conv_row_direct(const float* x, const float* w, const float* b, float* y, Act act, std::size_t kh0,
                            std::size_t kh1, const float* ahead, std::size_t lines, std::size_t first_call) {
  [&]<std::size_t... T>(std::index_sequence<T...>) {
    (
        [&] {
          const std::size_t a0 = lines * (first_call + T) / P::row_calls, a1 = lines * (first_call + T + 1) / P::row_calls;
          if constexpr (P::fetches_ahead && !P::ahead_spread)
            for (std::size_t i = a0; i < a1; ++i) __builtin_prefetch(ahead + i * 16, 0, 2);
          constexpr std::size_t p = T < P::big_tiles ? T * P::R : P::big_tiles * P::R + (T - P::big_tiles) * (P::R - 1);
          constexpr std::size_t n = T < P::big_tiles ? P::R : P::R - 1;
          constexpr bool guard = !P::columns_inside(p, n);
          conv_tile<P, n, V, Partial, WS, Act, guard ? p : 0, guard>(x + p * P::SW * P::C, w, b, y + p * P::K, act, kh0,
                                                                    kh1, ahead + a0 * 16, a1 - a0);
        }(),
        ...);
  }(std::make_index_sequence<P::row_tiles>{});
}

/// The weights of each block of V vectors of channels together: block after block, in each the
/// window's steps (kh, kw, c) in order, V x W floats a step (the last block's lanes past K zero).
template <class P>
inline void pack_weights(const float* w, float* packed) {
  constexpr std::size_t block = P::V * P::W, co = P::plain_blocks * block, last = P::last_V * P::W;
  for (std::size_t cb = 0; cb < P::plain_blocks; ++cb) {
    float* dst = packed + cb * P::window_steps * block;
    for (std::size_t i = 0; i < P::window_steps; ++i)
      std::memcpy(dst + i * block, w + i * P::K + cb * block, block * sizeof(float));
  }
  float* dst = packed + P::plain_blocks * P::window_steps * block;
  for (std::size_t i = 0; i < P::window_steps; ++i) {
    std::memcpy(dst + i * last, w + i * P::K + co, (P::K - co) * sizeof(float));
    std::fill(dst + i * last + (P::K - co), dst + (i + 1) * last, 0.f);
  }
}

/// Output rows [first, last) of the convolution of one sample with K filters
/// over window G (HWC in, HWC out) by the direct kernel, bias and the fused epilogue `act`
/// included. `scratch` holds conv_plan<G, K>::scratch_floats floats, of this
/// call alone: calls on disjoint rows may run at once, each with its own (and,
/// where the plan packs, its own copy of the weights).
/// Every output is computed the same way whatever the rows asked for.
template <window2d G, std::size_t K, class Act = identity, std::size_t Pixels = 0, std::size_t Vectors = 0,
          packing Packing = packing::rule>
TYPENET_RANGE_KERNEL void direct_conv_rows(const float* in, const float* weights, const float* biases, float* out,
                                    float* scratch, Act act, std::size_t first, std::size_t last) {
  using P = conv_plan<G, K, Pixels, Vectors, Packing>;
  if (first >= last) return;
  if constexpr (!simd::available) {
    reference::conv<G, K, float>(in, weights, biases, out, first, last);
    for (std::size_t i = first * G.out_width * K; i < last * G.out_width * K; ++i) out[i] = apply(act, out[i], i % K);
  } else {
    const float* src = in;
    if constexpr (P::copies && !P::direct) {  // the padded rows these output rows read
      pad_input<P>(in, scratch, G.in_height, G.in_width, first * P::SH, (last - 1) * P::SH + P::KH);
      src = scratch;
    }
    constexpr std::size_t block = P::V * P::W, co = P::plain_blocks * block;
    const float* w = weights;  // each block's weights: at w + cb * block_stride, WS floats a step
    if constexpr (P::packs) {
      pack_weights<P>(weights, scratch + P::packed_offset);
      w = scratch + P::packed_offset;
    }
    constexpr std::size_t WS = P::packs ? block : P::K, last_WS = P::packs ? P::last_V * P::W : P::K;
    constexpr std::size_t block_stride = P::packs ? P::window_steps * block : block;
    // Q: P, or for the rows left over when P's tiles hold several rows (P::RT), the same plan
    // with one row a tile (the same blocks, the same weights, the same order of additions).
    auto plain = [&]<class Q>(std::type_identity<Q>, std::size_t oh, std::size_t cb) {
      conv_row<Q, P::V, false, WS>(src + oh * P::SH * P::PW * P::C, w + cb * block_stride, biases + cb * block,
                                   out + oh * P::OW * P::K + cb * block, from_channel(act, cb * block));
    };
    auto last_block = [&]<class Q>(std::type_identity<Q>, std::size_t oh) {
      conv_row<Q, P::last_V, P::tail != 0, last_WS>(src + oh * P::SH * P::PW * P::C, w + P::plain_blocks * block_stride,
                                                    biases + co, out + oh * P::OW * P::K + co, from_channel(act, co));
    };
    constexpr std::type_identity<P> whole{};
    if constexpr (P::blocks_outer) {
      // Tiles of RT rows, then one row a tile for the rows left over (none when RT is 1).
      using P1 = std::conditional_t<(P::RT > 1), conv_plan<G, K, P::OW, P::V, Packing>, P>;
      static_assert(P1::RT == 1 && P1::V == P::V && P1::packs == P::packs && (P::RT == 1 || P1::R == P::OW));
      constexpr std::type_identity<P1> single{};
      const std::size_t grouped = first + (last - first) / P::RT * P::RT;
      for (std::size_t cb = 0; cb < P::plain_blocks; ++cb) {
        for (std::size_t oh = first; oh < grouped; oh += P::RT) plain(whole, oh, cb);
        for (std::size_t oh = grouped; oh < last; ++oh) plain(single, oh, cb);
      }
      for (std::size_t oh = first; oh < grouped; oh += P::RT) last_block(whole, oh);
      for (std::size_t oh = grouped; oh < last; ++oh) last_block(single, oh);
    } else if constexpr (P::direct) {
      for (std::size_t oh = first; oh < last; ++oh) {
        const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * P::SH) - static_cast<std::ptrdiff_t>(P::top);
        const std::size_t kh0 = ih < 0 ? static_cast<std::size_t>(-ih) : 0;
        const std::size_t kh1 = static_cast<std::size_t>(
            std::clamp<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(P::IH) - ih, 0, static_cast<std::ptrdiff_t>(P::KH)));
        // Input column -left of row ih (outside the input where a padding is; never read there).
        const float* x = in + (ih * static_cast<std::ptrdiff_t>(P::IW) - static_cast<std::ptrdiff_t>(P::left)) *
                                  static_cast<std::ptrdiff_t>(P::C);
        // The input rows the next output row reads and this one does not, asked for ahead (not past
        // `last`: another call's, maybe another thread's).
        const window_span next = P::ahead_rows(oh);
        const float* a = in + next.first * P::IW * P::C;
        const std::size_t lines = oh + 1 < last ? (next.size() * P::IW * P::C + 15) / 16 : 0;
        for (std::size_t cb = 0; cb < P::plain_blocks; ++cb)
          conv_row_direct<P, P::V, false, WS>(x, w + cb * block_stride, biases + cb * block,
                                              out + oh * P::OW * P::K + cb * block, from_channel(act, cb * block), kh0, kh1, a,
                                              lines, cb * P::row_tiles);
        conv_row_direct<P, P::last_V, P::tail != 0, last_WS>(x, w + P::plain_blocks * block_stride, biases + co,
                                                             out + oh * P::OW * P::K + co, from_channel(act, co), kh0, kh1, a,
                                                             lines, P::plain_blocks * P::row_tiles);
      }
    } else {
      for (std::size_t oh = first; oh < last; ++oh) {
        for (std::size_t cb = 0; cb < P::plain_blocks; ++cb) plain(whole, oh, cb);
        last_block(whole, oh);
      }
    }
  }
}

/// Whether conv_rows runs K filters over window G with Winograd's F(2x2, 3x3) (winograd_rows) rather
/// than the direct kernel: where it can (winograd_plan::applies: 3x3 stride 1, channels and
/// filters whole vectors) but, with 32 registers (AVX-512, where the direct kernel runs closer to
/// the FMA peak and Winograd's transforms weigh more), on rows under 12 pixels. Read off
/// benchmarks/run-tiles --winograd on the Intel Xeon of docs/performance.md ("Winograd's F(2x2,
/// 3x3)"), the direct kernel's time / Winograd's: on AVX2 1.25-1.94 on every layer there (3x3
/// 64 -> 64 on 32x32 1.67, 512 -> 512 on 7x7 1.52); on AVX-512 0.98-1.54 on rows of 12 or more
/// (1.39 and 1.49 on 32x32 and 56x56, 0.98 on 16 -> 32 on 16x16) and 0.67-0.96 on rows of 7, 8
/// and 10.
template <window2d G, std::size_t K>
inline constexpr bool uses_winograd = winograd_plan<G, K>::applies && (simd::registers == 16 || G.out_width >= 12);

/// The scratch conv_rows needs for K filters over window G, in floats (Winograd's or the direct
/// kernel's, which it falls back on).
template <window2d G, std::size_t K>
inline constexpr std::size_t conv_scratch_floats =
    uses_winograd<G, K> ? std::max(winograd_plan<G, K>::scratch_floats, conv_plan<G, K>::scratch_floats)
                        : conv_plan<G, K>::scratch_floats;

/// Output rows [first, last) of the convolution of one sample with K filters over window G (HWC in,
/// HWC out), bias and the fused epilogue `act` included: by Winograd's F(2x2, 3x3) where it pays
/// (uses_winograd) and the input and weights are finite and moderate (winograd_safe), by the
/// direct kernel elsewhere. `scratch` holds conv_scratch_floats<G, K> floats, of this call alone:
/// calls on disjoint rows may run at once, each with its own. Every output has the same bits
/// whatever the rows asked for.
template <window2d G, std::size_t K, class Act = identity>
TYPENET_RANGE_KERNEL void conv_rows(const float* in, const float* weights, const float* biases, float* out,
                                    float* scratch, Act act, std::size_t first, std::size_t last) {
  if constexpr (uses_winograd<G, K>)
    if (winograd_rows<G, K, Act>(in, weights, biases, out, scratch, act, first, last)) return;
  direct_conv_rows<G, K, Act>(in, weights, biases, out, scratch, act, first, last);
}

/// Convolution of one sample with K filters over window G: every output row.
template <window2d G, std::size_t K, class Act = identity>
void conv(const float* in, const float* weights, const float* biases, float* out, float* scratch, Act act = {}) {
  conv_rows<G, K, Act>(in, weights, biases, out, scratch, act, 0, G.out_height);
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::kernels
