// MobileNetV2 (Sandler et al. 2018; torchvision.models.mobilenet_v2): inverted residual blocks, a
// 1x1 expansion, a 3x3 depthwise convolution and a linear 1x1 projection, each with batch norm,
// relu6 after the first two, and the input added when the block keeps the shape. The layers carry
// torchvision's names (features.0.0, features.2.conv.1.0, classifier.1), so torchvision's weights
// load with no configuration. A trainer trains it (batch_norm in training mode; no dropout before
// the classifier, unlike torchvision's: add one to the type to train it as theirs).
#pragma once

#include <typenet/typenet.hpp>

#include <cstddef>
#include <type_traits>

namespace typenet::models {

namespace mobilenet_detail {
/// torchvision's Conv2dNormActivation with relu6, named Index: conv (no bias), batch norm, relu6.
template <fixed_string Index, class Conv>
using conv_bn_relu6 = block<name<Index>, Conv, batch_norm<name<"1">>, relu6>;

/// The layers of an InvertedResidual(In, Out, S, T), torchvision's `conv` Sequential.
template <std::size_t In, std::size_t Out, std::size_t S, std::size_t T>
using inverted_layers = std::conditional_t<
    T == 1,
    block<name<"conv">,
          conv_bn_relu6<"0", conv<filters<In>, kernel<3>, stride<S>, pad<1>, depthwise, no_bias, name<"0">>>,
          conv<filters<Out>, kernel<1>, no_bias, name<"1">>, batch_norm<name<"2">>>,
    block<name<"conv">, conv_bn_relu6<"0", conv<filters<In * T>, kernel<1>, no_bias, name<"0">>>,
          conv_bn_relu6<"1", conv<filters<In * T>, kernel<3>, stride<S>, pad<1>, depthwise, no_bias, name<"0">>>,
          conv<filters<Out>, kernel<1>, no_bias, name<"2">>, batch_norm<name<"3">>>>;
}  // namespace mobilenet_detail

/// torchvision's InvertedResidual named Index: expansion T, stride S, In -> Out channels; the
/// input is added when S is 1 and In is Out.
template <fixed_string Index, std::size_t In, std::size_t Out, std::size_t S, std::size_t T>
using inverted_residual =
    std::conditional_t<S == 1 && In == Out, residual<name<Index>, mobilenet_detail::inverted_layers<In, Out, S, T>>,
                       block<name<Index>, mobilenet_detail::inverted_layers<In, Out, S, T>>>;

/// MobileNetV2 (width 1.0) on H x W x 3 images (224 x 224 by default): 3,504,872 parameters.
/// torchvision's Dropout before classifier.1 does nothing in eval mode and has no layer here.
template <std::size_t H = 224, std::size_t W = H, std::size_t Classes = 1000>
using mobilenet_v2 = network<
    defaults<round_down>, input<H, W, 3>,
    block<name<"features">,
          mobilenet_detail::conv_bn_relu6<"0", conv<filters<32>, kernel<3>, stride<2>, pad<1>, no_bias, name<"0">>>,
          inverted_residual<"1", 32, 16, 1, 1>,
          inverted_residual<"2", 16, 24, 2, 6>, inverted_residual<"3", 24, 24, 1, 6>,
          inverted_residual<"4", 24, 32, 2, 6>, inverted_residual<"5", 32, 32, 1, 6>, inverted_residual<"6", 32, 32, 1, 6>,
          inverted_residual<"7", 32, 64, 2, 6>, inverted_residual<"8", 64, 64, 1, 6>, inverted_residual<"9", 64, 64, 1, 6>,
          inverted_residual<"10", 64, 64, 1, 6>,
          inverted_residual<"11", 64, 96, 1, 6>, inverted_residual<"12", 96, 96, 1, 6>, inverted_residual<"13", 96, 96, 1, 6>,
          inverted_residual<"14", 96, 160, 2, 6>, inverted_residual<"15", 160, 160, 1, 6>,
          inverted_residual<"16", 160, 160, 1, 6>,
          inverted_residual<"17", 160, 320, 1, 6>,
          mobilenet_detail::conv_bn_relu6<"18", conv<filters<1280>, kernel<1>, no_bias, name<"0">>>>,
    global_avg_pool, flatten, dense<units<Classes>, name<"classifier.1">>>;

}  // namespace typenet::models
