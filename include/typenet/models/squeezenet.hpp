// SqueezeNet 1.1 (Iandola et al. 2016; torchvision.models.squeezenet1_1): fire modules, each a 1x1
// "squeeze" convolution followed by 1x1 and 3x3 "expand" convolutions side by side (concat<>), and
// a 1x1 convolution with global average pooling as the classifier. 1,235,496 parameters at any
// input size. Its layers carry torchvision's names (features.3.squeeze, features.3.expand1x1,
// classifier.1, ...), so torchvision's weights load with no configuration.
#pragma once

#include <typenet/typenet.hpp>

#include <cstddef>

namespace typenet::models {

/// torchvision's Fire(inplanes, squeeze, expand1x1, expand3x3), named Index inside `features`.
template <fixed_string Index, std::size_t Squeeze, std::size_t Expand>
using fire = block<name<Index>, conv<filters<Squeeze>, kernel<1>, name<"squeeze">>, relu,
                   concat<branch<conv<filters<Expand>, kernel<1>, name<"expand1x1">>, relu>,
                          branch<conv<filters<Expand>, kernel<3>, pad<1>, name<"expand3x3">>, relu>>>;

/// SqueezeNet 1.1 on H x W x 3 images (224 x 224 by default), 1000 classes. PyTorch floors its
/// convolution (defaults<round_down>) and its max pooling has ceil_mode (round_up). torchvision's
/// Dropout before classifier.1 does nothing in eval mode and has no layer here.
template <std::size_t H = 224, std::size_t W = H, std::size_t Classes = 1000>
using squeezenet1_1 =
    network<defaults<round_down>, input<H, W, 3>,
            block<name<"features">,
                  conv<filters<64>, kernel<3>, stride<2>, name<"0">>, relu,
                  max_pool<window<3>, stride<2>, round_up>,
                  fire<"3", 16, 64>, fire<"4", 16, 64>,
                  max_pool<window<3>, stride<2>, round_up>,
                  fire<"6", 32, 128>, fire<"7", 32, 128>,
                  max_pool<window<3>, stride<2>, round_up>,
                  fire<"9", 48, 192>, fire<"10", 48, 192>, fire<"11", 64, 256>, fire<"12", 64, 256>>,
            conv<filters<Classes>, kernel<1>, name<"classifier.1">>, relu, global_avg_pool, flatten>;

}  // namespace typenet::models
