// A CIFAR-10-size network (32x32x3 images, 10 classes): three conv-relu-pool stages and two dense
// layers, the lecture's [CONV-RELU-POOL]xN-FC pattern. Its layers are named as the attributes of the
// PyTorch module tools/torch_models.py defines (conv1 ... fc2), so weight files map with no configuration.
#pragma once

#include <typenet/typenet.hpp>

namespace typenet::models {

using cifar10 = network<input<32, 32, 3>,
                        conv<filters<8>, kernel<3>, pad<1>, name<"conv1">>, relu, max_pool<window<2>>,
                        conv<filters<16>, kernel<3>, pad<1>, name<"conv2">>, relu, max_pool<window<2>>,
                        conv<filters<32>, kernel<3>, pad<1>, name<"conv3">>, relu, avg_pool<window<2>>,
                        flatten,
                        dense<units<64>, name<"fc1">>, relu,
                        dense<units<10>, name<"fc2">>>;

}  // namespace typenet::models
