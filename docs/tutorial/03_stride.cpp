// Step 3, stride: the step by which a filter slides. For an N x N input and an F x F filter the
// output is (N - F) / stride + 1; the lecture works N = 7, F = 3.
#include <typenet/typenet.hpp>

#include <iostream>

namespace tn = typenet;
using namespace tn;

using stride_1 = network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<1>>>;
using stride_2 = network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<2>>>;
static_assert(output_shape<stride_1> == volume(5, 5, 1));  // (7 - 3)/1 + 1 = 5
static_assert(output_shape<stride_2> == volume(3, 3, 1));  // (7 - 3)/2 + 1 = 3

// Stride 3: (7 - 3)/3 + 1 = 2.33, the filter does not fit, and such a layer is an error.
// The line that breaks (uncomment it to see the compiler's message, in docs/tutorial.md):
//
// static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>>>> == volume(2, 2, 1));

// The rule itself is a plain constexpr predicate (include/typenet/rules.hpp), so the negative
// fact can be asserted without breaking the build: (N + 2P - F) mod S is 1, not 0.
constexpr window_axis seven_three_three{.n = 7, .f = 3, .pad_before = 0, .pad_after = 0, .s = 3};
static_assert(!windows_tile(seven_three_three));
static_assert(left_over(seven_three_three) == 1);
static_assert(windows_tile(window_axis{.n = 7, .f = 3, .pad_before = 0, .pad_after = 0, .s = 2}));

// Strides can differ per axis: stride<2, 1> is 2 down the height, 1 along the width.
static_assert(output_shape<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<2, 1>>>> ==
              volume(3, 5, 1));

int main() {
  summary<stride_1>(std::cout, "Step 3: N = 7, F = 3, stride 1");
  std::cout << '\n';
  summary<stride_2>(std::cout, "Step 3: N = 7, F = 3, stride 2");
}
