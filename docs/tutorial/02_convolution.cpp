// Step 2, the convolution layer: filters slide over the input volume and keep its spatial
// structure. A filter spans the full depth of its input; each filter gives one activation map.
#include <typenet/typenet.hpp>

#include <iostream>

namespace tn = typenet;
using namespace tn;

// One 5x5 filter on a 32x32x3 image: the filter is 5x5x3, and sliding it over every position
// gives one 28x28 activation map, (32 - 5)/1 + 1 = 28.
using one_filter = network<input<32, 32, 3>, conv<filters<1>, kernel<5>>>;
static_assert(weight_count<one_filter> == 5 * 5 * 3);  // the filter spans all 3 channels
static_assert(bias_count<one_filter> == 1);
static_assert(output_shape<one_filter> == volume(28, 28, 1));

// As many filters as we like: the output depth is the number of filters.
using six_filters = network<input<32, 32, 3>, conv<filters<6>, kernel<5>>>;
static_assert(output_shape<six_filters> == volume(28, 28, 6));
static_assert(param_count<six_filters> == 6 * (5 * 5 * 3 + 1));

// Each output value is one dot product of a 5x5x3 filter with the input: 75 multiply-adds.
static_assert(mac_count<six_filters> == 28 * 28 * 6 * 75);

// The depth a filter spans is the previous layer's: on those 6 maps, a 5x5 filter is 5x5x6.
using two_layers = network<input<32, 32, 3>, conv<filters<6>, kernel<5>>, conv<filters<10>, kernel<5>>>;
static_assert(output_shape<two_layers> == volume(24, 24, 10));
static_assert(weight_count<two_layers, 2> == 5 * 5 * 6 * 10);

int main() { summary<two_layers>(std::cout, "Step 2: two convolutions on 32x32x3"); }
