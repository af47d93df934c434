// NaN and infinity through every kernel: the SIMD kernels, the reference and PyTorch agree on where they go.
#include "check.hpp"

#include <cmath>
#include <limits>

namespace {
using namespace typenet;
constexpr float nan = std::numeric_limits<float>::quiet_NaN();
constexpr float inf = std::numeric_limits<float>::infinity();

/// Net on random data with NaN, +inf and -inf planted at a few inputs: NaN
/// where the double reference has NaN, the same infinities, the finite
/// outputs within rounding.
template <class Net>
void check_special_values() {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  static model<Net> m;
  testing::fill(m.parameters(), g);
  std::vector<float> x(facts<Net>.input.size()), y(facts<Net>.output.size());
  testing::fill(x, g);
  const float planted[] = {nan, inf, -inf};
  for (std::size_t i = 0; i < 3 && i < x.size(); ++i) x[(i * 7 + 3) % x.size()] = planted[i];
  m.forward(std::span<const float>(x), std::span<float>(y));
  std::vector<double> p(m.parameters().begin(), m.parameters().end()), xd(x.begin(), x.end()), r(y.size());
  reference::forward<Net, double>(p.data(), xd.data(), r.data());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const bool same = std::isnan(r[i])   ? std::isnan(y[i])
                      : std::isinf(r[i]) ? static_cast<double>(y[i]) == r[i]
                                         : std::abs(static_cast<double>(y[i]) - r[i]) <= 1e-4 * std::max(1.0, std::abs(r[i]));
    if (!same && bad++ < 5) FAIL_CHECK("output " << i << ": typenet " << y[i] << ", reference " << r[i]);
  }
  CHECK(bad == 0);
}

TEST_CASE("NaN and infinities through every kernel agree with the reference") {
  check_special_values<network<input<6, 6, 35>, max_pool<window<2>>>>();
  check_special_values<network<input<6, 6, 35>, max_pool<window<3>, stride<1>, pad<1>>>>();
  check_special_values<network<input<6, 6, 35>, avg_pool<window<2>>>>();
  check_special_values<network<input<6, 6, 5>, conv<filters<35>, kernel<3>, pad<1>>>>();
  check_special_values<network<input<6, 6, 5>, conv<filters<35>, kernel<3>, pad<1>>, relu>>();
  // A layer conv runs with Winograd's F(2x2, 3x3) on every ISA (kernels::uses_winograd).
  check_special_values<network<input<16, 16, 32>, conv<filters<32>, kernel<3>, pad<1>>>>();
  check_special_values<network<input<37>, dense<units<35>>, leaky_relu<>>>();
  check_special_values<network<input<37>, relu>>();
  check_special_values<network<input<37>, leaky_relu<>>>();
  check_special_values<network<input<37>, sigmoid>>();
  check_special_values<network<input<37>, typenet::tanh>>();
  check_special_values<network<input<2, 2, 9>, softmax>>();
}

TEST_CASE("max pooling propagates NaN wherever it is in the window, as PyTorch does") {
  // One 2x2 window per output, 35 channels (SIMD vectors and a scalar tail); the NaN visits each position.
  using net = network<input<2, 2, 35>, max_pool<window<2>>>;
  model<net> m;
  for (std::size_t pos = 0; pos < 4; ++pos) {
    model<net>::input_tensor x;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 4.f;
    for (std::size_t c = 0; c < 35; ++c) x[pos * 35 + c] = nan;
    const auto y = m.forward(x);
    for (std::size_t c = 0; c < 35; ++c) CHECK_MESSAGE(std::isnan(y[c]), "NaN at window position " << pos);
  }
  // PyTorch: max_pool2d over [[4, 4, nan, 4]] with window (1, 2), stride 1... here as four 1x2 windows of one row.
  using row = network<input<1, 5, 1>, max_pool<window<1, 2>, stride<1>>>;
  model<row> r;
  const auto y = r.forward({{4.f, nan, 3.f, 2.f, 4.f}});
  CHECK(std::isnan(y[0]));
  CHECK(std::isnan(y[1]));
  CHECK(y[2] == 3.f);
  CHECK(y[3] == 4.f);
}

TEST_CASE("relu and leaky_relu keep NaN, alone and fused, as PyTorch does") {
  model<network<input<4>, relu>> alone;
  const auto a = alone.forward({{nan, -inf, inf, -1.f}});
  CHECK(std::isnan(a[0]));
  CHECK(a[1] == 0.f);
  CHECK(a[2] == inf);
  CHECK(a[3] == 0.f);
  model<network<input<4>, leaky_relu<slope<1, 10>>>> leaky;
  const auto l = leaky.forward({{nan, -inf, inf, -1.f}});
  CHECK(std::isnan(l[0]));
  CHECK(l[1] == -inf);
  CHECK(l[3] == doctest::Approx(-0.1f));
  // Fused into a dense layer: a NaN bias (an input NaN would reach every unit) meets the relu in the epilogue.
  using fused = network<input<3>, dense<units<3>>, relu>;
  static_assert(plan<fused>::steps[2] == step::fused);
  model<fused> f;
  std::fill(f.parameters().begin(), f.parameters().end(), 0.f);
  for (std::size_t i = 0; i < 3; ++i) f.weights<1>()[i * 3 + i] = 1.f;
  f.biases<1>()[0] = nan;
  const auto y = f.forward({{1.f, -2.f, 2.f}});
  CHECK(std::isnan(y[0]));
  CHECK(y[1] == 0.f);
  CHECK(y[2] == 2.f);
}

TEST_CASE("relu6 keeps NaN and clamps the infinities, alone and fused, as PyTorch's nn.ReLU6") {
  // torch.nn.functional.relu6([nan, -inf, inf, -1, 3, 7]) = [nan, 0, 6, 0, 3, 6] (torch 1.13).
  model<network<input<6>, relu6>> alone;
  const auto a = alone.forward({{nan, -inf, inf, -1.f, 3.f, 7.f}});
  CHECK(std::isnan(a[0]));
  CHECK(a[1] == 0.f);
  CHECK(a[2] == 6.f);
  CHECK(a[3] == 0.f);
  CHECK(a[4] == 3.f);
  CHECK(a[5] == 6.f);
  using fused = network<input<3>, dense<units<3>, no_bias>, relu6>;
  static_assert(plan<fused>::steps[2] == step::fused);
  model<fused> f;
  std::fill(f.parameters().begin(), f.parameters().end(), 0.f);
  for (std::size_t i = 0; i < 3; ++i) f.weights<1>()[i * 3 + i] = 1.f;
  f.weights<1>()[0] = nan;  // a NaN weight reaches unit 0 only (an input NaN would reach every unit)
  const auto y = f.forward({{1.f, -2.f, 9.f}});
  CHECK(std::isnan(y[0]));
  CHECK(y[1] == 0.f);
  CHECK(y[2] == 6.f);
}

TEST_CASE("sigmoid and tanh at the infinities") {
  model<network<input<2>, sigmoid>> s;
  const auto ys = s.forward({{-inf, inf}});
  CHECK(ys[0] == 0.f);
  CHECK(ys[1] == 1.f);
  model<network<input<2>, typenet::tanh>> t;
  const auto yt = t.forward({{-inf, inf}});
  CHECK(yt[0] == -1.f);
  CHECK(yt[1] == 1.f);
}
}  // namespace
