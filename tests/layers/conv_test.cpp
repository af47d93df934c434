// Static tests of conv: the lecture's convolution numbers, padding, strides, rounding, parameters.
#include <typenet/typenet.hpp>

namespace {
namespace tn = typenet;
using namespace tn;

template <class... Layers>
using on_7x7 = network<input<7, 7, 3>, Layers...>;

// N = 7, F = 3: stride 1 -> 5x5, stride 2 -> 3x3.
static_assert(output_shape<on_7x7<conv<filters<1>, kernel<3>, stride<1>>>> == volume(5, 5, 1));
static_assert(output_shape<on_7x7<conv<filters<1>, kernel<3>, stride<2>>>> == volume(3, 3, 1));
// Stride 3 is rejected (tests/compile_fail/windows_must_tile.cpp), unless rounding is asked for.
static_assert(output_shape<on_7x7<conv<filters<1>, kernel<3>, stride<3>, round_down>>> == volume(2, 2, 1));
static_assert(output_shape<on_7x7<conv<filters<1>, kernel<3>, stride<3>, round_up>>> == volume(3, 3, 1));
// Pad 1 keeps 7x7, and so does pad_same (P = (3 - 1) / 2).
static_assert(output_shape<on_7x7<conv<filters<1>, kernel<3>, pad<1>>>> == volume(7, 7, 1));
static_assert(output_shape<on_7x7<conv<filters<1>, kernel<3>, pad_same>>> == volume(7, 7, 1));
static_assert(output_shape<on_7x7<conv<pad_same, filters<1>, kernel<5>>>> == volume(7, 7, 1));  // any order

// The worked example: 32x32x3, ten 5x5 filters, stride 1, pad 2 -> 32x32x10;
// each filter 5*5*3 + 1 = 76 parameters, 760 in all.
using lecture = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, stride<1>, pad<2>>>;
static_assert(output_shape<lecture> == volume(32, 32, 10));
static_assert(weight_count<lecture, 1> == 5 * 5 * 3 * 10);
static_assert(bias_count<lecture, 1> == 10);
static_assert(param_count<lecture, 1> == 760);
static_assert(mac_count<lecture, 1> == 32 * 32 * 10 * 5 * 5 * 3);
// A filter spans the full input depth: the same layer on 32x32x16 has 5*5*16 + 1 per filter.
static_assert(param_count<network<input<32, 32, 16>, conv<filters<10>, kernel<5>, pad<2>>>> == 10 * (5 * 5 * 16 + 1));

// The lecture's common settings.
using in32 = input<32, 32, 64>;
static_assert(output_shape<network<in32, conv<filters<128>, kernel<3>, stride<1>, pad<1>>>> == volume(32, 32, 128));
static_assert(output_shape<network<in32, conv<filters<128>, kernel<5>, stride<1>, pad<2>>>> == volume(32, 32, 128));
static_assert(output_shape<network<in32, conv<filters<128>, kernel<5>, stride<2>, pad<1>, round_down>>> ==
              volume(15, 15, 128));
static_assert(output_shape<network<input<31, 31, 64>, conv<filters<128>, kernel<5>, stride<2>, pad<1>>>> ==
              volume(15, 15, 128));  // F = 5, S = 2, "P = whatever fits"
// 1x1 convolution still spans the full depth: 64 weights per filter.
static_assert(output_shape<network<in32, conv<filters<32>, kernel<1>>>> == volume(32, 32, 32));
static_assert(param_count<network<in32, conv<filters<32>, kernel<1>>>> == 32 * (64 + 1));

// Non-square kernels, per-axis strides, asymmetric padding.
static_assert(output_shape<network<input<10, 20, 1>, conv<filters<2>, kernel<3, 5>>>> == volume(8, 16, 2));
static_assert(output_shape<network<input<9, 9, 1>, conv<filters<2>, kernel<3>, stride<2, 3>>>> == volume(4, 3, 2));
static_assert(output_shape<network<input<8, 8, 1>, conv<filters<1>, kernel<2>, pad_sides<0, 1, 0, 1>>>> ==
              volume(8, 8, 1));  // TensorFlow-style "same" for an even kernel
static_assert(output_shape<network<input<8, 8, 1>, conv<filters<1>, kernel<3, 1>, pad_same>>> == volume(8, 8, 1));

// ResNet's stem: 7x7 stride 2 pad 3 on 224 gives 112 only by rounding down.
using resnet_stem = network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, round_down>>;
static_assert(output_shape<resnet_stem> == volume(112, 112, 64));
static_assert(param_count<resnet_stem> == 7 * 7 * 3 * 64 + 64);

// --- beyond the lecture: no bias, groups, depthwise -------------------------------------------------
namespace beyond {
// ResNet's conv1 has no bias: 7 * 7 * 3 * 64 = 9,408 parameters (torchvision's resnet18().conv1).
using resnet_stem = network<input<224, 224, 3>, conv<filters<64>, kernel<7>, stride<2>, pad<3>, no_bias, round_down>>;
static_assert(param_count<resnet_stem> == 9'408);
static_assert(bias_count<resnet_stem> == 0);
static_assert(output_shape<resnet_stem> == volume(112, 112, 64));
static_assert(mac_count<resnet_stem> == 112ull * 112 * 64 * 7 * 7 * 3);  // 118,013,952

// groups<G>: each filter spans C / G channels. Conv2d(12, 18, 3, groups=3): 18 * 4 * 9 + 18 = 666.
using grouped = network<input<8, 8, 12>, conv<filters<18>, kernel<3>, groups<3>>>;
static_assert(weight_count<grouped> == 18 * (12 / 3) * 3 * 3);
static_assert(param_count<grouped> == 666);
static_assert(mac_count<grouped> == 6 * 6 * 18 * (12 / 3) * 3 * 3);
static_assert(output_shape<grouped> == volume(6, 6, 18));
// groups<1> is the ordinary convolution.
static_assert(param_count<network<input<8, 8, 12>, conv<filters<18>, kernel<3>, groups<1>>>> == 18 * (12 * 9 + 1));

// depthwise: one group per input channel. MobileNetV2's first depthwise layer, Conv2d(32, 32, 3,
// padding=1, groups=32, bias=False) on 112x112: 288 weights, 112 * 112 * 32 * 9 MACs.
using dw = network<input<112, 112, 32>, conv<filters<32>, kernel<3>, pad<1>, depthwise, no_bias>>;
static_assert(param_count<dw> == 288);
static_assert(mac_count<dw> == 112 * 112 * 32 * 9);
static_assert(output_shape<dw> == volume(112, 112, 32));
// depthwise with a multiplier: 2 filters per channel.
static_assert(param_count<network<input<5, 5, 6>, conv<filters<12>, kernel<3>, depthwise>>> == 12 * 9 + 12);
// ... and depthwise means groups<C>, whatever C the layer before gives.
static_assert(param_count<network<input<9, 9, 3>, conv<filters<48>, kernel<1>>, conv<filters<48>, kernel<3>, depthwise>>,
                          2> == param_count<network<input<7, 7, 48>, conv<filters<48>, kernel<3>, groups<48>>>>);

// Channels or filters not divisible by the groups are rejected (compile_fail/
// input_channels_not_divisible_by_groups.cpp, filters_not_divisible_by_groups.cpp).
static_assert(!fits<network<input<8, 8, 10>, conv<filters<12>, kernel<3>, groups<4>>>>);
static_assert(!fits<network<input<8, 8, 12>, conv<filters<10>, kernel<3>, groups<4>>>>);
static_assert(!fits<network<input<8, 8, 12>, conv<filters<18>, kernel<3>, depthwise>>>);
static_assert(fits<network<input<8, 8, 12>, conv<filters<24>, kernel<3>, depthwise>>>);
}  // namespace beyond
}  // namespace
