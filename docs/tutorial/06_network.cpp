// Step 6, a whole network: convolutions, relus and pooling stacked, then a fully connected
// layer. The compiler folds the input shape through every layer; summary prints what it found.
#include <typenet/model.hpp>
#include <typenet/typenet.hpp>

#include <cstddef>
#include <iostream>

namespace tn = typenet;
using namespace tn;

// A small CIFAR-10 ConvNet: [conv-relu-pool] three times, then dense to the 10 classes.
using convnet = network<input<32, 32, 3>,
                        conv<filters<16>, kernel<5>, pad<2>>, relu,  // 1, 2: 32x32x16
                        max_pool<window<2>>,                         // 3:    16x16x16
                        conv<filters<20>, kernel<5>, pad<2>>, relu,  // 4, 5: 16x16x20
                        max_pool<window<2>>,                         // 6:    8x8x20
                        conv<filters<20>, kernel<5>, pad<2>>, relu,  // 7, 8: 8x8x20
                        max_pool<window<2>>,                         // 9:    4x4x20
                        dense<units<10>>, softmax>;                  // 10, 11: 10

// Positions count every layer, the input being layer 0.
static_assert(layer_count<convnet> == 12);
static_assert(output_shape<convnet, 3> == volume(16, 16, 16));
static_assert(output_shape<convnet, 9> == volume(4, 4, 20));
static_assert(input_shape<convnet, 10> == volume(4, 4, 20));  // dense sees 320 values
static_assert(output_shape<convnet> == flat(10));

// Parameters per layer and in total.
static_assert(param_count<convnet, 1> == 5 * 5 * 3 * 16 + 16);    //  1,216
static_assert(param_count<convnet, 4> == 5 * 5 * 16 * 20 + 20);   //  8,020
static_assert(param_count<convnet, 7> == 5 * 5 * 20 * 20 + 20);   // 10,020
static_assert(param_count<convnet, 10> == 4 * 4 * 20 * 10 + 10);  //  3,210
static_assert(param_count<convnet> == 22'466);

// Costs: multiply-accumulates per sample, and the largest activation (the first conv's output).
static_assert(mac_count<convnet> == 32 * 32 * 16 * 75 + 16 * 16 * 20 * 400 + 8 * 8 * 20 * 500 + 320 * 10);
static_assert(largest_activation<convnet> == 32 * 32 * 16);

// Everything at once: facts<Net> holds every layer's facts and the totals.
static_assert(facts<convnet>.layer[3].kind == "max_pool");
static_assert(facts<convnet>.valid);

int main() {
  summary<convnet>(std::cout, "Step 6: a CIFAR-10 ConvNet");

  // And run it: model<Net> holds the 22,466 parameters (here He-initialised from a seed) and
  // runs a forward pass on an input tensor of the network's input shape.
  model<convnet> m(he_normal{.seed = 1});
  model<convnet>::input_tensor image;
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i % 256) / 255.f;
  const model<convnet>::output_tensor scores = m.forward(image);
  float total = 0;
  std::cout << "\nclass scores:";
  for (float s : scores.values) {
    std::cout << ' ' << s;
    total += s;
  }
  std::cout << "\nsum (softmax): " << total << '\n';
}
