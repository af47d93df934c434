// reference::evaluate in constant expressions: the lecture's max-pooling slide and a small convolution.
#include <typenet/typenet.hpp>

#include <doctest/doctest.h>

#include <array>

namespace {
namespace tn = typenet;

// The lecture's slide: one 4x4 depth slice, 2x2 max pooling with stride 2.
using slide = tn::network<tn::input<4, 4, 1>, tn::max_pool<tn::window<2>, tn::stride<2>>>;
constexpr std::array<float, 16> slice{1, 1, 2, 4,  //
                                      5, 6, 7, 8,  //
                                      3, 2, 1, 0,  //
                                      1, 2, 3, 4};
static_assert(tn::reference::evaluate<slide>(slice) == std::array<float, 4>{6, 8, 3, 4});

// A 2x2 convolution with known weights on a 3x3 input, two filters, then relu:
// filter 0 = [1 0; 0 -1] (a diagonal difference, always -4 here: relu gives 0),
// filter 1 = [1 1; 1 1] with bias 1 (a window sum plus one).
using small_conv = tn::network<tn::input<3, 3, 1>, tn::conv<tn::filters<2>, tn::kernel<2>>, tn::relu>;
constexpr std::array<int, 10> weights{// HWIO: (kh, kw, c, k), k fastest
                                      1, 1, 0, 1, 0, 1, -1, 1,
                                      // biases
                                      0, 1};
constexpr std::array<int, 9> image{1, 2, 3,  //
                                   4, 5, 6,  //
                                   7, 8, 9};
static_assert(tn::reference::evaluate<small_conv>(weights, image) ==
              std::array<int, 8>{0, 13, 0, 17, 0, 25, 0, 29});

// Average pooling that reaches into padding divides by the covered inputs only.
using padded_avg = tn::network<tn::input<2, 2, 1>, tn::avg_pool<tn::window<2>, tn::stride<1>, tn::pad<1>>>;
static_assert(tn::reference::evaluate<padded_avg>(std::array<double, 4>{1, 2, 3, 4}) ==
              std::array<double, 9>{1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});

TEST_CASE("the reference evaluates at run time what it evaluates at compile time") {
  CHECK(tn::reference::evaluate<slide>(std::array<float, 0>{}, slice) == std::array<float, 4>{6, 8, 3, 4});
}
}  // namespace
