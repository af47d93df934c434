// The whole-model benchmark, typenet's side: ResNet-18 and MobileNetV2 (torchvision's, at 224x224)
// forward, batch 1 and 16, on 1 and 2 threads. benchmarks/run-models runs it beside PyTorch's
// torchvision models (benchmarks/models_torch.py) in the same run and prints the ratios.
//
// Output, one line per workload: "<model> batch <n> threads <t>: <median ms> ms (<runs> runs)".
#include <typenet/model.hpp>
#include <typenet/models/mobilenet_v2.hpp>
#include <typenet/models/resnet.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace tn = typenet;

namespace {

using clock_type = std::chrono::steady_clock;

/// Median of `runs` timed calls of f, after one untimed call (the workspaces, the caches).
template <class F>
double median_ms(F f, int runs) {
  f();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto start = clock_type::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class Net>
void measure(const char* label, int runs) {
  static tn::model<Net> m(tn::he_normal{1});  // He-initialised; the speed does not depend on the values
  std::mt19937 g(7);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  constexpr std::size_t in = tn::input_shape<Net>.size(), out = tn::output_shape<Net>.size();
  for (std::size_t batch : {std::size_t{1}, std::size_t{16}})
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
      std::vector<float> x(batch * in), y(batch * out);
      for (float& v : x) v = u(g);
      const double ms = batch == 1 && threads == 1
                            ? median_ms([&] { m.forward(std::span<const float>(x), std::span<float>(y)); }, runs)
                            : median_ms([&] { m.forward_batch(x, y, threads); }, batch == 1 ? runs : std::max(3, runs / 4));
      std::printf("%s batch %zu threads %zu: %.3f ms\n", label, batch, threads, ms);
      std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 21;
  std::printf("typenet %s kernels, %d runs per batch-1 workload (a quarter for batch 16), median\n",
              std::string(tn::simd::isa()).c_str(), runs);
  measure<tn::models::resnet18<>>("resnet18", runs);
  measure<tn::models::mobilenet_v2<>>("mobilenet_v2", runs);
}
