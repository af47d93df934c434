// Step 4, zero padding: P pixels of value 0 around the input. The output becomes
// (N + 2P - F) / stride + 1, so volumes no longer have to shrink layer after layer.
#include <typenet/typenet.hpp>

#include <iostream>

namespace tn = typenet;
using namespace tn;

// N = 7, F = 3, stride 1, pad 1: 7x7 in, 7x7 out ("same" padding).
using padded = network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<1>, pad<1>>>;
static_assert(output_shape<padded> == volume(7, 7, 1));  // (7 + 2*1 - 3)/1 + 1 = 7

// In general P = (F - 1)/2 keeps the size at stride 1; pad_same computes it from the kernel.
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<5>, pad<2>>>> == volume(7, 7, 1));
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<7>, pad_same>>> == volume(7, 7, 1));

// Without padding the volume shrinks by F - 1 per layer; with it, it keeps its size.
using shrinking = network<input<32, 32, 3>, conv<filters<8>, kernel<5>>, conv<filters<8>, kernel<5>>,
                          conv<filters<8>, kernel<5>>>;
using keeping = network<input<32, 32, 3>, conv<filters<8>, kernel<5>, pad<2>>, conv<filters<8>, kernel<5>, pad<2>>,
                        conv<filters<8>, kernel<5>, pad<2>>>;
static_assert(output_shape<shrinking> == volume(20, 20, 8));  // 32 -> 28 -> 24 -> 20
static_assert(output_shape<keeping> == volume(32, 32, 8));

// Padding also repairs step 3's stride 3: (7 + 2*1 - 3)/3 + 1 = 3, a whole number.
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>, pad<1>>>> ==
              volume(3, 3, 1));

// The lecture's worked example: input 32x32x3, ten 5x5 filters, stride 1, pad 2.
using worked_example = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, stride<1>, pad<2>>>;
// 1. Output volume: (32 + 2*2 - 5)/1 + 1 = 32, so 32x32x10.
static_assert(output_shape<worked_example> == volume(32, 32, 10));
// 2. Parameters: each filter has 5*5*3 weights + 1 bias = 76; ten filters: 760.
static_assert(param_count<worked_example> / 10 == 76);
static_assert(param_count<worked_example> == 760);

int main() {
  summary<worked_example>(std::cout, "Step 4: the worked example, 32x32x3, ten 5x5 filters, stride 1, pad 2");
}
