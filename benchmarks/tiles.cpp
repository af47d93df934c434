// The conv kernel's register tile, searched: every tile (pixels x vectors of channels) that fits
// the ISA's registers, timed on the convolutions that matter, against the tile the kernel picks
// (kernels::default_conv_tile). Where the rule in conv.hpp comes from; rerun it on a new machine:
//   benchmarks/run-tiles [--isa native|avx2|sse2] [--samples N]
// With --packing, the default tile with its weights packed and not (kernels::conv_plan::packs):
// where that rule comes from. With --winograd, the direct kernel against Winograd's F(2x2, 3x3)
// taking 1, 2 or 4 rows of tiles at a time, and the rows its rule takes (kernels::uses_winograd,
// winograd_plan::TR).
#include <typenet/geometry.hpp>
#include <typenet/kernels/conv.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tn = typenet;
namespace kn = typenet::kernels;

namespace {

using tile = kn::conv_tile_shape;

// Candidates: every count of vectors up to 4, pixels from 1 to 14; those that do not fit are skipped.
// (Each block of channels runs in the loop order conv_plan::blocks_outer picks, whatever the tile.)
constexpr tile candidates[] = {
    {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}, {8, 1}, {9, 1}, {10, 1}, {11, 1}, {12, 1}, {13, 1}, {14, 1},
    {1, 2}, {2, 2}, {3, 2}, {4, 2}, {5, 2}, {6, 2}, {7, 2}, {8, 2}, {9, 2}, {10, 2}, {11, 2}, {12, 2}, {13, 2}, {14, 2},
    {1, 3}, {2, 3}, {3, 3}, {4, 3}, {5, 3}, {6, 3}, {7, 3}, {8, 3}, {9, 3},
    {1, 4}, {2, 4}, {3, 4}, {4, 4}, {5, 4}, {6, 4},
};

/// Whether tile T is a distinct, spill-free tile for K filters over G: no more vectors than the
/// filters fill, no more pixels than a row, pixels that the kernel keeps as they are (it splits a
/// row evenly: at most 14 pixels on a row of 32 is 11 11 10, the same as at most 11), and its
/// accumulators, one weight register per vector and the broadcast input within the registers.
template <tn::window2d G, std::size_t K, tile T>
constexpr bool fits() {
  const std::size_t vectors = (K + tn::simd::lanes - 1) / tn::simd::lanes;
  return T.vectors <= vectors && T.pixels <= G.out_width && kn::conv_plan<G, K, T.pixels, T.vectors>::R == T.pixels &&
         T.pixels * T.vectors + T.vectors + 1 <= tn::simd::registers;
}

struct options {
  int samples = 5;
  double min_time = 0.03;  // seconds per sample
};

using clock_type = std::chrono::steady_clock;

/// Median seconds per call of each of `fs`, in turns sample by sample (as benchmarks/forward.cpp).
std::vector<double> median_times(const std::vector<std::function<void()>>& fs, const options& opt) {
  std::vector<long> calls;
  for (const auto& f : fs) {
    long n = 0;
    const auto start = clock_type::now();
    while (n < 2 || std::chrono::duration<double>(clock_type::now() - start).count() < 0.02) f(), ++n;
    const double one = std::chrono::duration<double>(clock_type::now() - start).count() / static_cast<double>(n);
    calls.push_back(std::max(1L, static_cast<long>(opt.min_time / one)));
  }
  std::vector<std::vector<double>> t(fs.size());
  for (int s = 0; s < opt.samples; ++s)
    for (std::size_t i = 0; i < fs.size(); ++i) {
      const auto start = clock_type::now();
      for (long k = 0; k < calls[i]; ++k) fs[i]();
      t[i].push_back(std::chrono::duration<double>(clock_type::now() - start).count() / static_cast<double>(calls[i]));
    }
  std::vector<double> medians;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    medians.push_back(v[v.size() / 2]);
  }
  return medians;
}

/// Scratch for any tile and packing of K filters over G: the padded input, then every weight vector.
template <tn::window2d G, std::size_t K>
constexpr std::size_t most_scratch = kn::conv_plan<G, K>::packed_offset + kn::conv_plan<G, K>::weight_floats;

/// Random inputs, weights and biases for K filters over G, an output and a scratch.
template <tn::window2d G, std::size_t K>
struct conv_data {
  std::mt19937_64 g{7};
  std::vector<float> x = random(G.in_height * G.in_width * G.channels),
                     w = random(G.window_height * G.window_width * G.channels * K), b = random(K),
                     y = std::vector<float>(G.out_height * G.out_width * K + tn::simd::read_slack),
                     scratch = std::vector<float>(most_scratch<G, K> + tn::simd::read_slack);
  std::vector<float> random(std::size_t n) {
    std::uniform_real_distribution<float> d(-1.f, 1.f);
    std::vector<float> v(n + tn::simd::read_slack);
    for (float& e : v) e = d(g);
    return v;
  }
  template <std::size_t Pixels = 0, std::size_t Vectors = 0, kn::packing Packing = kn::packing::rule>
  void run() {
    kn::direct_conv_rows<G, K, kn::identity, Pixels, Vectors, Packing>(x.data(), w.data(), b.data(), y.data(), scratch.data(),
                                                                {}, 0, G.out_height);
  }
};

template <tn::window2d G, std::size_t K>
constexpr double conv_flops = 2.0 * G.out_height * G.out_width * K * G.window_height * G.window_width * G.channels;

/// The default tile with its weights packed and not: the two GFLOP/s and what the rule does.
template <tn::window2d G, std::size_t K>
void compare_packing(const char* name, const options& opt) {
  std::fprintf(stderr, "timing %s ...\n", name);
  using P = kn::conv_plan<G, K>;
  conv_data<G, K> d;
  if constexpr (!kn::conv_plan<G, K, 0, 0, kn::packing::always>::packs) {
    std::printf("| %s | %zu x %zu | one block: nothing to pack | | | |\n", name, P::R, P::V);
  } else {
    const std::vector<double> t = median_times(
        {[&] { d.template run<0, 0, kn::packing::never>(); }, [&] { d.template run<0, 0, kn::packing::always>(); }}, opt);
    const double never = conv_flops<G, K> / t[0] * 1e-9, always = conv_flops<G, K> / t[1] * 1e-9;
    std::printf("| %s | %zu x %zu | %.1f | %.1f | %.2f | %s |\n", name, P::R, P::V, never, always, always / never,
                P::packs ? "packs" : "-");
  }
  std::fflush(stdout);
}

/// The direct kernel (default tile) against Winograd's F(2x2, 3x3) a row of tiles at a time, two,
/// four and as winograd_plan's rule takes them: GFLOP/s counted as the direct kernel's (9 products
/// a window), and what kernels::uses_winograd picks.
template <tn::window2d G, std::size_t K>
void compare_winograd(const char* name, const options& opt) {
  std::fprintf(stderr, "timing %s ...\n", name);
  conv_data<G, K> d;
  constexpr std::size_t scratch = std::max({kn::winograd_plan<G, K, 1>::scratch_floats, kn::winograd_plan<G, K, 2>::scratch_floats,
                                            kn::winograd_plan<G, K, 4>::scratch_floats, kn::winograd_plan<G, K>::scratch_floats});
  std::vector<float> s(scratch);
  auto winograd = [&]<std::size_t Rows>(std::integral_constant<std::size_t, Rows>) {
    return [&] {
      if (!kn::winograd_rows<G, K, kn::identity, Rows>(d.x.data(), d.w.data(), d.b.data(), d.y.data(), s.data(), {}, 0,
                                                       G.out_height))
        std::abort();  // random values in [-1, 1): always safe
    };
  };
  const std::vector<double> t = median_times({[&] { d.template run<>(); }, winograd(std::integral_constant<std::size_t, 1>{}),
                                              winograd(std::integral_constant<std::size_t, 2>{}),
                                              winograd(std::integral_constant<std::size_t, 4>{}),
                                              winograd(std::integral_constant<std::size_t, 0>{})},
                                             opt);
  auto gflops = [&](double seconds) { return conv_flops<G, K> / seconds * 1e-9; };
  std::printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f (%zu) | %.2f | %s |\n", name, gflops(t[0]), gflops(t[1]),
              gflops(t[2]), gflops(t[3]), gflops(t[4]), kn::winograd_plan<G, K>::TR, t[0] / t[4],
              kn::uses_winograd<G, K> ? "Winograd" : "direct");
  std::fflush(stdout);
}

struct summary_row {
  std::string name;
  tile chosen, best;
  double chosen_gflops, best_gflops;
};

template <tn::window2d G, std::size_t K>
summary_row search(const char* name, const options& opt) {
  std::fprintf(stderr, "timing %s ...\n", name);
  constexpr double flops = conv_flops<G, K>;
  conv_data<G, K> d;

  std::vector<tile> tiles;
  std::vector<std::function<void()>> runs;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          constexpr tile T = candidates[I];
          if constexpr (fits<G, K, T>()) {
            tiles.push_back(T);
            runs.push_back([&] { d.template run<T.pixels, T.vectors>(); });
          }
        }(),
        ...);
  }(std::make_index_sequence<std::size(candidates)>{});
  constexpr tile used{kn::conv_plan<G, K>::R, kn::conv_plan<G, K>::V, kn::conv_plan<G, K>::RT};
  if constexpr (used.rows > 1) {  // whole rows a tile: not among the candidates (a row's pixels at most)
    tiles.push_back(used);
    runs.push_back([&] { d.template run<>(); });
  }
  const std::vector<double> t = median_times(runs, opt);

  std::printf("\n%s: %zu candidate tiles, GFLOP/s (pixels x vectors)\n", name, tiles.size());
  std::vector<std::size_t> order(tiles.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
  summary_row row{name, used, tiles[order[0]], 0, flops / t[order[0]] * 1e-9};
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    const bool is_chosen =
        tiles[i].pixels == used.pixels && tiles[i].vectors == used.vectors && tiles[i].rows == used.rows;
    if (is_chosen) row.chosen_gflops = flops / t[i] * 1e-9;
    if (k < 6 || is_chosen)
      std::printf("  %2zu. %2zu x %zu%s  %7.1f%s\n", k + 1, tiles[i].pixels, tiles[i].vectors,
                  tiles[i].rows > 1 ? " (whole rows)" : "", flops / t[i] * 1e-9, is_chosen ? "  <- default_conv_tile" : "");
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  bool packing = false, winograd = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--samples" && i + 1 < argc) opt.samples = std::max(1, std::atoi(argv[++i]));
    else if (a == "--min-time" && i + 1 < argc) opt.min_time = std::atof(argv[++i]);
    else if (a == "--packing") packing = true;
    else if (a == "--winograd") winograd = true;
    else {
      std::fprintf(a == "--help" ? stdout : stderr, "usage: %s [--samples N] [--min-time SECONDS] [--packing | --winograd]\n", argv[0]);
      return a == "--help" ? 0 : 2;
    }
  }
  using tn::window2d;
  if (packing) {
    std::printf("conv weights packed or not, the default tile: %s, %zu floats per vector; median of %d samples of >= %.2f s\n\n",
                std::string(tn::simd::isa()).c_str(), tn::simd::lanes, opt.samples, opt.min_time);
    std::printf("| convolution | tile | GFLOP/s not packed | packed | packed / not | the rule |\n|:--|--:|--:|--:|--:|:--|\n");
    compare_packing<window2d{32, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 32>("CIFAR conv2 32->32 @32", opt);
    compare_packing<window2d{16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("CIFAR conv3 32->64 @16", opt);
    compare_packing<window2d{16, 16, 64, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("CIFAR conv4 64->64 @16", opt);
    compare_packing<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("W2 64->64 3x3 @32", opt);
    compare_packing<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>("W3 64->128 3x3 s2 @56", opt);
    compare_packing<window2d{56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("ResNet 64->64 @56", opt);
    compare_packing<window2d{28, 28, 128, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1}, 128>("ResNet 128->128 @28", opt);
    compare_packing<window2d{14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 256>("ResNet 256->256 @14", opt);
    compare_packing<window2d{7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, 512>("ResNet 512->512 @7", opt);
    compare_packing<window2d{4, 4, 512, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1}, 512>("512->512 @4", opt);
    compare_packing<window2d{2, 2, 256, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1}, 256>("256->256 @2", opt);
    compare_packing<window2d{56, 56, 256, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0}, 64>("1x1 256->64 @56", opt);
    compare_packing<window2d{56, 56, 64, 56, 56, 1, 1, 1, 1, 0, 0, 0, 0}, 256>("1x1 64->256 @56", opt);
    compare_packing<window2d{14, 14, 1024, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0}, 256>("1x1 1024->256 @14", opt);
    compare_packing<window2d{14, 14, 256, 14, 14, 1, 1, 1, 1, 0, 0, 0, 0}, 1024>("1x1 256->1024 @14", opt);
    compare_packing<window2d{7, 7, 2048, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0}, 512>("1x1 2048->512 @7", opt);
    compare_packing<window2d{7, 7, 512, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0}, 2048>("1x1 512->2048 @7", opt);
    return 0;
  }
  if (winograd) {
    std::printf("conv 3x3 stride 1, direct or Winograd F(2x2, 3x3): %s, %zu floats per vector, %zu registers; GFLOP/s "
                "counted as the direct kernel's; median of %d samples of >= %.2f s\n\n",
                std::string(tn::simd::isa()).c_str(), tn::simd::lanes, tn::simd::registers, opt.samples, opt.min_time);
    std::printf("| convolution | direct | Winograd, 1 row of tiles | 2 rows | 4 rows | the rule's (rows) | direct / rule's time | "
                "conv uses |\n|:--|--:|--:|--:|--:|--:|--:|:--|\n");
    compare_winograd<window2d{32, 32, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 16>("16->16 @32", opt);
    compare_winograd<window2d{16, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 32>("16->32 @16", opt);
    compare_winograd<window2d{32, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 32>("CIFAR conv2 32->32 @32", opt);
    compare_winograd<window2d{16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("CIFAR conv3 32->64 @16", opt);
    compare_winograd<window2d{16, 16, 64, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("CIFAR conv4 64->64 @16", opt);
    compare_winograd<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("W2 64->64 @32", opt);
    compare_winograd<window2d{8, 8, 64, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("64->64 @8", opt);
    compare_winograd<window2d{10, 10, 64, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("64->64 @10", opt);
    compare_winograd<window2d{12, 12, 64, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("64->64 @12", opt);
    compare_winograd<window2d{15, 15, 64, 15, 15, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("64->64 @15 (odd)", opt);
    compare_winograd<window2d{56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("ResNet 64->64 @56", opt);
    compare_winograd<window2d{28, 28, 128, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1}, 128>("ResNet 128->128 @28", opt);
    compare_winograd<window2d{14, 14, 128, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 128>("128->128 @14", opt);
    compare_winograd<window2d{14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 256>("ResNet 256->256 @14", opt);
    compare_winograd<window2d{7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, 512>("ResNet 512->512 @7", opt);
    return 0;
  }
  std::printf("conv register tiles: %s, %zu floats per vector, %zu registers; median of %d samples of >= %.2f s\n",
              std::string(tn::simd::isa()).c_str(), tn::simd::lanes, tn::simd::registers, opt.samples, opt.min_time);
  // window2d{in_h, in_w, C, out_h, out_w, F_h, F_w, S_h, S_w, pad top, left, bottom, right}
  std::vector<summary_row> rows;
  rows.push_back(search<window2d{32, 32, 3, 32, 32, 5, 5, 1, 1, 2, 2, 2, 2}, 10>("W1 lecture 3->10 5x5 @32", opt));
  rows.push_back(search<window2d{32, 32, 64, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("W2 64->64 3x3 @32", opt));
  rows.push_back(search<window2d{56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1}, 128>("W3 64->128 3x3 s2 @56", opt));
  rows.push_back(search<window2d{32, 32, 3, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 32>("CIFAR conv1 3->32 @32", opt));
  rows.push_back(search<window2d{32, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 32>("CIFAR conv2 32->32 @32", opt));
  rows.push_back(search<window2d{16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("CIFAR conv3 32->64 @16", opt));
  rows.push_back(search<window2d{16, 16, 64, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1}, 64>("CIFAR conv4 64->64 @16", opt));
  rows.push_back(search<window2d{28, 28, 1, 28, 28, 5, 5, 1, 1, 2, 2, 2, 2}, 6>("LeNet conv1 1->6 5x5 @28", opt));
  rows.push_back(search<window2d{14, 14, 6, 10, 10, 5, 5, 1, 1, 0, 0, 0, 0}, 16>("LeNet conv2 6->16 5x5 @14", opt));
  rows.push_back(search<window2d{32, 32, 3, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 10>("3->10 3x3 @32 (a partial vector)", opt));
  // First layers with larger windows: few channels, the window's loop not unrolled.
  rows.push_back(search<window2d{32, 32, 3, 32, 32, 5, 5, 1, 1, 2, 2, 2, 2}, 16>("3->16 5x5 @32", opt));
  rows.push_back(search<window2d{32, 32, 3, 32, 32, 7, 7, 1, 1, 3, 3, 3, 3}, 16>("3->16 7x7 @32", opt));
  rows.push_back(search<window2d{32, 32, 1, 32, 32, 5, 5, 1, 1, 2, 2, 2, 2}, 16>("1->16 5x5 @32", opt));
  rows.push_back(search<window2d{32, 32, 8, 32, 32, 5, 5, 1, 1, 2, 2, 2, 2}, 16>("8->16 5x5 @32", opt));
  rows.push_back(search<window2d{32, 32, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1}, 20>("16->20 3x3 @32 (a partial vector)", opt));
  rows.push_back(search<window2d{14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 256>("ResNet 256->256 @14", opt));
  rows.push_back(search<window2d{7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, 512>("ResNet 512->512 @7", opt));

  std::printf("\n| convolution | default tile | GFLOP/s | best tile | GFLOP/s | best / default |\n");
  std::printf("|:--|--:|--:|--:|--:|--:|\n");
  for (const summary_row& r : rows)
    std::printf("| %s | %zu x %zu%s | %.1f | %zu x %zu%s | %.1f | %.2f |\n", r.name.c_str(), r.chosen.pixels,
                r.chosen.vectors, r.chosen.rows > 1 ? " (whole rows)" : "", r.chosen_gflops, r.best.pixels,
                r.best.vectors, r.best.rows > 1 ? " (whole rows)" : "", r.best_gflops, r.best_gflops / r.chosen_gflops);
  return 0;
}
