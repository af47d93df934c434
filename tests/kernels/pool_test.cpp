// The xsimd pooling kernels against the double reference: padding never wins a max, counts in an average
// only with count_padding.
#include "check.hpp"

#include <typenet/kernels/pool.hpp>

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

TEST_CASE("avg_pool with count_padding: windows divide by the padded positions they cover, not past them") {
  check_against_reference<network<input<8, 8, 19>, avg_pool<window<3>, stride<1>, pad<1>, count_padding>>>();
  check_against_reference<network<input<9, 8, 37>, avg_pool<window<3>, stride<2>, pad<1>, round_up, count_padding>>>();
  check_against_reference<network<input<7, 6, 16>, avg_pool<window<3, 2>, stride<2, 1>, pad<1, 0>, count_padding>>>();
  check_against_reference<
      network<input<6, 7, 5>, avg_pool<window<2>, pad_sides<1, 0, 0, 1>, round_up, count_padding>>>();
  check_against_reference<network<input<7, 7, 16>, avg_pool<window<2>, round_up, count_padding>>>();
  // Every window of a 2x2 input under a 3x3 window with pad 1 covers the four inputs and five padded zeros.
  model<network<input<2, 2, 1>, avg_pool<window<3>, stride<1>, pad<1>, count_padding>>> m;
  const auto y = m.forward({{1.f, 2.f, 3.f, 4.f}});
  for (const float v : y.values) CHECK(v == doctest::Approx(10.0 / 9.0).epsilon(1e-6));
}

/// kernels::pool_backward<G, Op> against reference::pool_backward in double on random x and gy,
/// the gradient poisoned with NaN first.
template <class Net>
void check_backward_against_reference() {
  using B = bound_at<Net, 1>;
  constexpr window2d G = B::layer::geometry::template window_on<B::input>;
  constexpr pool_op Op = B::layer::op;
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa() << ", " << B::layer::describe());
  std::mt19937_64 g(seed);
  std::vector<float> x(B::input.size()), gy(B::output.size()),
      gx(B::input.size(), std::numeric_limits<float>::quiet_NaN());
  testing::fill(x, g);
  testing::fill(gy, g);
  kernels::pool_backward<G, Op>(x.data(), gy.data(), gx.data());
  std::vector<double> xd(x.begin(), x.end()), gyd(gy.begin(), gy.end()), gxd(x.size());
  reference::pool_backward<G, Op, double>(xd.data(), gyd.data(), gxd.data());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < gx.size(); ++i)
    if (!(std::abs(gx[i] - gxd[i]) <= 1e-5))
      if (bad++ < 5) FAIL_CHECK("input gradient " << i << ": kernel " << gx[i] << ", reference " << gxd[i]);
  CHECK_MESSAGE(bad == 0, bad << " of " << gx.size() << " input gradients differ");
}

TEST_CASE("avg_pool backward kernel with and without count_padding = the double reference") {
  check_backward_against_reference<network<input<8, 8, 19>, avg_pool<window<3>, stride<1>, pad<1>, count_padding>>>();
  check_backward_against_reference<
      network<input<9, 8, 37>, avg_pool<window<3>, stride<2>, pad<1>, round_up, count_padding>>>();
  check_backward_against_reference<
      network<input<6, 7, 5>, avg_pool<window<2>, pad_sides<1, 0, 0, 1>, round_up, count_padding>>>();
  check_backward_against_reference<network<input<9, 8, 37>, avg_pool<window<3>, stride<2>, pad<1>, round_up>>>();
}
TEST_CASE("adaptive_avg_pool: windows from floor(o N / OH) to ceil((o + 1) N / OH), as PyTorch's") {
  // 1 x 5 -> 1 x 3: columns [0, 2), [1, 4), [3, 5) (PyTorch's AdaptiveAvgPool2d((1, 3)) on 1..5).
  model<network<input<1, 5, 1>, adaptive_avg_pool<output_size<1, 3>>>> m;
  const auto y = m.forward({{1.f, 2.f, 3.f, 4.f, 5.f}});
  CHECK(y[0] == 1.5f);
  CHECK(y[1] == 3.f);
  CHECK(y[2] == 4.5f);
  // Global: each channel's mean, channels kept apart.
  model<network<input<2, 2, 2>, global_avg_pool>> gap;
  const auto z = gap.forward({{1.f, 10.f, 2.f, 20.f, 3.f, 30.f, 6.f, 60.f}});
  CHECK(z.size() == 2);
  CHECK(z[0] == 3.f);
  CHECK(z[1] == 30.f);
}

TEST_CASE("adaptive_avg_pool against the double reference: global, shrinking, growing, channels around the SIMD width") {
  check_against_reference<network<input<7, 7, 512>, global_avg_pool>>();
  check_against_reference<network<input<13, 11, 19>, adaptive_avg_pool<output_size<4, 3>>>>();
  check_against_reference<network<input<3, 2, 5>, adaptive_avg_pool<output_size<7, 5>>>>();  // windows repeat
  check_against_reference<network<input<9, 9, 8>, conv<filters<16>, kernel<3>>, relu, global_avg_pool, flatten,
                                  dense<units<5>>>>();
}
}  // namespace
