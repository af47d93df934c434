// Step 5, pooling: downsampling each activation map on its own. Depth is unchanged, width and
// height shrink, and there are no parameters. Max pooling keeps the largest value of each window.
#include <typenet/kernels/reference.hpp>
#include <typenet/typenet.hpp>

#include <array>
#include <cstddef>
#include <iostream>

namespace tn = typenet;
using namespace tn;

// The lecture's slide: one 4x4 depth slice, 2x2 windows, stride 2 -> 2x2.
using slide = network<input<4, 4, 1>, max_pool<window<2>, stride<2>>>;
static_assert(output_shape<slide> == volume(2, 2, 1));
static_assert(param_count<slide> == 0);

// typenet's scalar reference kernels run in constant expressions, so the compiler can pool the
// slide's numbers too. Values are stored row by row (HWC: here one channel).
constexpr std::array<float, 16> depth_slice{1, 1, 2, 4,
                                            5, 6, 7, 8,
                                            3, 2, 1, 0,
                                            1, 2, 3, 4};
constexpr std::array<float, 0> no_parameters{};
constexpr std::array<float, 4> max_pooled = reference::evaluate<slide>(no_parameters, depth_slice);
static_assert(max_pooled == std::array<float, 4>{6, 8,
                                                 3, 4});

// Pooling acts on each depth slice independently: 224x224x64 -> 112x112x64.
static_assert(output_shape<network<input<224, 224, 64>, max_pool<window<2>, stride<2>>>> == volume(112, 112, 64));

// The common settings: F = 2, S = 2, and F = 3, S = 2 (overlapping windows, AlexNet's 55 -> 27).
static_assert(output_shape<network<input<32, 32, 10>, max_pool<window<2>, stride<2>>>> == volume(16, 16, 10));
static_assert(output_shape<network<input<55, 55, 96>, max_pool<window<3>, stride<2>>>> == volume(27, 27, 96));

// The stride defaults to the window, so window<2> alone is the 2x2 stride 2 pooling.
static_assert(output_shape<network<input<32, 32, 10>, max_pool<window<2>>>> == volume(16, 16, 10));

// Average pooling has the same shapes; only what a window computes differs.
using averaged = network<input<4, 4, 1>, avg_pool<window<2>>>;
static_assert(output_shape<averaged> == volume(2, 2, 1) && param_count<averaged> == 0);
static_assert(reference::evaluate<averaged>(no_parameters, depth_slice) == std::array<float, 4>{3.25f, 5.25f,
                                                                                                2.f, 2.f});

int main() {
  std::cout << "Step 5: the lecture's 4x4 slice, max pooled with 2x2 windows, stride 2:\n"
            << "  " << max_pooled[0] << ' ' << max_pooled[1] << '\n'
            << "  " << max_pooled[2] << ' ' << max_pooled[3] << "\n\n";
  summary<slide>(std::cout, "Step 5: the slide's pooling layer");
}
