// LeNet-5 running: He-initialised weights (seed 2026), a drawn 28x28 input, one forward pass;
// prints the ten outputs and the median time of a forward pass.
#include <typenet/model.hpp>
#include <typenet/models/lenet5.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace tn = typenet;
using tn::models::lenet5;

int main() {
  static tn::model<lenet5> net(tn::he_normal{2026});  // parameters allocated once, here
  static_assert(tn::model<lenet5>::param_count == 61'706);

  // A ring, as a stand-in for a digit: 1 on the ring, 0 elsewhere.
  tn::model<lenet5>::input_tensor x;
  for (std::size_t h = 0; h < 28; ++h)
    for (std::size_t w = 0; w < 28; ++w) {
      const double r = std::hypot(static_cast<double>(h) - 13.5, static_cast<double>(w) - 13.5);
      x(h, w, 0) = std::abs(r - 8.0) < 2.0 ? 1.f : 0.f;
    }

  tn::model<lenet5>::output_tensor y;
  net.forward(x, y);
  std::printf("LeNet-5 (untrained, He init, seed 2026) on a 28x28 ring:\n");
  for (std::size_t i = 0; i < y.size(); ++i) std::printf("  output[%zu] = %+.5f\n", i, static_cast<double>(y[i]));

  std::vector<double> us;
  for (int run = 0; run < 21; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) net.forward(x, y);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 100);
  }
  std::nth_element(us.begin(), us.begin() + 10, us.end());
  std::printf("forward pass: %.2f us (median of 21 runs of 100; kernels built for %s; %zu MACs)\n", us[10],
              std::string(tn::simd::isa()).c_str(), tn::mac_count<lenet5>);
}
