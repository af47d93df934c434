// AlexNet as CS231N presents it (227x227x3 input, one stream): 62,378,344 parameters.
#pragma once

#include <typenet/typenet.hpp>

namespace typenet::models {

/// AlexNet (Krizhevsky et al., 2012) as the CS231N slides draw it: a single
/// stream on a 227x227x3 input. The local response normalisation layers have
/// no parameters and no shape effect, and are left out.
using alexnet = network<input<227, 227, 3>,
                        conv<filters<96>, kernel<11>, stride<4>>, relu,           // 55x55x96
                        max_pool<window<3>, stride<2>>,                           // 27x27x96
                        conv<filters<256>, kernel<5>, pad<2>>, relu,              // 27x27x256
                        max_pool<window<3>, stride<2>>,                           // 13x13x256
                        conv<filters<384>, kernel<3>, pad<1>>, relu,              // 13x13x384
                        conv<filters<384>, kernel<3>, pad<1>>, relu,              // 13x13x384
                        conv<filters<256>, kernel<3>, pad<1>>, relu,              // 13x13x256
                        max_pool<window<3>, stride<2>>,                           // 6x6x256
                        dense<units<4096>>, relu,
                        dense<units<4096>>, relu,
                        dense<units<1000>>, softmax>;

}  // namespace typenet::models
