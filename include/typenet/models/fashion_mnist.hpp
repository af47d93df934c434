// The network of examples/fashion_mnist.cpp: two 3x3 convolutions (32, 64 filters) and a 128-unit dense layer on 28x28x1.
#pragma once

#include <typenet/typenet.hpp>

namespace typenet::models {

/// A small VGG-style classifier for 28x28 grey images (MNIST, Fashion-MNIST):
/// conv 3x3 (pad 1) twice, each followed by relu and 2x2 max pooling, then
/// dense 128 and the 10 class scores (train it with cross_entropy, which
/// applies the softmax). 421,642 parameters, 4.24 M multiply-accumulates per image.
using fashion_mnist = network<input<28, 28, 1>,
                              conv<filters<32>, kernel<3>, pad<1>, name<"conv1">>, relu, max_pool<window<2>>,
                              conv<filters<64>, kernel<3>, pad<1>, name<"conv2">>, relu, max_pool<window<2>>,
                              flatten,
                              dense<units<128>, name<"fc1">>, relu,
                              dense<units<10>, name<"fc2">>>;

}  // namespace typenet::models
