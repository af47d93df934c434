// Training speed: images per second of full training steps (forward, cross-entropy, backward, SGD update).
//
// Prints one line per workload: "train <net> batch <B> threads <T> <images/s>", the median of
// several timed runs of `steps` steps on random data. benchmarks/run-train runs it beside the same
// workloads in PyTorch (benchmarks/train_torch.py) and prints the ratio.
#include <typenet/models/fashion_mnist.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/train/trainer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {
using namespace typenet;

template <class Net>
double images_per_second(std::size_t batch, std::size_t threads, int runs, double min_seconds) {
  model<Net> m(he_normal{1});
  train::trainer<Net, train::cross_entropy, train::sgd> t(m, {.lr = 0.01, .momentum = 0.9},
                                                          {.batch = batch, .threads = threads});
  constexpr std::size_t in = facts<Net>.input.size();
  const std::size_t batches = 8;
  std::vector<float> x(batches * batch * in);
  std::vector<std::uint8_t> labels(batches * batch);
  std::mt19937_64 g(1);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (float& v : x) v = u(g);
  for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 10);
  auto step = [&](std::size_t b) {
    t.step(std::span<const float>(x).subspan(b * batch * in, batch * in),
           std::span<const std::uint8_t>(labels).subspan(b * batch, batch));
  };
  for (std::size_t b = 0; b < batches; ++b) step(b);  // warm up
  std::vector<double> rates;
  for (int r = 0; r < runs; ++r) {
    std::size_t images = 0;
    const auto start = std::chrono::steady_clock::now();
    double seconds = 0;
    do {
      for (std::size_t b = 0; b < batches; ++b) step(b);
      images += batches * batch;
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (seconds < min_seconds);
    rates.push_back(static_cast<double>(images) / seconds);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  double min_seconds = 0.5;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--min-time" && i + 1 < argc) min_seconds = std::atof(argv[++i]);
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: train [--runs N] [--min-time SECONDS] [--only lenet5|fashion_mnist]\n");
      return 2;
    }
  }
  std::printf("# typenet training, ISA %s\n", std::string(simd::isa()).c_str());
  for (std::size_t batch : {32, 64})
    for (std::size_t threads : {1, 2}) {
      if (only.empty() || only == "lenet5")
        std::printf("train lenet5 batch %zu threads %zu %.1f\n", batch, threads,
                    images_per_second<models::lenet5>(batch, threads, runs, min_seconds));
      if (only.empty() || only == "fashion_mnist")
        std::printf("train fashion_mnist batch %zu threads %zu %.1f\n", batch, threads,
                    images_per_second<models::fashion_mnist>(batch, threads, runs, min_seconds));
      std::fflush(stdout);
    }
}
