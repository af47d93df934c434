// The xsimd activation kernels against the double reference: relu, relu6, leaky_relu, sigmoid, tanh, softmax.
#include "check.hpp"

namespace {
using namespace typenet;
using testing::check_against_reference;

TEST_CASE("activations on their own, lengths around the SIMD width") {
  check_against_reference<network<input<5, 5, 7>, relu>>(-4.f, 4.f);
  check_against_reference<network<input<5, 5, 7>, relu6>>(-9.f, 9.f);
  check_against_reference<network<input<5, 5, 7>, leaky_relu<slope<1, 10>>>>(-4.f, 4.f);
  check_against_reference<network<input<5, 5, 7>, sigmoid>>(-6.f, 6.f);
  check_against_reference<network<input<5, 5, 7>, typenet::tanh>>(-3.f, 3.f);
  check_against_reference<network<input<33>, sigmoid, typenet::tanh>>(-3.f, 3.f);
}

TEST_CASE("softmax over the depth at each position, and over a vector") {
  check_against_reference<network<input<3, 3, 10>, softmax>>(-5.f, 5.f);
  check_against_reference<network<input<1000>, softmax>>(-5.f, 5.f);
  model<network<input<3>, softmax>> m;
  const auto y = m.forward({{1.f, 1.f, 1.f}});
  CHECK(y[0] == doctest::Approx(1.0 / 3));
  CHECK(y[0] + y[1] + y[2] == doctest::Approx(1.0));
}

TEST_CASE("softmax normalises each position's channels on their own") {
  // Two positions of three channels; each softmax is over its own three values only.
  model<network<input<1, 2, 3>, softmax>> m;
  const auto y = m.forward({{0.f, 0.f, 0.f, 1.f, 2.f, 3.f}});
  for (std::size_t c = 0; c < 3; ++c) CHECK(y[c] == doctest::Approx(1.0 / 3));
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(y[3] == doctest::Approx(std::exp(1.0) / z));
  CHECK(y[4] == doctest::Approx(std::exp(2.0) / z));
  CHECK(y[5] == doctest::Approx(std::exp(3.0) / z));
  // Logits of 1e4 do not overflow: the maximum is subtracted first.
  model<network<input<2>, softmax>> big;
  const auto b = big.forward({{1e4f, 1e4f - 1.f}});
  CHECK(b[0] == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
}

TEST_CASE("an activation after a pooling layer runs on its own, not fused") {
  check_against_reference<network<input<8, 8, 16>, max_pool<window<2>>, relu>>();
  static_assert(plan<network<input<8, 8, 16>, max_pool<window<2>>, relu>>::steps[2] == step::run);
  static_assert(plan<network<input<8, 8, 16>, conv<filters<4>, kernel<1>>, relu>>::steps[2] == step::fused);
}
}  // namespace
