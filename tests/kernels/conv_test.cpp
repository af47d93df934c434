// The xsimd convolution kernel against the double reference, on the shapes that break kernels.
#include "check.hpp"

#include <typenet/models/lecture5.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {
using namespace typenet;
using testing::check_against_reference;

/// kernels::direct_conv_rows and, where it applies, kernels::winograd_rows (Rows rows of tiles at a
/// time) on random data against reference::conv in double, with check_sample_against_reference's
/// tolerance; then winograd_rows on rows [0, k) and [k, OH), each with a scratch of its own, gives
/// the bits of its whole call, for every k.
template <window2d G, std::size_t K, std::size_t Rows = 0>
void check_kernels() {
  using P = kernels::winograd_plan<G, K, Rows>;
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa() << ", " << G.in_height << "x" << G.in_width << "x" << G.channels << " -> "
                << K << ", " << P::TR << " rows of tiles at a time");
  std::mt19937_64 g(seed);
  const std::size_t slack = simd::read_slack, out_n = G.out_height * G.out_width * K;
  const std::size_t scratch = std::max(kernels::conv_plan<G, K>::scratch_floats, P::scratch_floats) + slack;
  std::vector<float> x(G.in_height * G.in_width * G.channels + slack), w(9 * G.channels * K + slack), b(K + slack),
      s1(scratch), s2(scratch);
  testing::fill(x, g);
  testing::fill(w, g);
  testing::fill(b, g);
  std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()), bd(b.begin(), b.end()), r(out_n), ra(out_n);
  reference::conv<G, K, double>(xd.data(), wd.data(), bd.data(), r.data(), 0, G.out_height);
  for (double& v : xd) v = std::abs(v);
  for (double& v : wd) v = std::abs(v);
  for (double& v : bd) v = std::abs(v);
  reference::conv<G, K, double>(xd.data(), wd.data(), bd.data(), ra.data(), 0, G.out_height);
  auto check = [&](const std::vector<float>& y, const std::string kernel) {
    std::size_t bad = 0;
    for (std::size_t i = 0; i < out_n; ++i) {
      const double tol = 1e-5 * std::max(1.0, ra[i]) + 1e-6;
      if (!(std::abs(static_cast<double>(y[i]) - r[i]) <= tol) && bad++ < 5)
        FAIL_CHECK(kernel << ", output " << i << ": " << y[i] << ", reference " << r[i] << " (tolerance " << tol << ")");
    }
    CHECK_MESSAGE(bad == 0, kernel << ": " << bad << " of " << out_n << " outputs differ");
  };
  std::vector<float> direct(out_n, std::numeric_limits<float>::quiet_NaN());
  kernels::direct_conv_rows<G, K>(x.data(), w.data(), b.data(), direct.data(), s1.data(), kernels::identity{}, 0,
                                  G.out_height);
  check(direct, "direct");
  if constexpr (P::applies) {
    std::vector<float> whole(out_n, std::numeric_limits<float>::quiet_NaN());
    REQUIRE(kernels::winograd_rows<G, K, kernels::identity, Rows>(x.data(), w.data(), b.data(), whole.data(), s1.data(),
                                                                  {}, 0, G.out_height));
    check(whole, "winograd");
    for (std::size_t k = 1; k < G.out_height; ++k) {
      INFO("rows split at " << k);
      std::vector<float> parts(out_n, std::numeric_limits<float>::quiet_NaN());
      CHECK(kernels::winograd_rows<G, K, kernels::identity, Rows>(x.data(), w.data(), b.data(), parts.data(), s2.data(), {},
                                                                  k, G.out_height));
      // Rows [k, OH) alone written (the tile row across k is computed whole, stored in part).
      const std::size_t split = k * G.out_width * K;
      CHECK(std::all_of(parts.begin(), parts.begin() + split, [](float v) { return std::isnan(v); }));
      CHECK(kernels::winograd_rows<G, K, kernels::identity, Rows>(x.data(), w.data(), b.data(), parts.data(), s1.data(), {},
                                                                  0, k));
      CHECK(std::memcmp(parts.data(), whole.data(), out_n * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("conv: the lecture's example, 32x32x3, ten 5x5 filters, stride 1, pad 2") {
  check_against_reference<models::lecture5_conv>();
}

TEST_CASE("conv: 3-channel first layers") {
  check_against_reference<network<input<16, 16, 3>, conv<filters<16>, kernel<3>, pad<1>>>>();
  check_against_reference<network<input<32, 32, 3>, conv<filters<32>, kernel<3>, pad<1>>>>();
}

TEST_CASE("conv: channel counts that are not multiples of the SIMD width") {
  check_against_reference<network<input<9, 9, 17>, conv<filters<19>, kernel<3>, pad<1>>>>();
  check_against_reference<network<input<8, 8, 19>, conv<filters<33>, kernel<3>>>>();
  check_against_reference<network<input<7, 7, 33>, conv<filters<17>, kernel<3>, stride<2>>>>();
  check_against_reference<network<input<6, 6, 5>, conv<filters<1>, kernel<3>, pad<1>>>>();
  check_against_reference<network<input<6, 6, 4>, conv<filters<70>, kernel<3>, pad<1>>>>();
}

TEST_CASE("conv: strides, including larger than the kernel") {
  check_against_reference<network<input<9, 9, 8>, conv<filters<16>, kernel<3>, stride<2>>>>();
  check_against_reference<network<input<11, 11, 3>, conv<filters<8>, kernel<2>, stride<3>, round_down>>>();
  check_against_reference<network<input<10, 13, 3>, conv<filters<8>, kernel<3>, stride<2, 1>, round_down>>>();
}

TEST_CASE("conv: padding of half the kernel or more, asymmetric, rounded up") {
  check_against_reference<network<input<8, 8, 4>, conv<filters<8>, kernel<3>, pad<2>>>>();
  check_against_reference<network<input<8, 8, 4>, conv<filters<8>, kernel<5>, pad<4>>>>();
  check_against_reference<network<input<8, 8, 4>, conv<filters<8>, kernel<2>, pad_sides<0, 1, 1, 0>>>>();
  check_against_reference<network<input<7, 7, 4>, conv<filters<8>, kernel<3>, stride<3>, round_up>>>();
}

TEST_CASE("conv: 1x1 and non-square kernels") {
  check_against_reference<network<input<8, 8, 32>, conv<filters<16>, kernel<1>>>>();
  check_against_reference<network<input<9, 9, 20>, conv<filters<24>, kernel<1>, stride<2>>>>();
  check_against_reference<network<input<9, 12, 5>, conv<filters<12>, kernel<3, 1>, pad<1, 0>>>>();
  check_against_reference<network<input<9, 12, 5>, conv<filters<12>, kernel<1, 5>>>>();
}

TEST_CASE("conv: ResNet's stem, 7x7 stride 2 pad 3 on 224x224 rounded down") {
  check_against_reference<network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, round_down>>>();
}

TEST_CASE("conv: AlexNet's conv1, 11x11 stride 4 on 227x227x3") {
  check_against_reference<network<input<227, 227, 3>, conv<filters<96>, kernel<11>, stride<4>>>>();
}

TEST_CASE("conv: the benchmark layers (64 -> 64 on 32x32; 64 -> 128 stride 2 on 56x56)") {
  check_against_reference<network<input<32, 32, 64>, conv<filters<64>, kernel<3>, pad<1>>>>();
  check_against_reference<network<input<56, 56, 64>, conv<filters<128>, kernel<3>, stride<2>, pad<1>, round_down>>>();
}

TEST_CASE("conv: weight-heavy layers (blocks of channels outer, tiles of 1 to 4 vectors, a partial last block)") {
  // Weights over 256 kB and over the input: ResNet's deep layers, scaled down; 69 and 333 filters
  // leave a partial last vector and a last block of fewer vectors on every ISA.
  using heavy = network<input<7, 7, 128>, conv<filters<69>, kernel<3>, pad<1>>>;
  static_assert(kernels::weight_heavy<window2d{7, 7, 128, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, 69>);
  check_against_reference<heavy>();
  check_against_reference<network<input<5, 5, 64>, conv<filters<333>, kernel<3>, pad<1>>, relu>>();
  check_against_reference<network<input<14, 14, 128>, conv<filters<160>, kernel<3>, pad<1>>>>();
  // The direct kernel on a shape conv now runs with Winograd's (uses_winograd), and Winograd's.
  check_kernels<window2d{14, 14, 128, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 160>();
}

/// conv_rows on rows [0, k) and [k, OH) (each with a scratch of its own, as two threads would)
/// gives conv's bits on every row, for every k.
template <window2d G, std::size_t K>
void check_row_ranges() {
  std::mt19937_64 g(testing::fresh_seed());
  const std::size_t slack = simd::read_slack, scratch = kernels::conv_scratch_floats<G, K> + slack;
  std::vector<float> x(G.in_height * G.in_width * G.channels + slack), w(G.window_height * G.window_width * G.channels * K + slack),
      b(K + slack), whole(G.out_height * G.out_width * K), s1(scratch), s2(scratch);
  testing::fill(x, g);
  testing::fill(w, g);
  testing::fill(b, g);
  kernels::conv<G, K>(x.data(), w.data(), b.data(), whole.data(), s1.data());
  for (std::size_t k = 1; k < G.out_height; ++k) {
    std::vector<float> parts(whole.size(), std::numeric_limits<float>::quiet_NaN());
    kernels::conv_rows<G, K>(x.data(), w.data(), b.data(), parts.data(), s1.data(), kernels::identity{}, 0, k);
    kernels::conv_rows<G, K>(x.data(), w.data(), b.data(), parts.data(), s2.data(), kernels::identity{}, k, G.out_height);
    INFO("rows split at " << k);
    CHECK(std::memcmp(parts.data(), whole.data(), whole.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("conv: tiles of whole rows on short rows (a weight-heavy 7x7 and 5x5), split between threads anywhere") {
  // On AVX-512 both take tiles of two rows (conv_plan::RT); an odd count of rows, or a split
  // between the rows of a tile, leaves rows to tiles of one. Other ISAs: tiles of one row.
  constexpr window2d seven{7, 7, 128, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, five{5, 5, 64, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1};
  constexpr bool avx512 = simd::lanes == 16 && simd::registers == 32;
  static_assert(!avx512 || (kernels::conv_plan<seven, 69>::RT == 2 && kernels::conv_plan<five, 333>::RT == 2));
  check_row_ranges<seven, 69>();
  check_row_ranges<five, 333>();
  check_row_ranges<window2d{4, 4, 512, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1}, 512>();
  check_against_reference<network<input<4, 4, 512>, conv<filters<512>, kernel<3>, pad<1>>>>();
  check_kernels<window2d{4, 4, 512, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1}, 512>();  // Winograd's on AVX2 and SSE2
}

TEST_CASE("conv: the input read where it lies (8 channels or more): borders, strides, rounding, rows split") {
  // conv_plan::direct: no padded copy; the window's rows outside the input are skipped, and in the
  // tiles that touch a border column the pixels skip its columns outside. Windows with a single
  // column or row inside (pad 4 on 5x5), asymmetric padding, rounded-up strides that reach past
  // the padding, a row of one tile touching both borders, rows of many tiles, partial vectors.
  static_assert(kernels::conv_plan<window2d{8, 8, 16, 12, 12, 5, 5, 1, 1, 4, 4, 4, 4}, 19>::direct);
  static_assert(!kernels::conv_plan<window2d{8, 8, 4, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1}, 8>::direct);  // 4 channels
  check_against_reference<network<input<8, 8, 8>, conv<filters<16>, kernel<3>, pad<2>>>>();
  check_against_reference<network<input<8, 8, 16>, conv<filters<19>, kernel<5>, pad<4>>>>();
  check_against_reference<network<input<7, 9, 12>, conv<filters<24>, kernel<5, 3>, pad_sides<2, 1, 0, 1>>, relu>>();
  check_against_reference<network<input<7, 7, 16>, conv<filters<20>, kernel<3>, stride<2>, pad<1>, round_up>>>();
  check_against_reference<network<input<8, 9, 8>, conv<filters<8>, kernel<2>, stride<3>, pad<1>, round_up>>>();
  check_against_reference<network<input<2, 2, 8>, conv<filters<16>, kernel<3>, pad<1>>>>();
  check_against_reference<network<input<5, 40, 8>, conv<filters<35>, kernel<3>, pad<1>>>>();
  check_against_reference<network<input<9, 9, 17>, conv<filters<70>, kernel<3>, stride<2>, pad<1>, round_down>>>();
  check_row_ranges<window2d{8, 8, 16, 12, 12, 5, 5, 1, 1, 4, 4, 4, 4}, 19>();
  check_row_ranges<window2d{7, 7, 16, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1}, 20>();
  // The direct kernel on the shapes above that conv runs with Winograd's where 8 channels fill
  // whole vectors (AVX2, SSE2).
  check_kernels<window2d{8, 8, 8, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2}, 16>();
  check_kernels<window2d{2, 2, 8, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1}, 16>();
}

// conv_plan::ahead_rows, what the tiles of output row oh ask the cache for ahead: the input rows
// that output row oh + 1 reads and row oh does not, inside the input, none after the last row.
// Against the rows each output row reads, one by one: strides below, equal to and above the
// kernel (rows that no window reads), paddings of half the kernel or more, asymmetric.
template <window2d G, std::size_t K>
constexpr bool ahead_rows_are_the_next_rows() {
  using P = kernels::conv_plan<G, K>;
  auto reads = [](std::size_t oh, std::size_t h) { return h + P::top >= oh * P::SH && h + P::top < oh * P::SH + P::KH; };
  for (std::size_t oh = 0; oh < P::OH; ++oh) {
    const auto r = P::ahead_rows(oh);
    if (r.first > r.last || r.last > P::IH) return false;
    for (std::size_t h = 0; h < P::IH; ++h) {
      const bool wanted = oh + 1 < P::OH && reads(oh + 1, h) && !reads(oh, h);
      if (wanted != (r.first <= h && h < r.last && r.first < r.last)) return false;
    }
  }
  return true;
}
static_assert(ahead_rows_are_the_next_rows<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>());  // W3
static_assert(ahead_rows_are_the_next_rows<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>());   // W2
static_assert(ahead_rows_are_the_next_rows<window2d{8, 9, 8, 3, 4, 2, 2, 3, 3, 1, 1, 1, 1}, 8>());         // stride 3, kernel 2
static_assert(ahead_rows_are_the_next_rows<window2d{8, 8, 16, 12, 12, 5, 5, 1, 1, 4, 4, 4, 4}, 19>());    // pad 4, kernel 5
static_assert(ahead_rows_are_the_next_rows<window2d{7, 9, 12, 5, 9, 5, 3, 1, 1, 2, 0, 1, 1}, 24>());       // top 2, bottom 0
static_assert(ahead_rows_are_the_next_rows<window2d{8, 8, 16, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1}, 20>());       // rounded up
static_assert(kernels::conv_plan<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>::ahead_rows(3).first == 8);
// Asked for where the stride is 2 or more, never with stride 1; before each tile where a tile's
// share is 16 lines or fewer (W3 on AVX2: 11-12, and SSE2), spread over the steps of its window
// where more (on AVX-512: 56) (docs/performance.md, "The next input rows fetched ahead").
static_assert(kernels::conv_plan<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>::fetches_ahead);
static_assert(kernels::conv_plan<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>::ahead_spread ==
              (simd::lanes == 16));
static_assert(!kernels::conv_plan<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>::fetches_ahead);

TEST_CASE("conv: the next input rows asked for ahead, before each tile or spread over its window") {
  // W3's shape, smaller: 56 lines a tile on AVX-512 (spread), 9-10 on AVX2 and 4-5 on SSE2 (before
  // each tile); rows split anywhere (a call asks for nothing past its last row).
  constexpr window2d g{28, 28, 32, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1};
  static_assert(kernels::conv_plan<g, 64>::fetches_ahead);
  static_assert(kernels::conv_plan<g, 64>::ahead_spread == (simd::lanes == 16));
  check_against_reference<network<input<28, 28, 32>, conv<filters<64>, kernel<3>, stride<2>, pad<1>, round_down>, relu>>();
  check_row_ranges<g, 64>();
}

TEST_CASE("conv: packed weights (each block's weights copied together first), a partial last block") {
  // Both of conv_plan::packs's cases, on every ISA: blocks of 40 kB or less on 256 pixels or more,
  // and weights over 2 MB on 64 pixels x 301 filters (above 768 x 16); 70 and 301 filters leave a
  // partial last vector on every ISA (its lanes past the filters are zero in the packed copy).
  static_assert(kernels::conv_plan<window2d{16, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 70>::packs);
  check_against_reference<network<input<16, 16, 16>, conv<filters<70>, kernel<3>, pad<1>>, relu>>();
  static_assert(kernels::conv_plan<window2d{8, 8, 256, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1}, 301>::packs);
  check_against_reference<network<input<8, 8, 256>, conv<filters<301>, kernel<3>, pad<1>>>>();
  // Not on 2 x 2 pixels (the copy would cost more than it saves), nor with one block of filters;
  // on 4 x 4 x 512 filters (8192) on AVX2 and SSE2's 4 lanes but not on AVX-512 (docs/performance.md,
  // "Packing the weights of deep layers on small pictures").
  static_assert(!kernels::conv_plan<window2d{2, 2, 256, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1}, 301>::packs);
  static_assert(kernels::conv_plan<window2d{4, 4, 512, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1}, 512>::packs ==
                (simd::lanes <= 8));
  static_assert(!kernels::conv_plan<window2d{16, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 8>::packs);
}

// --- Winograd's F(2x2, 3x3) (kernels/winograd.hpp) and the direct kernel it stands in for --------

// window2d{in_height, in_width, channels, out_height, out_width, 3, 3, 1, 1, pad_top, pad_bottom, pad_left, pad_right}.
// Channels and filters multiples of 16, so that Winograd applies on every ISA (whole vectors).
TEST_CASE("conv winograd: F(2x2, 3x3) against the double reference: odd sizes, every padding, groups of tile rows, rows split") {
  check_kernels<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>();  // W2, the benchmark layer
  check_kernels<window2d{15, 15, 16, 15, 15, 3, 3, 1, 1, 1, 1, 1, 1}, 32>();  // odd: the last tiles half used
  check_kernels<window2d{9, 7, 16, 7, 5, 3, 3, 1, 1, 0, 0, 0, 0}, 80>();      // no padding; 80 filters: 5 vectors on AVX-512
  check_kernels<window2d{6, 6, 16, 8, 8, 3, 3, 1, 1, 2, 2, 2, 2}, 16>();      // pad 2: windows in the padding alone
  check_kernels<window2d{8, 8, 16, 8, 7, 3, 3, 1, 1, 0, 2, 1, 0}, 16>();      // asymmetric padding
  check_kernels<window2d{1, 1, 16, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1}, 16>();      // one pixel
  // Groups of rows of tiles: four over five (a last group of one, a plan of its own), three over
  // five, two over seven; 48 filters: 3 vectors on AVX-512.
  check_kernels<window2d{10, 10, 32, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1}, 48>();
  check_kernels<window2d{10, 10, 32, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1}, 48, 3>();
  check_kernels<window2d{13, 14, 16, 13, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 32, 2>();
  // The rule: the fewest rows of tiles that make 16 tiles, or 64 past 2 MB of transformed filters.
  static_assert(kernels::winograd_plan<window2d{10, 10, 32, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1}, 48>::TR == 4);  // 5 tiles a row
  static_assert(kernels::winograd_plan<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>::TR == 1);
  static_assert(kernels::winograd_plan<window2d{14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 256>::TR == 7);  // 4 MB
  static_assert(kernels::winograd_plan<window2d{14, 14, 128, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 128>::TR == 3);  // 1 MB
}

TEST_CASE("conv winograd: where conv uses it (kernels::uses_winograd), through the model, fused epilogues") {
  constexpr bool avx512 = simd::registers == 32;
  // W2 and the CIFAR net's 3x3 layers, everywhere there is SIMD.
  static_assert(kernels::uses_winograd<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64> == simd::available);
  static_assert(kernels::uses_winograd<window2d{16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64> == simd::available);
  static_assert(kernels::uses_winograd<window2d{32, 32, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 16> == simd::available);
  static_assert(kernels::uses_winograd<window2d{12, 12, 64, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1}, 64> == simd::available);
  // Not on AVX-512 for rows under 12 pixels.
  static_assert(kernels::uses_winograd<window2d{10, 10, 64, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1}, 64> == (simd::available && !avx512));
  static_assert(kernels::uses_winograd<window2d{7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, 512> == (simd::available && !avx512));
  // Never: stride 2, a 5x5 window, 17 channels, 19 filters.
  static_assert(!kernels::uses_winograd<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>);
  static_assert(!kernels::uses_winograd<window2d{32, 32, 64, 32, 32, 5, 5, 1, 1, 2, 2, 2, 2}, 64>);
  static_assert(!kernels::uses_winograd<window2d{16, 16, 17, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>);
  static_assert(!kernels::uses_winograd<window2d{16, 16, 64, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 19>);
  check_against_reference<network<input<16, 16, 32>, conv<filters<32>, kernel<3>, pad<1>>, relu>>();
  check_against_reference<network<input<17, 16, 32>, conv<filters<64>, kernel<3>, pad<1>>, leaky_relu<slope<1, 5>>>>();
  check_against_reference<network<input<16, 16, 32>, conv<filters<32>, kernel<3>, pad<1>>, batch_norm<>, relu>>();
  check_row_ranges<window2d{17, 16, 32, 17, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>();
}

TEST_CASE("conv winograd: infinities, NaN and huge values go to the direct kernel, the output untouched by Winograd") {
  // An infinite input gives +inf and -inf to one tile's transformed values, and the output NaN
  // where the direct kernel gives the infinity: winograd_rows declines, and conv_rows runs the
  // direct kernel.
  constexpr window2d G{16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1};
  constexpr std::size_t K = 32, slack = simd::read_slack, out_n = 16 * 16 * K;
  std::mt19937_64 g(testing::fresh_seed());
  const float values[] = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(), 0x1p41f, -0x1p41f};
  for (float value : values)
    for (const bool in_weights : {false, true}) {
      INFO("value " << value << (in_weights ? " in the weights" : " in the input"));
      std::vector<float> x(G.in_height * G.in_width * G.channels + slack), w(9 * G.channels * K + slack), b(K + slack),
          s(kernels::conv_scratch_floats<G, K> + slack);
      testing::fill(x, g);
      testing::fill(w, g);
      testing::fill(b, g);
      (in_weights ? w[9 * G.channels * K - 1] : x[7 * 16 * 32 + 5]) = value;
      if constexpr (kernels::winograd_plan<G, K>::applies) {
        std::vector<float> y(out_n, 42.f);
        CHECK_FALSE(kernels::winograd_rows<G, K>(x.data(), w.data(), b.data(), y.data(), s.data(), kernels::identity{}, 0, 16));
        CHECK(std::all_of(y.begin(), y.end(), [](float v) { return v == 42.f; }));
      }
      std::vector<float> y(out_n), direct(out_n);
      kernels::conv_rows<G, K>(x.data(), w.data(), b.data(), y.data(), s.data(), kernels::identity{}, 0, 16);
      kernels::direct_conv_rows<G, K>(x.data(), w.data(), b.data(), direct.data(), s.data(), kernels::identity{}, 0, 16);
      CHECK(std::memcmp(y.data(), direct.data(), out_n * sizeof(float)) == 0);
    }
}

TEST_CASE("conv: fused relu and leaky_relu") {
  check_against_reference<network<input<8, 8, 3>, conv<filters<19>, kernel<3>, pad<1>>, relu>>();
  check_against_reference<network<input<8, 8, 3>, conv<filters<19>, kernel<3>, pad<1>>, leaky_relu<slope<1, 5>>>>();
}

// --- beyond the lecture: grouped and depthwise convolution, no bias ---------------------------------

TEST_CASE("conv depthwise: the channel-vectorized kernel, channel counts around the SIMD width, every padding") {
  check_against_reference<network<input<9, 9, 16>, conv<filters<16>, kernel<3>, pad<1>, depthwise>>>();
  check_against_reference<network<input<9, 9, 35>, conv<filters<35>, kernel<3>, pad<1>, depthwise>>>();
  check_against_reference<network<input<8, 8, 7>, conv<filters<7>, kernel<3>, stride<2>, pad<1>, depthwise, round_down>>>();
  check_against_reference<network<input<7, 9, 24>, conv<filters<24>, kernel<5, 3>, pad_sides<2, 1, 0, 1>, depthwise>>>();
  // MobileNetV2's 112x112x32 depthwise layer.
  check_against_reference<network<input<112, 112, 32>, conv<filters<32>, kernel<3>, pad<1>, depthwise>>>();
}

TEST_CASE("conv grouped: several channels per group, several filters per channel") {
  check_against_reference<network<input<8, 8, 12>, conv<filters<18>, kernel<3>, pad<1>, groups<3>>>>();
  check_against_reference<network<input<8, 8, 6>, conv<filters<12>, kernel<3>, depthwise>>>();  // multiplier 2
  check_against_reference<network<input<9, 9, 4>, conv<filters<6>, kernel<3>, stride<2>, groups<2>, no_bias>>>();
}

TEST_CASE("conv no_bias: the kernel reads zeros for biases, fused activations included") {
  check_against_reference<network<input<8, 8, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, no_bias, round_down>, relu>>();
  check_against_reference<network<input<10, 10, 8>, conv<filters<8>, kernel<3>, pad<1>, depthwise, no_bias>, relu6>>();
}
}  // namespace

namespace batch_norm_tests {
using namespace typenet;
using testing::check_against_reference;

TEST_CASE("batch_norm: the kernel (per-channel scale and shift) = the double reference, fused activations, flat inputs") {
  // (check_against_reference keeps the running variances positive: testing::positive_variances.)
  check_against_reference<network<input<5, 5, 3>, conv<filters<32>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu>>();
  check_against_reference<network<input<7, 7, 24>, conv<filters<24>, kernel<3>, pad<1>, depthwise, no_bias>, batch_norm<>, relu6>>();
  check_against_reference<network<input<37>, dense<units<19>>, batch_norm<>, relu>>();
  // Its own kernel on a volume: a conv with two readers does not fold it.
  check_against_reference<network<input<5, 5, 3>, conv<filters<21>, kernel<3>, pad<1>>,
                                  residual<batch_norm<>, relu>>>();
}

// The schedule folds a batch norm into the conv before it when the conv is its only input and it
// is the conv's only reader; an activation after it fuses there too.
static_assert(plan<network<input<4, 4, 3>, conv<filters<8>, kernel<3>>, batch_norm<>, relu>>::steps ==
              std::array{step::skip, step::run, step::folded, step::fused});
static_assert(plan<network<input<4, 4, 8>, conv<filters<8>, kernel<3>, depthwise>, batch_norm<>, relu6>>::steps[2] ==
              step::folded);
static_assert(plan<network<input<8>, dense<units<8>>, batch_norm<>>>::steps[2] == step::run);  // dense: no channel epilogue
static_assert(plan<network<input<4, 4, 3>, conv<filters<8>, kernel<1>>, batch_norm<>, batch_norm<>>>::steps ==
              std::array{step::skip, step::run, step::folded, step::run});
static_assert(plan<network<input<4, 4, 8>, conv<filters<8>, kernel<1>>, residual<batch_norm<>>>>::steps[2] == step::run);
static_assert(plan<network<input<4, 4, 8>, conv<filters<8>, kernel<1>>, relu, batch_norm<>>>::steps[3] == step::run);

/// Net = input, Conv, batch_norm, Act...: the model (batch norm folded into the conv) gives the
/// same bits as the conv's model followed by the batch norm's own (its kernel on the stored
/// output), on one sample and on a batch.
template <class In, class Conv, class... Act>
void check_folded_matches_unfused() {
  using folded = network<In, Conv, batch_norm<>, Act...>;
  using conv_only = network<In, Conv>;
  using norm_only = network<input<facts<conv_only>.output.height, facts<conv_only>.output.width,
                                  facts<conv_only>.output.depth>,
                            batch_norm<>, Act...>;
  static_assert(plan<folded>::steps[2] == step::folded);
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  static model<folded> m;
  static model<conv_only> a;
  static model<norm_only> b;
  testing::fill(m.parameters(), g);
  testing::positive_variances<folded>(m.parameters());
  std::copy_n(m.parameters().begin(), a.parameters().size(), a.parameters().begin());
  std::copy_n(m.parameters().begin() + a.parameters().size(), b.parameters().size(), b.parameters().begin());
  constexpr std::size_t n = 3, in = facts<folded>.input.size(), mid = facts<conv_only>.output.size();
  std::vector<float> x(n * in), y(n * mid), z(n * mid), want(n * mid);
  testing::fill(x, g);
  a.forward_batch(x, z);
  b.forward_batch(z, want);
  m.forward_batch(x, y);
  CHECK(y == want);
  m.forward(std::span<const float>(x).first(in), std::span<float>(y).first(mid));
  CHECK(std::equal(y.begin(), y.begin() + mid, want.begin()));
}

TEST_CASE("batch_norm folded into the convolution before it: the same bits as its own kernel after the conv") {
  // Each kernel path: the tiled conv (69 filters: several channel blocks, then a partial vector,
  // on SSE2, AVX2 and AVX-512 alike), the depthwise kernel (21 channels: whole vectors and the
  // scalar tail), and the reference loop of other groupings.
  check_folded_matches_unfused<input<7, 5, 3>, conv<filters<69>, kernel<3>, stride<2>, pad<1>, no_bias, round_down>, relu>();
  check_folded_matches_unfused<input<6, 6, 21>, conv<filters<21>, kernel<3>, pad<1>, depthwise>, relu6>();
  check_folded_matches_unfused<input<5, 5, 6>, conv<filters<4>, kernel<3>, groups<2>>>();
}

TEST_CASE("batch_norm is PyTorch's eval mode: (x - mean) / sqrt(var + 1e-5) * weight + bias") {
  model<network<input<1, 2, 2>, batch_norm<>>> m;
  // weight, bias, running_mean, running_var per channel (2 channels).
  const float p[] = {2.f, 0.5f, 1.f, -1.f, 3.f, 0.f, 4.f, 1.f};
  std::copy(std::begin(p), std::end(p), m.parameters().begin());
  const auto y = m.forward({{5.f, 2.f, 3.f, -2.f}});
  CHECK(y[0] == doctest::Approx((5.0 - 3.0) / std::sqrt(4.0 + 1e-5) * 2.0 + 1.0).epsilon(1e-6));
  CHECK(y[1] == doctest::Approx((2.0 - 0.0) / std::sqrt(1.0 + 1e-5) * 0.5 - 1.0).epsilon(1e-6));
  CHECK(y[2] == doctest::Approx((3.0 - 3.0) / std::sqrt(4.0 + 1e-5) * 2.0 + 1.0).epsilon(1e-6));
  CHECK(y[3] == doctest::Approx((-2.0 - 0.0) / std::sqrt(1.0 + 1e-5) * 0.5 - 1.0).epsilon(1e-6));
  // A fresh model starts as the identity: weight 1, bias 0, mean 0, variance 1.
  model<network<input<3>, batch_norm<>>> fresh;
  const auto z = fresh.forward({{1.f, -2.f, 3.f}});
  CHECK(z[1] == doctest::Approx(-2.0 / std::sqrt(1.0 + 1e-5)));
}
}  // namespace batch_norm_tests
