// LeNet-5 (LeCun et al., 1998) on a 28x28 grey image padded to 32x32: 61,706 parameters.
#pragma once

#include <typenet/typenet.hpp>

namespace typenet::models {

/// LeNet-5 as usually trained on MNIST today: 28x28x1 with pad 2 (the
/// original's 32x32 input), relu and max pooling in place of the original's
/// scaled tanh and trainable subsampling; dense 120 -> 84 -> 10.
using lenet5 = network<input<28, 28, 1>,
                       conv<filters<6>, kernel<5>, pad<2>>, relu, max_pool<window<2>>,
                       conv<filters<16>, kernel<5>>, relu, max_pool<window<2>>,
                       flatten,
                       dense<units<120>>, relu,
                       dense<units<84>>, relu,
                       dense<units<10>>>;

}  // namespace typenet::models
