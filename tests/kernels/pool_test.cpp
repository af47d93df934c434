// The xsimd pooling kernel against the double reference: padding never wins a max, never counts in an average.
#include "check.hpp"

namespace {
using namespace typenet;
using testing::check_against_reference;

TEST_CASE("max_pool: 2x2 stride 2 and 3x3 stride 2, channel counts around the SIMD width") {
  check_against_reference<network<input<32, 32, 64>, max_pool<window<2>>>>();
  check_against_reference<network<input<55, 55, 96>, max_pool<window<3>, stride<2>>>>();
  check_against_reference<network<input<8, 8, 17>, max_pool<window<2>>>>();
  check_against_reference<network<input<9, 9, 3>, max_pool<window<3>>>>();
  check_against_reference<network<input<7, 7, 33>, max_pool<window<3>, stride<2>, round_up>>>();
}

TEST_CASE("max_pool: on all-negative input with padding, padding never wins") {
  // Every input in [-2, -1): a padded zero would win if padding were 0.
  check_against_reference<network<input<8, 8, 19>, max_pool<window<3>, stride<2>, pad<1>, round_down>>>(-2.f, -1.f);
  check_against_reference<network<input<6, 6, 16>, max_pool<window<2>, stride<1>, pad<1>>>>(-2.f, -1.f);
  model<network<input<2, 2, 1>, max_pool<window<2>, stride<1>, pad<1>>>> m;
  const auto y = m.forward({{-4.f, -3.f, -2.f, -1.f}});
  CHECK(y.values == std::array<float, 9>{-4, -3, -3, -2, -1, -1, -2, -1, -1});
}

TEST_CASE("avg_pool: windows that reach into padding divide by the input they cover") {
  check_against_reference<network<input<8, 8, 19>, avg_pool<window<3>, stride<1>, pad<1>>>>();
  check_against_reference<network<input<7, 7, 16>, avg_pool<window<2>, round_up>>>();
  check_against_reference<network<input<32, 32, 64>, avg_pool<window<2>>>>();
  model<network<input<2, 2, 1>, avg_pool<window<3>, stride<1>, pad<1>>>> m;
  const auto y = m.forward({{1.f, 2.f, 3.f, 4.f}});
  CHECK(y.values == std::array<float, 4>{2.5f, 2.5f, 2.5f, 2.5f});  // every window covers all four inputs
}
}  // namespace
