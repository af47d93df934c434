// VGG-16 (Simonyan and Zisserman, 2014, configuration D): 138,357,544 parameters.
#pragma once

#include <typenet/typenet.hpp>

namespace typenet::models {

/// A VGG stage: convolutions of 3x3, stride 1, same padding, each followed by
/// relu, then 2x2 max pooling. A block<>, so it takes any input volume.
template <std::size_t Filters, std::size_t Convs>
struct vgg_stage_of;
template <std::size_t Filters>
struct vgg_stage_of<Filters, 2> {
  using conv3 = conv<filters<Filters>, kernel<3>, pad_same>;
  using type = block<conv3, relu, conv3, relu, max_pool<window<2>>>;
};
template <std::size_t Filters>
struct vgg_stage_of<Filters, 3> {
  using conv3 = conv<filters<Filters>, kernel<3>, pad_same>;
  using type = block<conv3, relu, conv3, relu, conv3, relu, max_pool<window<2>>>;
};
template <std::size_t Filters, std::size_t Convs>
using vgg_stage = typename vgg_stage_of<Filters, Convs>::type;

/// VGG-16: five stages (64, 128, 256, 512, 512 filters) on 224x224x3, then
/// dense 4096 -> 4096 -> 1000.
using vgg16 = network<input<224, 224, 3>,
                      vgg_stage<64, 2>, vgg_stage<128, 2>, vgg_stage<256, 3>, vgg_stage<512, 3>, vgg_stage<512, 3>,
                      dense<units<4096>>, relu,
                      dense<units<4096>>, relu,
                      dense<units<1000>>, softmax>;

}  // namespace typenet::models
