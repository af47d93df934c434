// Where a network's forward time goes, layer by layer: every prefix of LeNet-5 and of the CIFAR
// net of benchmarks/forward.cpp (the input and the first i layers, i = 1 .. all) is a network of
// its own, timed on one sample on one thread, the prefixes taking turns sample by sample. What
// layer i adds is prefix i's time less prefix i - 1's: its cost in place, its input where the
// layers before it left it (in cache). For a pooling layer right after a convolution that is the
// most that fusing the pooling into the convolution could save (issue 10; docs/performance.md,
// "Pooling after a convolution: what fusing could save").
// One sample only: at batch 64 a prefix's last layer writes the whole batch's output to memory,
// which inside the network stays in cache, and the differences measured that instead. Each prefix
// has its own parameters: a layer whose weights do not fit in cache (the CIFAR net's 8 MB dense
// layer) reads them from wherever its prefix's copy is, and its row moves more than the others.
//   benchmarks/run-layers [--isa native|avx2|sse2] [--samples N] [--min-time SECONDS] [--threads N]
#include "bench.hpp"
#include "workloads.hpp"

#include <typenet/model.hpp>
#include <typenet/typenet.hpp>

#include <array>
#include <cstdlib>
#include <memory>
#include <tuple>
#include <utility>

namespace tn = typenet;
using namespace typenet_bench;

namespace {

/// The network of the first N entries of network<E...> (its input and N - 1 layers).
template <std::size_t N, class Taken, class Rest>
struct first_entries;
template <class... T, class... R>
struct first_entries<0, tn::network<T...>, tn::network<R...>> {
  using type = tn::network<T...>;
};
template <std::size_t N, class... T, class R0, class... R>
  requires(N > 0)
struct first_entries<N, tn::network<T...>, tn::network<R0, R...>>
    : first_entries<N - 1, tn::network<T..., R0>, tn::network<R...>> {};
template <class Net, std::size_t Layers>
using prefix = typename first_entries<Layers + 1, tn::network<>, Net>::type;

/// Layers of Net (facts<Net>.layer[0] is its input).
template <class Net>
constexpr std::size_t layers_of = tn::facts<Net>.layer_count - 1;

template <class Net>
void breakdown(const char* name, const timing_options& opt, std::size_t threads) {
  constexpr std::size_t L = layers_of<Net>;
  std::fprintf(stderr, "timing %s, %zu prefixes ...\n", name, L);
  std::vector<double> seconds;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    // One model per prefix, each with its own He-initialised parameters.
    auto models = std::make_tuple(std::make_unique<tn::model<prefix<Net, I + 1>>>(tn::he_normal{1})...);
    std::mt19937_64 g(2024);
    floats x(tn::facts<Net>.input.size());
    fill(x, g, -1.f, 1.f);
    std::array<floats, L> y{floats(tn::facts<prefix<Net, I + 1>>.output.size())...};
    seconds = median_times({[&] { std::get<I>(models)->forward_batch(x, y[I], threads); }...}, opt.samples, opt.min_time);
  }(std::make_index_sequence<L>{});

  std::printf("\n%s, one sample on %zu thread%s, median of %d samples; \"adds\": this prefix's time less the one "
              "before's\n\n",
              name, threads, threads == 1 ? "" : "s", opt.samples);
  table t{{"#", "layer", "output", "up to here", "adds", "share"}, {true, false, false, true, true, true}, {}};
  for (std::size_t i = 0; i < L; ++i) {
    const auto& f = tn::facts<Net>.layer[i + 1];
    const double here = seconds[i], before = i == 0 ? 0.0 : seconds[i - 1];
    std::string adds = here < before ? "-" : "";  // (appends: see table in bench.hpp)
    adds.append(time_text(std::abs(here - before)));
    t.rows.push_back({std::to_string(i + 1), std::string(f.kind),
                      std::to_string(f.output.height) + "x" + std::to_string(f.output.width) + "x" +
                          std::to_string(f.output.depth),
                      time_text(here), adds, fmt("%.1f %%", 100.0 * (here - before) / seconds[L - 1])});
  }
  t.print();
}

int run(int argc, char** argv) {
  // --threads N (forward_batch's threads), then the timing options.
  std::size_t threads = 1;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--threads" && i + 1 < argc)
      threads = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    else
      rest.push_back(argv[i]);
  }
  timing_options opt;
  if (!parse_timing_options(static_cast<int>(rest.size()), rest.data(), opt)) return 2;
  std::printf("typenet layer by layer\n\n- CPU: %s\n- compiler: %s, %s\n- SIMD: %zu floats a vector\n",
              cpu_model().c_str(), compiler().c_str(), TYPENET_BENCH_FLAGS, tn::simd::lanes);
  breakdown<w5_lenet5>("LeNet-5 (W5)", opt, threads);
  breakdown<w6_cifar_net>("the CIFAR net (W6)", opt, threads);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
