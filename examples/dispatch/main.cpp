// Picks the best LeNet-5 variant this CPU runs (xsimd::dispatch), then checks it against every variant the
// CPU supports. Built for baseline x86-64: it runs on any x86-64 machine.
#include "lenet5.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  std::vector<float> x(28 * 28), best(10), other(10);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.1f * static_cast<float>(i));

  const auto cpu = xsimd::available_architectures();
  std::printf("this CPU: sse2 %d, fma3+avx2 %d, avx512bw %d\n", int(cpu.sse2), int(cpu.fma3_avx2), int(cpu.avx512bw));
  auto run = xsimd::dispatch<example::isas>(example::classify{});
  run(std::span<const float>(x), std::span<float>(best));
  const char* picked = cpu.avx512bw ? "avx512bw" : cpu.fma3_avx2 ? "fma3+avx2" : "sse2";
  std::printf("dispatched to %s: class scores %.5f %.5f %.5f ...\n", picked, best[0], best[1], best[2]);

  int bad = 0;
  auto compare = [&](const char* name, auto arch) {
    example::classify{}(arch, x, other);
    double most = 0;
    for (std::size_t i = 0; i < 10; ++i) most = std::max(most, std::abs(double(other[i]) - best[i]));
    std::printf("%-10s differs from the dispatched one by at most %.2g\n", name, most);
    bad += !(most <= 1e-4);
  };
  compare("sse2", xsimd::sse2{});
  if (cpu.fma3_avx2) compare("fma3+avx2", xsimd::fma3<xsimd::avx2>{});
  if (cpu.avx512bw) compare("avx512bw", xsimd::avx512bw{});
  std::printf("%s\n", bad ? "variants DISAGREE" : "all variants this CPU runs agree");
  return bad ? 1 : 0;
}
