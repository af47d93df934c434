// Step 8, beyond the lecture: depthwise separable convolutions (MobileNet). A 3x3 convolution that
// mixes space and channels at once is split into a depthwise 3x3 (space, one channel at a time) and
// a 1x1 pointwise convolution (channels), for a fraction of the parameters and MACs.
#include <typenet/model.hpp>
#include <typenet/typenet.hpp>

#include <cstddef>
#include <iostream>
#include <vector>

namespace tn = typenet;
using namespace tn;

// The lecture's way: one 3x3 convolution, 64 -> 128 channels on 56x56.
using standard = network<input<56, 56, 64>, conv<filters<128>, kernel<3>, pad<1>, no_bias>, relu6>;
static_assert(weight_count<standard> == 3 * 3 * 64 * 128);        // 73,728
static_assert(mac_count<standard> == 56 * 56 * 128 * 3 * 3 * 64);  // 231,211,008

// Depthwise separable: each filter of the depthwise layer sees one channel (groups = C), then a
// 1x1 convolution mixes the channels. relu6 (min(max(0, x), 6)) is MobileNet's activation, and
// no_bias drops the biases a batch norm would make redundant.
template <std::size_t K>
using separable = block<conv<filters<64>, kernel<3>, pad<1>, depthwise, no_bias>, relu6,
                        conv<filters<K>, kernel<1>, no_bias>, relu6>;
using mobile = network<input<56, 56, 64>, separable<128>>;
static_assert(weight_count<mobile> == 3 * 3 * 64 + 64 * 128);               // 576 + 8,192 = 8,768
static_assert(mac_count<mobile> == 56 * 56 * 64 * 3 * 3 + 56 * 56 * 64 * 128);  // 1,806,336 + 25,690,112
static_assert(output_shape<mobile> == output_shape<standard>);
// 8.4 times fewer MACs for the same output shape (1 / (1/K + 1/9) for K = 128 filters).
static_assert(mac_count<standard> / mac_count<mobile> == 8);

// groups<G> sits between the two: G groups of C / G channels each (depthwise is groups<C>).
static_assert(weight_count<network<input<56, 56, 64>, conv<filters<128>, kernel<3>, pad<1>, groups<4>, no_bias>>> ==
              3 * 3 * (64 / 4) * 128);

// A port of a PyTorch model: PyTorch floors every window (a 3x3 stride-2 convolution on 16x16
// leaves a partial window), so defaults<round_down> says it once for the whole network; and
// global_avg_pool averages each channel over the whole image before the classifier.
using tiny_mobile = network<defaults<round_down>, input<16, 16, 3>,
                            conv<filters<16>, kernel<3>, stride<2>, no_bias>, relu6,             // 7.5: 7x7x16
                            conv<filters<16>, kernel<3>, pad<1>, depthwise, no_bias>, relu6,      // 7x7x16
                            conv<filters<32>, kernel<1>, no_bias>, relu6,                         // 7x7x32
                            global_avg_pool, flatten, dense<units<10>>>;                          // 10
static_assert(output_shape<tiny_mobile, 1> == volume(7, 7, 16));
// Without it the first layer breaks the lecture's rule, (16 - 3) / 2 + 1 = 7.5, and is rejected.
static_assert(!fits<network<input<16, 16, 3>, conv<filters<16>, kernel<3>, stride<2>, no_bias>>>);
static_assert(output_shape<tiny_mobile> == flat(10));
static_assert(param_count<tiny_mobile> == 3 * 3 * 3 * 16 + 3 * 3 * 16 + 16 * 32 + 32 * 10 + 10);

int main() {
  summary<tiny_mobile>(std::cout, "Step 8: a small MobileNet");
  // It runs like any other network: here on an image of ones, with He-initialised weights.
  model<tiny_mobile> m(he_normal{8});
  std::vector<float> image(input_shape<tiny_mobile>.size(), 1.f), scores(10);
  m.forward(image, scores);
  std::cout << "scores:";
  for (float s : scores) std::cout << ' ' << s;
  std::cout << '\n';
}
