// The networks CS231N lecture 5 works through: its convolution example and its fully connected layer.
#pragma once

#include <typenet/typenet.hpp>

namespace typenet::models {

/// The lecture's worked example: a 32x32x3 input, ten 5x5 filters, stride 1,
/// pad 2 -> 32x32x10, 760 parameters.
using lecture5_conv = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, stride<1>, pad<2>>>;

/// The lecture's fully connected layer: 32x32x3 stretched to 3072, times a
/// 10 x 3072 matrix -> 10 numbers; 3072 * 10 weights + 10 biases.
using lecture5_dense = network<input<32, 32, 3>, dense<units<10>>>;

}  // namespace typenet::models
