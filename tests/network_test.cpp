// Static tests of the network fold: positions, totals, memory facts, blocks, nesting, error containment.
#include <typenet/bound.hpp>
#include <typenet/typenet.hpp>

#include <type_traits>

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

// Named layers: name<"..."> is taken by every layer with options, named<"...", L> names any
// layer, and every per-layer query takes the name as well as the position.
namespace {
using namespace typenet;
using lenet = network<input<32, 32, 1>,
                      conv<filters<6>, kernel<5>, name<"conv1">>, relu,     // 1, 2
                      max_pool<window<2>, name<"pool1">>,                   // 3
                      block<name<"stage1">,                                 //
                            conv<filters<4>, kernel<3>, pad<1>, name<"c1">>,  // 4: stage1.c1
                            named<"act", relu>,                             // 5: stage1.act
                            block<name<"inner">, dense<units<8>, name<"fc">>>,  // 6: stage1.inner.fc
                            sigmoid>,                                       // 7: unnamed
                      network<name<"head">, input<8>, dense<units<10>, name<"out">>>>;  // 8, 9: head.out
using plain = network<input<32, 32, 1>, conv<filters<6>, kernel<5>>, relu, max_pool<window<2>>,
                      block<conv<filters<4>, kernel<3>, pad<1>>, relu, block<dense<units<8>>>, sigmoid>,
                      network<input<8>, dense<units<10>>>>;
// A name changes no other fact.
static_assert(layer_count<lenet> == layer_count<plain> && layer_count<lenet> == 10);
static_assert(param_count<lenet> == param_count<plain> && mac_count<lenet> == mac_count<plain>);
static_assert(output_shape<lenet> == output_shape<plain>);
// Positions and names select the same layers.
static_assert(position_of<lenet, "conv1"> == 1 && position_of<lenet, "pool1"> == 3);
static_assert(position_of<lenet, "stage1.c1"> == 4 && position_of<lenet, "stage1.act"> == 5);
static_assert(position_of<lenet, "stage1.inner.fc"> == 6 && position_of<lenet, "head.out"> == 9);
static_assert(position_of<lenet, 7> == 7);
static_assert(param_count<lenet, "conv1"> == param_count<lenet, 1> && param_count<lenet, "conv1"> == 156);
static_assert(weight_count<lenet, "conv1"> == 150 && bias_count<lenet, "conv1"> == 6);
static_assert(mac_count<lenet, "conv1"> == mac_count<lenet, 1>);
static_assert(input_shape<lenet, "pool1"> == volume(28, 28, 6) && output_shape<lenet, "pool1"> == volume(14, 14, 6));
static_assert(activation_count<lenet, "stage1.c1"> == 14 * 14 * 4);
static_assert(output_shape<lenet, "stage1.inner.fc"> == flat(8));
static_assert(param_offset<lenet, "stage1.c1"> == param_offset<lenet, 4> && param_offset<lenet, 4> == 156);
// Names travel with the facts and the bound layers; unnamed layers have "".
static_assert(facts<lenet>.layer[1].name == "conv1" && facts<lenet>.layer[2].name.empty());
static_assert(facts<lenet>.layer[6].name == "stage1.inner.fc" && facts<lenet>.layer[7].name.empty());
static_assert(facts<lenet>.layer[8].name.empty() && facts<lenet>.layer[9].name == "head.out");
using fourth = typename decltype(+boost::hana::at_c<4>(bound_layers<lenet>))::type;
static_assert(fourth::name == "stage1.c1" && fourth::position == 4);
static_assert(std::is_same_v<fourth::layer, conv<filters<4>, kernel<3>, pad<1>, name<"c1">>>);  // as declared
using fifth = typename decltype(+boost::hana::at_c<5>(bound_layers<lenet>))::type;
static_assert(std::is_same_v<fifth::layer, relu>);
// The same name in different groups is two names; the same full name twice is not a network.
static_assert(fits<network<input<4>, block<name<"a">, named<"r", relu>>, block<name<"b">, named<"r", relu>>>>);
static_assert(!fits<network<input<4>, named<"r", relu>, named<"r", sigmoid>>>);
static_assert(!fits<network<input<4>, block<name<"a">, named<"r", relu>>, named<"a.r", relu>>>);
// A block that holds only its name is empty.
static_assert(!fits<network<input<4>, block<name<"a">>>>);
// The outermost network's own name is not a prefix.
static_assert(position_of<network<name<"net">, input<4>, named<"r", relu>>, "r"> == 1);

// defaults<...>: options every layer of a group takes unless it has its own, written once.
namespace with_defaults {
// PyTorch floors every window: round_down once for the network instead of on each layer.
using floored = network<defaults<round_down>, input<9, 9, 3>, conv<filters<4>, kernel<2>, stride<2>>,
                        max_pool<window<3>, stride<2>>, dense<units<5>>>;
static_assert(output_shape<floored, 1> == volume(4, 4, 4));
static_assert(output_shape<floored, 2> == volume(1, 1, 4));
static_assert(std::is_same_v<bound_at<floored, 1>::layer, conv<filters<4>, kernel<2>, stride<2>, round_down>>);
static_assert(std::is_same_v<bound_at<floored, 3>::layer, dense<units<5>>>);  // dense takes no rounding
// A layer's own option wins; so do a nested group's defaults; blocks and nested networks inherit.
using mixed = network<defaults<round_down, no_bias>, input<9, 9, 3>,
                      conv<filters<4>, kernel<2>, stride<2>, round_up>,            // 5x5: its own round_up
                      block<defaults<round_up>, max_pool<window<2>>>,             // 3x3: the block's round_up
                      block<avg_pool<window<2>>>,                                 // 1x1: the network's round_down
                      dense<units<5>>>;                                           // no_bias from the network
static_assert(output_shape<mixed, 1> == volume(5, 5, 4));
static_assert(param_count<mixed, 1> == 2 * 2 * 3 * 4);
static_assert(output_shape<mixed, 2> == volume(3, 3, 4));
static_assert(output_shape<mixed, 3> == volume(1, 1, 4));
static_assert(param_count<mixed, 4> == 4 * 5);
// count_padding goes to average pooling only (max_pool does not take it).
using counted = network<defaults<count_padding>, input<4, 4, 1>, max_pool<window<3>, stride<1>, pad<1>>,
                        avg_pool<window<3>, stride<1>, pad<1>>>;
static_assert(std::is_same_v<bound_at<counted, 1>::layer, max_pool<window<3>, stride<1>, pad<1>>>);
static_assert(std::is_same_v<bound_at<counted, 2>::layer, avg_pool<window<3>, stride<1>, pad<1>, count_padding>>);
// Without defaults the lecture's exact tiling holds.
static_assert(!fits<network<input<9, 9, 3>, conv<filters<4>, kernel<2>, stride<2>>>>);
// A block holding only a name and defaults is empty.
static_assert(!fits<network<input<4, 4, 1>, block<name<"b">, defaults<round_down>>>>);
}  // namespace with_defaults

// residual<...> and concat<...>: the graph spliced into positions, each layer reading its sources.
namespace graphs {
using block_a = residual<name<"0">, conv<filters<8>, kernel<3>, pad<1>, name<"conv1">>, relu,
                         conv<filters<8>, kernel<3>, pad<1>, name<"conv2">>>;
using block_b = residual<name<"1">, conv<filters<16>, kernel<3>, stride<2>, pad<1>, name<"conv1">>, relu,
                         conv<filters<16>, kernel<3>, pad<1>, name<"conv2">>,
                         shortcut<name<"downsample">, conv<filters<16>, kernel<1>, stride<2>, name<"0">>>>;
using net = network<defaults<round_down>, input<8, 8, 8>, block<name<"layer1">, block_a>, relu,
                    block<name<"layer2">, block_b>, relu>;
// Positions: 0 input, 1-3 the first branch, 4 its sum, 5 relu, 6-8 the second branch, 9 its shortcut, 10 the sum.
static_assert(layer_count<net> == 12);
static_assert(facts<net>.layer[4].kind == "add" && facts<net>.layer[10].kind == "add");
static_assert(bound_at<net, 1>::sources[0] == 0 && bound_at<net, 4>::sources[0] == 3 && bound_at<net, 4>::sources[1] == 0);
static_assert(bound_at<net, 9>::sources[0] == 5);  // the shortcut reads the residual's input
static_assert(bound_at<net, 10>::sources[0] == 8 && bound_at<net, 10>::sources[1] == 9);
static_assert(bound_at<net, 1>::depth == 1 && bound_at<net, 4>::depth == 0);
// Names see inside: torchvision's names, dotted.
static_assert(position_of<net, "layer1.0.conv2"> == 3);
static_assert(position_of<net, "layer2.1.downsample.0"> == 9);
static_assert(param_count<net, "layer2.1.downsample.0"> == 8 * 16 + 16);
static_assert(output_shape<net> == volume(4, 4, 16));
static_assert(param_count<net> == 2 * (9 * 8 * 8 + 8) + (9 * 8 * 16 + 16) + (9 * 16 * 16 + 16) + (8 * 16 + 16));
static_assert(mac_count<net> == 2 * 64 * 8 * 72 + 16 * 16 * 72 + 16 * 16 * 144 + 16 * 16 * 8);

// concat: the branches side by side; each branch's first layer reads the concat's input.
using fire = network<input<6, 6, 16>, conv<filters<4>, kernel<1>, name<"squeeze">>, relu,
                     concat<branch<conv<filters<8>, kernel<1>, name<"expand1x1">>, relu>,
                            branch<conv<filters<8>, kernel<3>, pad<1>, name<"expand3x3">>, relu>>>;
static_assert(output_shape<fire> == volume(6, 6, 16));
static_assert(bound_at<fire, 5>::sources[0] == 2);  // expand3x3 reads the squeeze's relu
static_assert(bound_at<fire, 7>::sources[0] == 4 && bound_at<fire, 7>::sources[1] == 6);
static_assert(param_count<fire> == (16 * 4 + 4) + (4 * 8 + 8) + (9 * 4 * 8 + 8));
static_assert(output_shape<network<input<5>, concat<branch<dense<units<2>>>, branch<dense<units<3>>>>>> == flat(5));

// The rules: a branch that changes the shape needs a shortcut that does too; branches must agree on H x W.
static_assert(!fits<network<input<8, 8, 8>, residual<conv<filters<16>, kernel<3>, pad<1>>>>>);   // 8x8x16 + 8x8x8
static_assert(!fits<network<input<8, 8, 8>, residual<conv<filters<8>, kernel<3>>>>>);            // 6x6x8 + 8x8x8
static_assert(fits<network<input<8, 8, 8>, residual<conv<filters<16>, kernel<3>, pad<1>>, shortcut<conv<filters<16>, kernel<1>>>>>>);
static_assert(!fits<network<input<8, 8, 8>, concat<branch<conv<filters<4>, kernel<3>>>, branch<conv<filters<4>, kernel<1>>>>>>);
static_assert(!fits<network<input<8, 8, 8>, residual<name<"r">>>>);                 // no layers
// An empty shortcut<> is the identity shortcut (a template can choose a projection or none).
static_assert(std::is_same_v<bound_at<network<input<4, 4, 2>, residual<relu, shortcut<>>>, 2>::layer, add>);
static_assert(bound_at<network<input<4, 4, 2>, residual<relu, shortcut<>>>, 2>::sources[1] == 0);
static_assert(!fits<network<input<4, 4, 2>, residual<relu, shortcut<name<"s">>>>>);  // a shortcut of options only
static_assert(!fits<network<input<8, 8, 8>, concat<branch<relu>, branch<>>>>);      // an empty branch
static_assert(!fits<network<input<8, 8, 8>, concat<relu, branch<relu>>>>);          // not a branch
}  // namespace graphs
}  // namespace
