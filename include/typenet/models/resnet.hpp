// ResNet-18 and ResNet-50 (He et al. 2016; torchvision.models.resnet18, resnet50): residual blocks
// of 3x3 (basic) or 1x1-3x3-1x1 (bottleneck) convolutions, each followed by batch normalization,
// with a projection shortcut (torchvision's `downsample`) where a stage changes the shape. The
// layers carry torchvision's names (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc), so
// torchvision's weights load with no configuration. A trainer trains them (batch_norm in training
// mode).
#pragma once

#include <typenet/typenet.hpp>

#include <cstddef>
#include <type_traits>

namespace typenet::models {

namespace resnet_detail {
/// The shortcut of a block: a strided 1x1 convolution and a batch norm (torchvision's
/// `downsample`) where the block changes the shape (Project), else the identity.
template <bool Project, std::size_t K, std::size_t S>
using shortcut_of = std::conditional_t<Project,
                                       shortcut<name<"downsample">, conv<filters<K>, kernel<1>, stride<S>, no_bias, name<"0">>,
                                                batch_norm<name<"1">>>,
                                       shortcut<>>;
}  // namespace resnet_detail

/// torchvision's BasicBlock named Index in its stage: two 3x3 convolutions with batch norm, the
/// input (or its projection, when Project) added, then relu.
template <fixed_string Index, std::size_t K, std::size_t S = 1, bool Project = false>
using basic_block =
    block<residual<name<Index>, conv<filters<K>, kernel<3>, stride<S>, pad<1>, no_bias, name<"conv1">>,
                   batch_norm<name<"bn1">>, relu, conv<filters<K>, kernel<3>, pad<1>, no_bias, name<"conv2">>,
                   batch_norm<name<"bn2">>, resnet_detail::shortcut_of<Project, K, S>>,
          relu>;

/// torchvision's Bottleneck (v1.5: the stride on the 3x3) named Index: 1x1 to Width, 3x3, 1x1 to
/// 4 x Width, each with batch norm, the input (or its projection) added, then relu.
template <fixed_string Index, std::size_t Width, std::size_t S = 1, bool Project = false>
using bottleneck =
    block<residual<name<Index>, conv<filters<Width>, kernel<1>, no_bias, name<"conv1">>, batch_norm<name<"bn1">>, relu,
                   conv<filters<Width>, kernel<3>, stride<S>, pad<1>, no_bias, name<"conv2">>, batch_norm<name<"bn2">>,
                   relu, conv<filters<4 * Width>, kernel<1>, no_bias, name<"conv3">>, batch_norm<name<"bn3">>,
                   resnet_detail::shortcut_of<Project, 4 * Width, S>>,
          relu>;

/// The stem every torchvision ResNet shares: 7x7 stride 2 convolution, batch norm, relu, 3x3
/// stride 2 max pooling (224 -> 112 -> 56, PyTorch's floor).
using resnet_stem = block<conv<filters<64>, kernel<7>, stride<2>, pad<3>, no_bias, name<"conv1">>,
                          batch_norm<name<"bn1">>, relu, max_pool<window<3>, stride<2>, pad<1>>>;

/// ResNet-18 on H x W x 3 images (224 x 224 by default): 11,689,512 parameters.
template <std::size_t H = 224, std::size_t W = H, std::size_t Classes = 1000>
using resnet18 = network<
    defaults<round_down>, input<H, W, 3>, resnet_stem,
    block<name<"layer1">, basic_block<"0", 64>, basic_block<"1", 64>>,
    block<name<"layer2">, basic_block<"0", 128, 2, true>, basic_block<"1", 128>>,
    block<name<"layer3">, basic_block<"0", 256, 2, true>, basic_block<"1", 256>>,
    block<name<"layer4">, basic_block<"0", 512, 2, true>, basic_block<"1", 512>>,
    global_avg_pool, flatten, dense<units<Classes>, name<"fc">>>;

/// ResNet-50 on H x W x 3 images: 25,557,032 parameters.
template <std::size_t H = 224, std::size_t W = H, std::size_t Classes = 1000>
using resnet50 = network<
    defaults<round_down>, input<H, W, 3>, resnet_stem,
    block<name<"layer1">, bottleneck<"0", 64, 1, true>, bottleneck<"1", 64>, bottleneck<"2", 64>>,
    block<name<"layer2">, bottleneck<"0", 128, 2, true>, bottleneck<"1", 128>, bottleneck<"2", 128>,
          bottleneck<"3", 128>>,
    block<name<"layer3">, bottleneck<"0", 256, 2, true>, bottleneck<"1", 256>, bottleneck<"2", 256>,
          bottleneck<"3", 256>, bottleneck<"4", 256>, bottleneck<"5", 256>>,
    block<name<"layer4">, bottleneck<"0", 512, 2, true>, bottleneck<"1", 512>, bottleneck<"2", 512>>,
    global_avg_pool, flatten, dense<units<Classes>, name<"fc">>>;

}  // namespace typenet::models
