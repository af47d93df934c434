// Step 7, reusable blocks and rounding. A block<> is a group of layers without an input, spliced
// into the network that uses it; rounding lets a layer accept windows that do not tile its input.
#include <typenet/typenet.hpp>

#include <cstddef>
#include <iostream>

namespace tn = typenet;
using namespace tn;

// Step 6's ConvNet, written with a block that takes whatever volume it is given.
template <std::size_t K>
using conv_relu_pool = block<conv<filters<K>, kernel<5>, pad<2>>, relu, max_pool<window<2>>>;

using convnet = network<input<32, 32, 3>, conv_relu_pool<16>, conv_relu_pool<20>, conv_relu_pool<20>,
                        dense<units<10>>, softmax>;
static_assert(param_count<convnet> == 22'466);
// Blocks are spliced: positions count their layers one by one, as if written out.
static_assert(layer_count<convnet> == 12);
static_assert(output_shape<convnet, 3> == volume(16, 16, 16));  // the first block's max_pool

// A whole network can be used as a layer too; its input<> then checks the shape it is given.
using classifier = network<input<4, 4, 20>, dense<units<10>>, softmax>;
using with_head = network<input<32, 32, 3>, conv_relu_pool<16>, conv_relu_pool<20>, conv_relu_pool<20>, classifier>;
static_assert(param_count<with_head> == 22'466);
static_assert(layer_count<with_head> == 13);  // the nested input<4, 4, 20> is a layer

// Rounding. ResNet's stem is a 7x7 convolution, stride 2, pad 3 on a 224x224x3 image:
// (224 + 2*3 - 7)/2 + 1 = 112.5. The windows do not tile the padded input, so without a
// rounding option this layer is rejected, exactly like the lecture's stride 3 case:
//
// using stem = network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>>>;
// static_assert(output_shape<stem> == volume(112, 112, 64));   // error: ... do not tile ...
//
// round_down drops the partial last window (PyTorch's default): 112, as ResNet has it.
using stem = network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, round_down>>;
static_assert(output_shape<stem> == volume(112, 112, 64));
// round_up keeps it instead (PyTorch's ceil_mode): 113.
static_assert(output_shape<network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, round_up>>> ==
              volume(113, 113, 64));
// ResNet's 3x3 stride 2 pad 1 max pooling then halves 112 to 56, again by rounding down.
using resnet_start = network<input<224, 224, 3>,
                             conv<filters<64>, kernel<7>, stride<2>, pad<3>, round_down>, relu,
                             max_pool<window<3>, stride<2>, pad<1>, round_down>>;
static_assert(output_shape<resnet_start> == volume(56, 56, 64));
static_assert(param_count<resnet_start> == 7 * 7 * 3 * 64 + 64);

int main() {
  summary<convnet>(std::cout, "Step 7: the ConvNet from blocks");
  std::cout << '\n';
  summary<resnet_start>(std::cout, "Step 7: ResNet's stem, rounding down");
}
