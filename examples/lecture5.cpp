// CS231N lecture 5, worked through in typenet: every number of the lecture is checked by the
// compiler below, then the worked example's summary is printed.
#include <typenet/model.hpp>
#include <typenet/typenet.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

namespace tn = typenet;
using namespace tn;

// Fully connected layer: 32x32x3 stretched into 3072, times a 10 x 3072 matrix -> 10 numbers.
using fully_connected = network<input<32, 32, 3>, dense<units<10>>>;
static_assert(input_shape<fully_connected>.size() == 3072);
static_assert(output_shape<fully_connected> == flat(10));
static_assert(weight_count<fully_connected> == 3072 * 10 && bias_count<fully_connected> == 10);

// Convolution, N = 7, F = 3: stride 1 -> 5x5, stride 2 -> 3x3. Stride 3 would be
// (7 - 3)/3 + 1 = 2.33: the compiler rejects that layer (docs/errors.md).
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<1>>>> == volume(5, 5, 1));
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<2>>>> == volume(3, 3, 1));

// Zero padding 1 keeps 7x7: "same" padding, P = (F - 1)/2 at stride 1.
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<1>, pad<1>>>> ==
              volume(7, 7, 1));
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, pad_same>>> == volume(7, 7, 1));

// The worked example: 32x32x3, ten 5x5 filters, stride 1, pad 2.
using worked_example = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, stride<1>, pad<2>>>;
// 1. Output volume: (32 + 2*2 - 5)/1 + 1 = 32, so 32x32x10.
static_assert(output_shape<worked_example> == volume(32, 32, 10));
// 2. Parameters: each filter 5*5*3 + 1 = 76; ten filters: 760.
static_assert(param_count<worked_example> == 760);
static_assert(weight_count<worked_example> == 750 && bias_count<worked_example> == 10);

// Pooling keeps the depth and has no parameters; 2x2 stride 2 halves width and height.
using pooled = network<input<32, 32, 10>, max_pool<window<2>, stride<2>>>;
static_assert(output_shape<pooled> == volume(16, 16, 10) && param_count<pooled> == 0);
static_assert(output_shape<network<input<4, 4, 1>, max_pool<window<2>, stride<2>>>> == volume(2, 2, 1));
static_assert(output_shape<network<input<33, 33, 10>, max_pool<window<3>, stride<2>>>> == volume(16, 16, 10));

// The common settings: F = 3, S = 1, P = 1; F = 5, S = 1, P = 2; F = 5, S = 2, P = whatever fits; F = 1, S = 1, P = 0.
using common = network<input<32, 32, 3>,
                       conv<filters<32>, kernel<3>, stride<1>, pad<1>>,   // 32x32x32
                       conv<filters<32>, kernel<5>, stride<1>, pad<2>>,   // 32x32x32
                       conv<filters<64>, kernel<5>, stride<2>, pad<2>, round_down>,  // 16x16x64
                       conv<filters<16>, kernel<1>, stride<1>, pad<0>>,   // 16x16x16, spans all 64 channels
                       max_pool<window<2>, stride<2>>>;                   // 8x8x16
static_assert(output_shape<common> == volume(8, 8, 16));
static_assert(param_count<common, 4> == 16 * (64 + 1));

int main() {
  std::cout << "CS231N lecture 5: every number above was checked at compile time.\n\n";
  summary<worked_example>(std::cout, "The worked example: 32x32x3, ten 5x5 filters, stride 1, pad 2");
  std::cout << '\n';
  summary<fully_connected>(std::cout, "The fully connected layer: 32x32x3 -> 3072 -> 10");
  std::cout << '\n';
  summary<common>(std::cout, "The lecture's common settings, stacked");

  // Run the worked example: He-initialised filters, a smooth 32x32x3 input.
  static model<worked_example> net(he_normal{5});
  model<worked_example>::input_tensor x;
  for (std::size_t h = 0; h < 32; ++h)
    for (std::size_t w = 0; w < 32; ++w)
      for (std::size_t c = 0; c < 3; ++c) x(h, w, c) = static_cast<float>((h + 2 * w + 3 * c) % 17) / 16.f;
  model<worked_example>::output_tensor y;
  net.forward(x, y);
  std::printf("\nForward pass of the worked example: output(0, 0, 0..9) =");
  for (std::size_t k = 0; k < 10; ++k) std::printf(" %.3f", static_cast<double>(y(0, 0, k)));
  std::vector<double> us;
  for (int run = 0; run < 21; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) net.forward(x, y);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 50);
  }
  std::nth_element(us.begin(), us.begin() + 10, us.end());
  std::printf("\n%.1f us per forward pass (median of 21 runs of 50; %s kernels; %.2f GFLOP/s)\n", us[10],
              std::string(simd::isa()).c_str(), 2.0 * mac_count<worked_example> / us[10] / 1e3);
}
