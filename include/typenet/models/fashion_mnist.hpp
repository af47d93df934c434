// The networks of examples/fashion_mnist.cpp: a VGG-style one (two 3x3 convolutions, a 128-unit dense layer) and a small ResNet.
#pragma once

#include <typenet/models/resnet.hpp>
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

/// A small residual network for 28x28 grey images, past the lecture: a 3x3 convolution with batch
/// norm, relu and 2x2 max pooling (14x14x16), torchvision's BasicBlock at 16 channels, one at 32
/// with stride 2 and a projection shortcut (7x7x32), global average pooling, 20% dropout and the
/// 10 class scores. Batch norm after every convolution (no biases), PyTorch's floor rounding.
/// 19,706 parameters (and 288 running statistics), 1,718,848 multiply-accumulates per image.
using fashion_mnist_resnet = network<
    defaults<round_down>, input<28, 28, 1>,
    conv<filters<16>, kernel<3>, pad<1>, no_bias, name<"conv1">>, batch_norm<name<"bn1">>, relu, max_pool<window<2>>,
    block<name<"layer1">, basic_block<"0", 16>>,
    block<name<"layer2">, basic_block<"0", 32, 2, true>>,
    global_avg_pool, flatten, dropout<percent<20>>, dense<units<10>, name<"fc">>>;

}  // namespace typenet::models
