// Static tests of the network fold: positions, totals, memory facts, blocks, nesting, error containment.
#include <typenet/typenet.hpp>

namespace {
namespace tn = typenet;
using namespace tn;

using small = network<input<8, 8, 3>,
                      conv<filters<4>, kernel<3>, pad<1>>, relu,  // 8x8x4
                      max_pool<window<2>>,                        // 4x4x4
                      dense<units<5>>>;                           // 5
static_assert(layer_count<small> == 5);
static_assert(input_shape<small> == volume(8, 8, 3) && output_shape<small> == flat(5));
static_assert(input_shape<small, 1> == volume(8, 8, 3) && output_shape<small, 1> == volume(8, 8, 4));
static_assert(input_shape<small, 4> == volume(4, 4, 4));
static_assert(facts<small>.layer[3].kind == "max_pool");
static_assert(facts<small>.layer[3].output == volume(4, 4, 4));
// Totals are the sums of the layers.
static_assert(weight_count<small> == 3 * 3 * 3 * 4 + 64 * 5);
static_assert(bias_count<small> == 4 + 5);
static_assert(param_count<small> == weight_count<small> + bias_count<small>);
static_assert(mac_count<small> == 8 * 8 * 4 * 27 + 64 * 5);
static_assert(activation_count<small, 0> == 192 && activation_count<small, 1> == 256);
static_assert(activation_count<small> == 192 + 256 + 256 + 64 + 5);
// What a memory plan needs: the largest activation, and the largest input + output pair.
static_assert(largest_activation<small> == 256);
static_assert(facts<small>.largest_in_out_pair == 512);
static_assert(facts<small>.valid);

// Blocks splice their layers in place; positions count them one by one.
using conv_relu = block<conv<filters<4>, kernel<3>, pad<1>>, relu>;
using with_block = network<input<8, 8, 3>, conv_relu, max_pool<window<2>>, dense<units<5>>>;
static_assert(layer_count<with_block> == layer_count<small>);
static_assert(param_count<with_block> == param_count<small>);
static_assert(output_shape<with_block, 2> == volume(8, 8, 4));
// A block takes any input shape: the same block on a 16x16x1 volume.
static_assert(output_shape<network<input<16, 16, 1>, conv_relu, conv_relu>> == volume(16, 16, 4));
// Blocks nest.
static_assert(param_count<network<input<8, 8, 3>, block<conv_relu, block<max_pool<window<2>>>>, dense<units<5>>>> ==
              param_count<small>);
// A whole network used as a layer: its input checks the shape it is given.
using head = network<input<4, 4, 4>, dense<units<5>>>;
using with_head = network<input<8, 8, 3>, conv_relu, max_pool<window<2>>, head>;
static_assert(output_shape<with_head> == flat(5) && param_count<with_head> == param_count<small>);
static_assert(layer_count<with_head> == layer_count<small> + 1);  // the nested input is a layer

// A rejected layer's successors see `rejected` and stay silent: no cascade.
static_assert(!resolve<3, conv<filters<4>, kernel<30>>, rejected>().output.valid());
static_assert(!resolve<3, dense<units<2>>, rejected>().output.valid());
}  // namespace

// fits<Net>: the same checks as a trait, without a diagnostic, for negative facts.
namespace {
using namespace typenet;
static_assert(fits<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<2>>>>);
static_assert(!fits<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>>>>);        // 2.33 does not fit
static_assert(fits<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>, round_down>>>);
static_assert(!fits<network<input<4, 4, 1>, conv<filters<1>, kernel<5>>>>);                    // window too large
static_assert(!fits<network<input<4, 4, 1>, max_pool<window<2>, pad<2>>>>);                     // pad > F / 2
static_assert(!fits<network<input<8>, conv<filters<1>, kernel<1>>>>);                           // needs a volume
static_assert(!fits<network<input<4, 4, 1>, max_pool<kernel<2>>>>);                             // not its option
static_assert(!fits<network<input<4, 4, 1>, conv<filters<0>, kernel<1>>>>);                     // zero filters
static_assert(!fits<network<input<4, 4, 1>, conv<kernel<1>>>>);                                 // filters missing
static_assert(!fits<network<input<4, 4, 1>, block<>>>);                                         // empty block
static_assert(!fits<network<input<4, 4, 1>, network<relu>>>);                                   // nested, no input
static_assert(!fits<network<input<4, 4, 1>, network<input<4, 4, 2>, relu>>>);                   // shape mismatch
static_assert(!fits<network<>> && !fits<network<relu>> && !fits<int>);
}  // namespace
