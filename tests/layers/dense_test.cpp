// Static tests of dense, flatten and the activations: the lecture's fully connected numbers.
#include <typenet/typenet.hpp>

namespace {
namespace tn = typenet;
using namespace tn;

// 32x32x3 stretched to 3072, times a 10 x 3072 matrix: 10 outputs, 3072*10 + 10 = 30,730 parameters.
using fc = network<input<32, 32, 3>, dense<units<10>>>;
static_assert(output_shape<fc> == flat(10));
static_assert(weight_count<fc> == 3072 * 10 && bias_count<fc> == 10 && param_count<fc> == 30730);
static_assert(mac_count<fc> == 30720);
// Flattening first gives the same layer.
using flat_first = network<input<32, 32, 3>, flatten, dense<units<10>>>;
static_assert(output_shape<flat_first, 1> == flat(3072));
static_assert(param_count<flat_first> == 30730 && param_count<flat_first, 1> == 0);
static_assert(output_shape<network<input<3072>, dense<units<10>>>> == flat(10));
static_assert(param_count<network<input<3072>, dense<units<10>>>> == 30730);

// Activations keep the shape and have no parameters.
using acts = network<input<4, 4, 3>, relu, leaky_relu<>, leaky_relu<slope<1, 10>>, sigmoid, tn::tanh, softmax>;
static_assert(output_shape<acts> == volume(4, 4, 3));
static_assert(param_count<acts> == 0 && layer_count<acts> == 7);
static_assert(leaky_relu<>::negative_slope == 0.01 && leaky_relu<slope<1, 10>>::negative_slope == 0.1);
static_assert(output_shape<network<input<10>, softmax>> == flat(10));

// no_bias: weights only (PyTorch's Linear(bias=False)); relu6 is shape-preserving with nothing learned.
static_assert(param_count<network<input<3, 3, 2>, dense<units<5>, no_bias>>> == 18 * 5);
static_assert(bias_count<network<input<3, 3, 2>, dense<units<5>, no_bias>>> == 0);
static_assert(mac_count<network<input<3, 3, 2>, dense<units<5>, no_bias>>> == 18 * 5);
static_assert(output_shape<network<input<4, 4, 3>, relu6>> == volume(4, 4, 3));
static_assert(param_count<network<input<4, 4, 3>, relu6>> == 0);
}  // namespace
