// Every example of docs/reference.md, checked: a line `EXPR  // R` there is static_assert(EXPR == R)
// here (static_assert(EXPR) for true, static_assert(!EXPR) for false), or check(EXPR == R) in main
// for what only exists at run time. docs/check_snippets.py verifies that the two files agree.
#include <typenet/kernels/reference.hpp>
#include <typenet/model.hpp>
#include <typenet/models/alexnet.hpp>
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lecture5.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/models/vgg16.hpp>
#include <typenet/typenet.hpp>

#include <boost/hana/length.hpp>

#include <array>
#include <cstddef>
#include <iostream>
#include <string>
#include <type_traits>

namespace tn = typenet;
using namespace tn;

// --- networks and positions ---------------------------------------------------------------

namespace network_example {
using worked = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, pad<2>>>;
static_assert(output_shape<worked> == volume(32, 32, 10));
static_assert(layer_count<worked> == 2);
}  // namespace network_example

namespace block_example {
using conv_relu = block<conv<filters<4>, kernel<3>, pad<1>>, relu>;
using twice = network<input<16, 16, 1>, conv_relu, conv_relu>;
static_assert(output_shape<twice> == volume(16, 16, 4));
static_assert(layer_count<twice> == 5);
static_assert(param_count<twice, 3> == 3 * 3 * 4 * 4 + 4);
}  // namespace block_example

namespace positions_example {
using conv_relu = block<conv<filters<4>, kernel<3>, pad<1>>, relu>;
using head = network<input<4, 4, 4>, dense<units<5>>>;
using nested = network<input<8, 8, 3>, conv_relu, max_pool<window<2>>, head>;
static_assert(layer_count<nested> == 6);
static_assert(facts<nested>.layer[0].kind == "input");
static_assert(facts<nested>.layer[1].kind == "conv");
static_assert(facts<nested>.layer[2].kind == "relu");
static_assert(facts<nested>.layer[4].kind == "input");
static_assert(output_shape<nested, 3> == volume(4, 4, 4));
static_assert(output_shape<nested> == flat(5));
}  // namespace positions_example

namespace names_example {
using named_net = network<input<32, 32, 1>, conv<filters<6>, kernel<5>, name<"conv1">>, named<"act1", relu>, block<name<"stage1">, conv<filters<4>, kernel<3>, name<"c1">>, relu>>;
static_assert(param_count<named_net, "conv1"> == 156);
static_assert(param_count<named_net, "conv1"> == param_count<named_net, 1>);
static_assert(output_shape<named_net, "stage1.c1"> == volume(26, 26, 4));
static_assert(position_of<named_net, "act1"> == 2);
static_assert(position_of<named_net, "stage1.c1"> == 3);
static_assert(facts<named_net>.layer[3].name == "stage1.c1");
static_assert(facts<named_net>.layer[4].name == "");
static_assert(position_of<named_net, 3> == 3);
}  // namespace names_example

namespace checked_example {
static_assert((checked{6} * 7).value == 42);
static_assert(!(checked{std::size_t{1} << 32} * (std::size_t{1} << 32)).ok());
static_assert(!fits<network<input<2097152, 2097152, 1024>, conv<filters<4096>, kernel<1>>>>);
}  // namespace checked_example

namespace rule_check_example {
static_assert(is_problem<decltype(check_window_fits<window_axis{.n = 2, .f = 3, .pad_before = 0, .pad_after = 0, .s = 1}, error::along_height>())>);
static_assert(!is_problem<decltype(check_windows_tile<window_axis{.n = 7, .f = 3, .pad_before = 0, .pad_after = 0, .s = 3}, error::along_height, rounding::down>())>);
}  // namespace rule_check_example

// --- layers ---------------------------------------------------------------------------------

namespace input_example {
static_assert(output_shape<network<input<32, 32, 3>>> == volume(32, 32, 3));
static_assert(output_shape<network<input<3072>>> == flat(3072));
static_assert(param_count<network<input<32, 32, 3>>> == 0);
static_assert(output_shape<network<input<8, 8, 3>, input<8, 8, 3>, relu>> == volume(8, 8, 3));
}  // namespace input_example

namespace residual_example {
using basic = residual<conv<filters<8>, kernel<3>, pad<1>>, relu, conv<filters<8>, kernel<3>, pad<1>>>;
using resnet_block = network<input<8, 8, 8>, basic, relu>;
static_assert(layer_count<resnet_block> == 6);
static_assert(facts<resnet_block>.layer[4].kind == "add");
static_assert(param_count<resnet_block> == 2 * (9 * 8 * 8 + 8));
using projected = network<input<8, 8, 8>, residual<conv<filters<16>, kernel<3>, pad<1>>, shortcut<conv<filters<16>, kernel<1>>>>>;
static_assert(output_shape<projected> == volume(8, 8, 16));
using fire = network<input<6, 6, 16>, conv<filters<4>, kernel<1>>, relu, concat<branch<conv<filters<8>, kernel<1>>, relu>, branch<conv<filters<8>, kernel<3>, pad<1>>, relu>>>;
static_assert(output_shape<fire> == volume(6, 6, 16));
static_assert(layer_count<fire> == 8);
}  // namespace residual_example

namespace conv_example {
using lecture = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, stride<1>, pad<2>>>;
static_assert(output_shape<lecture> == volume(32, 32, 10));
static_assert(weight_count<lecture> == 750);
static_assert(bias_count<lecture> == 10);
static_assert(mac_count<lecture> == 768'000);
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>>>> == volume(5, 5, 1));
static_assert(output_shape<network<input<7, 7, 3>, conv<pad<1>, kernel<3>, filters<1>>>> == volume(7, 7, 1));
using grouped = network<input<8, 8, 12>, conv<filters<18>, kernel<3>, groups<3>>>;
static_assert(weight_count<grouped> == 648);
static_assert(mac_count<grouped> == 23'328);
using dw = network<input<112, 112, 32>, conv<filters<32>, kernel<3>, pad<1>, depthwise, no_bias>>;
static_assert(param_count<dw> == 288);
using stem = network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, no_bias, round_down>>;
static_assert(param_count<stem> == 9'408);
}  // namespace conv_example

namespace batch_norm_example {
using normed = network<input<8, 8, 3>, conv<filters<16>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu>;
static_assert(param_count<normed> == 9 * 3 * 16 + 2 * 16);
static_assert(facts<normed>.buffers == 2 * 16);

// dropout
using regularized = network<input<64>, dense<units<32>>, relu, dropout<percent<20>>, dense<units<10>>>;
static_assert(param_count<regularized> == 64 * 32 + 32 + 32 * 10 + 10);
static_assert(output_shape<network<input<8, 8, 4>, dropout<>>> == volume(8, 8, 4));
}  // namespace batch_norm_example

namespace adaptive_pool_example {
static_assert(output_shape<network<input<7, 7, 512>, global_avg_pool>> == volume(1, 1, 512));
static_assert(output_shape<network<input<13, 11, 6>, adaptive_avg_pool<output_size<6>>>> == volume(6, 6, 6));
static_assert(param_count<network<input<7, 7, 512>, global_avg_pool>> == 0);
static_assert(param_count<network<input<24>, dense<units<5>, no_bias>>> == 120);
static_assert(output_shape<network<input<4, 4, 3>, relu6>> == volume(4, 4, 3));
}  // namespace adaptive_pool_example

namespace defaults_example {
using floored = network<defaults<round_down>, input<9, 9, 3>, conv<filters<4>, kernel<2>, stride<2>>, max_pool<window<3>, stride<2>>>;
static_assert(output_shape<floored, 1> == volume(4, 4, 4));
static_assert(output_shape<floored> == volume(1, 1, 4));
}  // namespace defaults_example

namespace max_pool_example {
static_assert(output_shape<network<input<4, 4, 1>, max_pool<window<2>, stride<2>>>> == volume(2, 2, 1));
static_assert(output_shape<network<input<9, 9, 1>, max_pool<window<3>>>> == volume(3, 3, 1));
static_assert(output_shape<network<input<9, 9, 1>, max_pool<window<3>, stride<1>>>> == volume(7, 7, 1));
static_assert(output_shape<network<input<112, 112, 64>, max_pool<window<3>, stride<2>, pad<1>, round_down>>> ==
              volume(56, 56, 64));
static_assert(param_count<network<input<4, 4, 1>, max_pool<window<2>>>> == 0);
}  // namespace max_pool_example

namespace avg_pool_example {
static_assert(output_shape<network<input<4, 4, 1>, avg_pool<window<3>, stride<1>, pad<1>>>> == volume(4, 4, 1));
static_assert(output_shape<network<input<8, 6, 2>, avg_pool<window<2, 3>>>> == volume(4, 2, 2));
static_assert(mac_count<network<input<8, 6, 2>, avg_pool<window<2, 3>>>> == 0);
}  // namespace avg_pool_example

namespace dense_example {
using fc = network<input<32, 32, 3>, dense<units<10>>>;
static_assert(output_shape<fc> == flat(10));
static_assert(param_count<fc> == 30'730);
static_assert(mac_count<fc> == 30'720);
static_assert(output_shape<network<input<3072>, dense<units<10>>>> == flat(10));
}  // namespace dense_example

namespace flatten_example {
static_assert(output_shape<network<input<32, 32, 3>, flatten>> == flat(3072));
static_assert(param_count<network<input<32, 32, 3>, flatten>> == 0);
}  // namespace flatten_example

namespace activation_example {
static_assert(output_shape<network<input<4, 4, 3>, relu, sigmoid, tn::tanh, softmax>> == volume(4, 4, 3));
static_assert(output_shape<network<input<10>, relu, softmax>> == flat(10));
static_assert(param_count<network<input<10>, relu, softmax>> == 0);
}  // namespace activation_example

namespace leaky_relu_example {
static_assert(leaky_relu<>::negative_slope == 0.01);
static_assert(leaky_relu<slope<1, 10>>::negative_slope == 0.1);
static_assert(output_shape<network<input<8>, leaky_relu<>>> == flat(8));
}  // namespace leaky_relu_example

namespace layer_concept_example {
static_assert(Layer<relu>);
static_assert(Layer<conv<filters<8>, kernel<3>>>);
static_assert(!Layer<kernel<3>>);
static_assert(relu::kind == "relu");
static_assert(conv<filters<8>, kernel<3>>::kind == "conv");
}  // namespace layer_concept_example

// --- options --------------------------------------------------------------------------------

namespace filters_example {
static_assert(output_shape<network<input<8, 8, 3>, conv<filters<32>, kernel<1>>>> == volume(8, 8, 32));
static_assert(param_count<network<input<8, 8, 3>, conv<filters<32>, kernel<1>>>> == 32 * (3 + 1));
}  // namespace filters_example

namespace kernel_example {
static_assert(std::is_same_v<kernel<5>, kernel<5, 5>>);
static_assert(output_shape<network<input<10, 20, 1>, conv<filters<2>, kernel<3, 5>>>> == volume(8, 16, 2));
}  // namespace kernel_example

namespace window_example {
static_assert(std::is_same_v<window<2>, window<2, 2>>);
static_assert(output_shape<network<input<8, 6, 2>, max_pool<window<2, 3>>>> == volume(4, 2, 2));
}  // namespace window_example

namespace stride_example {
static_assert(output_shape<network<input<9, 9, 1>, conv<filters<2>, kernel<3>, stride<2, 3>>>> == volume(4, 3, 2));
static_assert(output_shape<network<input<9, 9, 1>, max_pool<window<3>, stride<2>>>> == volume(4, 4, 1));
}  // namespace stride_example

namespace pad_example {
static_assert(output_shape<network<input<7, 7, 1>, conv<filters<1>, kernel<3>, pad<1>>>> == volume(7, 7, 1));
static_assert(output_shape<network<input<8, 8, 1>, conv<filters<1>, kernel<3, 5>, pad<1, 2>>>> == volume(8, 8, 1));
}  // namespace pad_example

namespace pad_sides_example {
static_assert(output_shape<network<input<8, 8, 1>, conv<filters<1>, kernel<2>, pad_sides<0, 1, 0, 1>>>> ==
              volume(8, 8, 1));
}  // namespace pad_sides_example

namespace pad_same_example {
static_assert(output_shape<network<input<7, 7, 1>, conv<filters<1>, kernel<5>, pad_same>>> == volume(7, 7, 1));
static_assert(output_shape<network<input<8, 8, 1>, conv<filters<1>, kernel<3, 1>, pad_same>>> == volume(8, 8, 1));
}  // namespace pad_same_example

namespace rounding_example {
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>, round_down>>> ==
              volume(2, 2, 1));
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>, round_up>>> ==
              volume(3, 3, 1));
static_assert(output_shape<network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, round_down>>> ==
              volume(112, 112, 64));
static_assert(output_shape<network<input<5, 5, 1>, max_pool<window<2>, pad<1>, round_up>>> == volume(3, 3, 1));
}  // namespace rounding_example

namespace units_example {
static_assert(output_shape<network<input<400>, dense<units<120>>>> == flat(120));
static_assert(param_count<network<input<400>, dense<units<120>>>> == 48'120);
}  // namespace units_example

namespace slope_example {
static_assert(slope<1, 100>::value == 0.01);
static_assert(leaky_relu<slope<1, 5>>::negative_slope == 0.2);
}  // namespace slope_example

// --- shapes ---------------------------------------------------------------------------------

namespace shape_example {
static_assert(volume(32, 32, 3).size() == 3072);
static_assert(volume(32, 32, 3) == shape{32, 32, 3, false});
static_assert(flat(10) == shape{1, 1, 10, true});
static_assert(flat(10).size() == 10);
static_assert(!rejected.valid());
static_assert(volume(32, 32, 3) != flat(3072));
}  // namespace shape_example

// --- rules ----------------------------------------------------------------------------------

namespace rules_example {
constexpr window_axis a{.n = 7, .f = 3, .pad_before = 0, .pad_after = 0, .s = 3};
static_assert(a.padded() == 7);
static_assert(window_fits(a));
static_assert(left_over(a) == 1);
static_assert(!windows_tile(a));
static_assert(output_extent(a, rounding::down) == 2);
static_assert(output_extent(a, rounding::up) == 3);
static_assert(!window_axis_ok(a, rounding::exact));
static_assert(window_axis_ok(a, rounding::down));
constexpr window_axis b{.n = 2, .f = 3, .pad_before = 0, .pad_after = 0, .s = 1};
static_assert(!window_fits(b));
constexpr window_axis c{.n = 6, .f = 3, .pad_before = 2, .pad_after = 2, .s = 1};
static_assert(!pool_padding_within_half_window(c));
static_assert(output_extent(window_axis{.n = 224, .f = 7, .pad_before = 3, .pad_after = 3, .s = 2}, rounding::down) ==
              112);
}  // namespace rules_example

// --- queries --------------------------------------------------------------------------------

namespace queries_example {
using small = network<input<8, 8, 3>, conv<filters<4>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, dense<units<5>>>;
static_assert(facts<small>.valid);
static_assert(facts<small>.layer_count == 5);
static_assert(facts<small>.layer[3].kind == "max_pool");
static_assert(facts<small>.layer[3].output == volume(4, 4, 4));
static_assert(facts<small>.params == 437);
static_assert(facts<small>.largest_in_out_pair == 512);
static_assert(layer_count<small> == 5);
static_assert(input_shape<small> == volume(8, 8, 3));
static_assert(input_shape<small, 4> == volume(4, 4, 4));
static_assert(output_shape<small> == flat(5));
static_assert(output_shape<small, 1> == volume(8, 8, 4));
static_assert(output_shape<small, whole> == output_shape<small>);
static_assert(param_count<small> == 437);
static_assert(param_count<small, 1> == 112);
static_assert(weight_count<small> == 3 * 3 * 3 * 4 + 64 * 5);
static_assert(weight_count<small, 4> == 320);
static_assert(bias_count<small> == 9);
static_assert(bias_count<small, 4> == 5);
static_assert(mac_count<small> == 8 * 8 * 4 * 27 + 64 * 5);
static_assert(mac_count<small, 2> == 0);
static_assert(activation_count<small, 0> == 192);
static_assert(activation_count<small> == 192 + 256 + 256 + 64 + 5);
static_assert(largest_activation<small> == 256);
static_assert(decltype(boost::hana::length(bound_layers<small>))::value == 5);
static_assert(resolve<1, conv<filters<4>, kernel<3>>, volume(8, 8, 3)>().output == volume(6, 6, 4));
static_assert(!resolve<3, dense<units<2>>, rejected>().output.valid());
}  // namespace queries_example

// --- running a network --------------------------------------------------------------------

namespace layout_example {
static_assert([] { tensor<volume(2, 2, 3)> t; t(1, 0, 2) = 5; return t[(1 * 2 + 0) * 3 + 2]; }() == 5);
static_assert(tensor<volume(2, 2, 3)>::size() == 12);
}  // namespace layout_example

namespace pooling_semantics_example {
using averaged = network<input<4, 4, 1>, avg_pool<window<3>, stride<1>, pad<1>>>;
constexpr std::array<float, 16> ones{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static_assert(reference::evaluate<averaged>(std::array<float, 0>{}, ones) == ones);
using maxed = network<input<2, 2, 1>, max_pool<window<3>, stride<1>, pad<1>>>;
static_assert(reference::evaluate<maxed>(std::array<float, 0>{}, std::array<float, 4>{-1, -2, -3, -4}) ==
              std::array<float, 4>{-1, -1, -1, -1});
}  // namespace pooling_semantics_example

namespace model_example {
using tiny = network<input<8, 8, 3>, conv<filters<8>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, dense<units<10>>>;
static_assert(model<tiny>::param_count == param_count<tiny>);
static_assert(model<tiny>::input_shape == volume(8, 8, 3));
static_assert(model<tiny>::output_shape == flat(10));
static_assert(model<tiny>::weight_shape<1> == std::array<std::size_t, 4>{3, 3, 3, 8});
static_assert(model<tiny>::weight_shape<4> == std::array<std::size_t, 4>{128, 10, 1, 1});
static_assert(param_offset<tiny, 4> == 3 * 3 * 3 * 8 + 8);
static_assert(workspace_floats<tiny> == 2 * 512 + 304);
static_assert(workspace_bytes<tiny> == workspace_floats<tiny> * sizeof(float));
}  // namespace model_example

namespace evaluate_example {
using neuron = network<input<2>, dense<units<1>>, relu>;
static_assert(reference::evaluate<neuron>(std::array<float, 3>{2, 3, -1}, std::array<float, 2>{1, 1}) ==
              std::array<float, 1>{4});
static_assert(reference::evaluate<neuron>(std::array<float, 3>{2, 3, -9}, std::array<float, 2>{1, 1}) ==
              std::array<float, 1>{0});
}  // namespace evaluate_example

// --- models ---------------------------------------------------------------------------------

namespace models_example {
static_assert(param_count<models::lecture5_conv> == 760);
static_assert(param_count<models::lecture5_dense> == 30'730);
static_assert(param_count<models::lenet5> == 61'706);
static_assert(param_count<models::cifar10> == 39'514);  // what PyTorch counts for tools/torch_models.py Cifar10
static_assert(param_count<models::alexnet> == 62'378'344);
static_assert(output_shape<models::alexnet, 1> == volume(55, 55, 96));
static_assert(param_count<models::vgg16> == 138'357'544);
static_assert(layer_count<models::vgg16> == 38);
static_assert(output_shape<network<input<224, 224, 3>, models::vgg_stage<64, 2>>> == volume(112, 112, 64));
}  // namespace models_example

// --- what only exists at run time: the summary ------------------------------------------------

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::cout << "FAILED: " << what << '\n';
    ++failures;
  }
}
#define check(...) check(__VA_ARGS__, #__VA_ARGS__)

int main() {
  using lecture = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, stride<1>, pad<2>>>;
  check(summary_string<lecture>() == R"(------------------------------------------------------------------------------------------------
   #  layer                           output      weights   biases       params             MACs
------------------------------------------------------------------------------------------------
   0  input                          32x32x3            0        0            0                0
   1  conv 10@5x5 s1 p2             32x32x10          750       10          760          768,000
------------------------------------------------------------------------------------------------
total params: 760 (weights 750, biases 10), 3,040 bytes as float
MACs per sample: 768,000
largest activation: 10,240 values (40,960 bytes as float)
)");
  check(summary_string<lecture>("lecture 5").starts_with("lecture 5\n---"));
  check(to_string(volume(32, 32, 10)) == "32x32x10");
  check(to_string(flat(10)) == "10");
  check(to_string(rejected) == "rejected");
  check(with_thousands(62378344) == "62,378,344");
  check(conv<filters<10>, kernel<5>, pad<2>>::describe() == "conv 10@5x5 s1 p2");
  check(max_pool<window<3>, stride<2>, pad<1>, round_down>::describe() == "max_pool 3x3 s2 p1 floor");
  check(dense<units<10>>::describe() == "dense 10");
  {
    using tiny =
        network<input<8, 8, 3>, conv<filters<8>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, dense<units<10>>>;
    model<tiny> m(he_normal{.seed = 7});
    model<tiny>::input_tensor x;
    x(0, 0, 0) = 1;
    check(m.forward(x).size() == 10);
    check(m.parameters().size() == 1514);
    check(m.weights<1>().size() == 216);
    check(m.biases<1>().size() == 8);
  }
  summary<lecture>(std::cout, "The reference's examples hold; the lecture's worked example:");
  return failures == 0 ? 0 : 1;
}
