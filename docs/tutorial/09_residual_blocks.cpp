// Step 9, beyond the lecture: residual blocks and parallel branches. The lecture's networks are one
// chain of layers; ResNet adds a block's input to its output (a skip connection), and SqueezeNet
// runs convolutions side by side and joins their channels.
#include <typenet/model.hpp>
#include <typenet/typenet.hpp>

#include <cstddef>
#include <iostream>
#include <vector>

namespace tn = typenet;
using namespace tn;

// ResNet's basic block: two 3x3 convolutions, and the block's input added to their output. The
// sum needs both to have one shape, which the compiler checks (residual_shapes_differ).
template <std::size_t K>
using basic = residual<conv<filters<K>, kernel<3>, pad<1>, no_bias>, relu, conv<filters<K>, kernel<3>, pad<1>, no_bias>>;
// Where a stage halves H and W and doubles the channels, the input no longer fits the sum: a
// shortcut<> projects it, a 1x1 convolution with the same stride and filters.
template <std::size_t K>
using down = residual<conv<filters<K>, kernel<3>, stride<2>, pad<1>, no_bias>, relu,
                      conv<filters<K>, kernel<3>, pad<1>, no_bias>,
                      shortcut<conv<filters<K>, kernel<1>, stride<2>, no_bias>>>;

using tiny_resnet = network<defaults<round_down>, input<32, 32, 3>, conv<filters<16>, kernel<3>, pad<1>>, relu,
                            basic<16>, relu, down<32>, relu, basic<32>, relu, global_avg_pool, flatten,
                            dense<units<10>>>;
static_assert(output_shape<tiny_resnet> == flat(10));
// The skip connections add no parameters: the shortcut's projection is the only extra layer.
static_assert(param_count<tiny_resnet> == (27 * 16 + 16) + 2 * 9 * 16 * 16 + (9 * 16 * 32 + 9 * 32 * 32 + 16 * 32) +
                                              2 * 9 * 32 * 32 + (32 * 10 + 10));
// Every layer of a residual has a position: the branch, the shortcut, then the add where they meet.
static_assert(facts<tiny_resnet>.layer[6].kind == "add");
// The memory plan keeps a residual's input until its add reads it: three buffers, not two.
static_assert(plan<tiny_resnet>::buffers == 3);

// SqueezeNet's fire module: a 1x1 "squeeze", then 1x1 and 3x3 "expand" convolutions side by side,
// their channels concatenated (each branch starts from the squeeze's output).
template <std::size_t S, std::size_t E>
using fire = block<conv<filters<S>, kernel<1>>, relu,
                   concat<branch<conv<filters<E>, kernel<1>>, relu>, branch<conv<filters<E>, kernel<3>, pad<1>>, relu>>>;
using with_fire = network<input<16, 16, 32>, fire<8, 32>>;
static_assert(output_shape<with_fire> == volume(16, 16, 64));
// Compared with one 3x3 convolution 32 -> 64: a third of the parameters.
static_assert(param_count<with_fire> == (32 * 8 + 8) + (8 * 32 + 32) + (9 * 8 * 32 + 32));
static_assert(param_count<network<input<16, 16, 32>, conv<filters<64>, kernel<3>, pad<1>>>> == 9 * 32 * 64 + 64);

int main() {
  summary<tiny_resnet>(std::cout, "Step 9: a small ResNet (the layers of each residual indented under it)");
  model<tiny_resnet> m(he_normal{9});
  std::vector<float> image(input_shape<tiny_resnet>.size(), 0.5f), scores(10);
  m.forward(image, scores);
  std::cout << "scores:";
  for (float s : scores) std::cout << ' ' << s;
  std::cout << '\n';
}
