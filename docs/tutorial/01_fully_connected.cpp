// Step 1, the fully connected layer: a 32x32x3 image is stretched into 3072 numbers and
// multiplied by a 10 x 3072 weight matrix; the activation is 10 numbers.
#include <typenet/typenet.hpp>

#include <iostream>

namespace tn = typenet;
using namespace tn;

// A network is a type: the input first, then the layers in data-flow order.
using fully_connected = network<input<32, 32, 3>, dense<units<10>>>;

static_assert(input_shape<fully_connected> == volume(32, 32, 3));
static_assert(input_shape<fully_connected>.size() == 3072);  // stretched: 3072 numbers
static_assert(output_shape<fully_connected> == flat(10));    // the activation: 10 numbers

// Parameters: 3072*10 weights (the 10 x 3072 matrix) + 10 biases.
static_assert(weight_count<fully_connected> == 3072 * 10);
static_assert(bias_count<fully_connected> == 10);
static_assert(param_count<fully_connected> == 30'730);

// dense stretches a volume by itself; the stretch can also be its own layer, with no parameters.
using stretched = network<input<32, 32, 3>, flatten, dense<units<10>>>;
static_assert(output_shape<stretched, 1> == flat(3072));  // layer 1 is flatten (the input is layer 0)
static_assert(param_count<stretched, 1> == 0);
static_assert(param_count<stretched> == param_count<fully_connected>);

int main() { summary<stretched>(std::cout, "Step 1: 32x32x3 -> 3072 -> 10"); }
