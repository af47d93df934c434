// The float backward kernels (each layer's backward_kernel, or backward<float>) against the double reference, on random data.
//
// Several samples at once, buffers poisoned past their ends with NaN where
// kernels may read (never use) them, partial vectors of channels and filters
// on every ISA. Tolerances scale with the same computation on magnitudes.
#include <typenet/reference.hpp>
#include <typenet/train/backprop.hpp>
#include <typenet/kernels/pool.hpp>
#include <typenet/typenet.hpp>

#include "../seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {
using namespace typenet;

/// Layer 1 of network<input<...>, L> (the layer under test) on `samples` samples.
template <class Net>
void check_backward_kernel(std::size_t samples = 3) {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  using B = bound_at<Net, 1>;
  constexpr std::size_t in = B::input.size(), out = B::output.size(), params = B::facts.params;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::size_t slack = simd::read_slack;
  std::vector<float> p(params + slack, 0.f), x(samples * in + slack, nan), y(samples * out + slack, nan),
      gy(samples * out + slack, nan), gx(samples * in + slack, nan), gp(params + slack, 0.f);
  for (std::size_t i = 0; i < params; ++i) p[i] = u(g);
  for (std::size_t i = 0; i < samples * in; ++i) x[i] = u(g);
  for (std::size_t i = 0; i < samples * out; ++i) gy[i] = u(g);
  std::vector<float> scratch(train_plan<Net>::scratch_floats + 16, nan);
  train::forward_layer<Net, 1>(p.data(), x.data(), y.data(), samples, scratch.data());
  for (std::size_t i = 0; i < params; ++i) gp[i] = 0.25f;  // the kernel adds to what is there
  train::backward_layer<Net, 1>(p.data(), x.data(), y.data(), gy.data(), gx.data(), gp.data(), samples,
                                scratch.data());

  std::vector<double> pd(p.begin(), p.begin() + params), gpd(params, 0.25), pa(params), gpa(params, 0.0);
  for (std::size_t i = 0; i < params; ++i) pa[i] = std::abs(pd[i]);
  std::size_t bad = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    std::vector<double> xd(x.begin() + s * in, x.begin() + (s + 1) * in), yd(out), gyd(gy.begin() + s * out,
                                                                                        gy.begin() + (s + 1) * out);
    std::vector<double> gxd(in), xa(in), gya(out), gxa(in);
    reference::forward<Net, double>(pd.data(), xd.data(), yd.data());
    B::layer::template backward<B::input, B::output, double>(pd.data(), xd.data(), yd.data(), gyd.data(), gxd.data(),
                                                             gpd.data());
    for (std::size_t i = 0; i < in; ++i) xa[i] = std::abs(xd[i]);
    for (std::size_t i = 0; i < out; ++i) gya[i] = std::abs(gyd[i]);
    B::layer::template backward<B::input, B::output, double>(pa.data(), xa.data(), yd.data(), gya.data(), gxa.data(),
                                                             gpa.data());
    for (std::size_t i = 0; i < in; ++i) {
      const double tol = 1e-5 * std::max(1.0, std::abs(gxa[i]));
      if (!(std::abs(gx[s * in + i] - gxd[i]) <= tol))
        if (bad++ < 5) FAIL_CHECK("sample " << s << " input gradient " << i << ": " << gx[s * in + i] << " vs " << gxd[i]);
    }
  }
  for (std::size_t i = 0; i < params; ++i) {
    const double tol = 1e-5 * std::max(1.0, std::abs(gpa[i]));
    if (!(std::abs(gp[i] - gpd[i]) <= tol))
      if (bad++ < 10) FAIL_CHECK("parameter gradient " << i << ": " << gp[i] << " vs " << gpd[i]);
  }
  CHECK(bad == 0);
}

template <class... L>
using net = network<L...>;

}  // namespace

TEST_CASE("conv backward kernel = the double reference (partial vectors of channels and filters)") {
  check_backward_kernel<net<input<28, 28, 1>, conv<filters<6>, kernel<5>>>>();   // LeNet-5's first
  check_backward_kernel<net<input<12, 12, 6>, conv<filters<16>, kernel<5>>>>();  // and second
  check_backward_kernel<net<input<9, 9, 3>, conv<filters<32>, kernel<3>, pad<1>>>>();
  check_backward_kernel<net<input<11, 9, 17>, conv<filters<19>, kernel<3, 2>, stride<2, 1>, pad<1, 0>, round_down>>>();
  check_backward_kernel<net<input<8, 8, 32>, conv<filters<64>, kernel<3>, pad<1>>>>(2);
  check_backward_kernel<net<input<6, 6, 40>, conv<filters<24>, kernel<3>, stride<2>, round_up>>>();
  check_backward_kernel<net<input<5, 5, 9>, conv<filters<3>, kernel<1>>>>(8);
  check_backward_kernel<net<input<6, 7, 2>, conv<filters<2>, kernel<3>, stride<2>, pad_sides<1, 0, 2, 1>, round_down>>>();
}

TEST_CASE("dense backward kernel = the double reference") {
  check_backward_kernel<net<input<50>, dense<units<10>>>>();
  check_backward_kernel<net<input<400>, dense<units<120>>>>(8);
  check_backward_kernel<net<input<37>, dense<units<129>>>>(5);
  check_backward_kernel<net<input<3, 3, 2>, dense<units<1>>>>(1);
}

TEST_CASE("pooling and activation backward = the double reference") {
  check_backward_kernel<net<input<8, 8, 6>, max_pool<window<2>>>>();
  check_backward_kernel<net<input<7, 7, 5>, max_pool<window<3>, stride<2>, pad<1>>>>();
  check_backward_kernel<net<input<7, 7, 5>, avg_pool<window<2>, round_up>>>();
  check_backward_kernel<net<input<5, 5, 7>, relu>>();
  check_backward_kernel<net<input<5, 5, 7>, leaky_relu<>>>();
  check_backward_kernel<net<input<5, 5, 7>, sigmoid>>();
  check_backward_kernel<net<input<5, 5, 7>, typenet::tanh>>();
  check_backward_kernel<net<input<13>, softmax>>();
}

TEST_CASE("no_bias, grouped, depthwise and adaptive pooling backward = the double reference") {
  check_backward_kernel<net<input<9, 9, 17>, conv<filters<19>, kernel<3>, pad<1>, no_bias>>>();
  check_backward_kernel<net<input<8, 8, 16>, conv<filters<16>, kernel<3>, pad<1>, depthwise>>>();
  check_backward_kernel<net<input<7, 7, 6>, conv<filters<12>, kernel<3>, stride<2>, groups<3>, no_bias>>>();
  check_backward_kernel<net<input<37>, dense<units<129>, no_bias>>>(5);
  check_backward_kernel<net<input<7, 6, 19>, adaptive_avg_pool<output_size<3, 4>>>>();
  check_backward_kernel<net<input<5, 5, 7>, relu6>>();
}

TEST_CASE("relu6's gradient is 0 at and outside [0, 6] and passes at NaN, as PyTorch's hardtanh_backward") {
  // x = [nan, -1, 0, 3, 6, 7]: torch relu6(x).backward(1) gives [1, 0, 0, 1, 0, 0] (torch 1.13).
  using N = net<input<6>, relu6>;
  using B = bound_at<N, 1>;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float x[6 + simd::read_slack] = {nan, -1, 0, 3, 6, 7};
  float y[6 + simd::read_slack] = {}, gx[6 + simd::read_slack] = {};
  const float gy[6 + simd::read_slack] = {1, 1, 1, 1, 1, 1};
  const float want[6] = {1, 0, 0, 1, 0, 0};
  train::forward_layer<N, 1>(nullptr, x, y, 1, nullptr);
  train::backward_layer<N, 1>(nullptr, x, y, gy, gx, nullptr, 1, nullptr);
  double xd[6], yd[6], gyd[6] = {1, 1, 1, 1, 1, 1}, gxd[6];
  for (std::size_t i = 0; i < 6; ++i) xd[i] = x[i];
  B::layer::template forward<B::input, B::output, double>(nullptr, xd, yd);
  B::layer::template backward<B::input, B::output, double>(nullptr, xd, yd, gyd, gxd, nullptr);
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(gx[i] == want[i]);
    CHECK(gxd[i] == want[i]);
  }
}

TEST_CASE("max pooling's gradient goes to the first maximum of a window with ties, as PyTorch's") {
  using N = net<input<2, 4, 1>, max_pool<window<2>>>;
  using B = bound_at<N, 1>;
  const float x[8] = {3, 3, 1, 2,  //
                      3, 1, 2, 2};
  const float y[2] = {3, 2}, gy[2] = {1, 5};
  float gx[8];
  B::layer::backward<B::input, B::output, float>(nullptr, x, y, gy, gx, nullptr);
  const float expected[8] = {1, 0, 0, 5, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) CHECK(gx[i] == expected[i]);
}

TEST_CASE("max pooling backward kernel: ties and NaN go where the reference sends them, exactly, on every ISA") {
  using N = net<input<9, 9, 37>, max_pool<window<3>, stride<2>, pad<1>, round_up>>;
  using B = bound_at<N, 1>;
  constexpr std::size_t in = B::input.size(), out = B::output.size();
  std::mt19937_64 g(testing::fresh_seed());
  std::vector<float> x(in), gy(out), y(out), gx(in), expected(in);
  for (float& v : x) {  // few distinct values: many ties; some NaN and infinities
    const auto r = g() % 40;
    v = r == 0 ? std::numeric_limits<float>::quiet_NaN() : r == 1 ? -std::numeric_limits<float>::infinity()
                                                                  : static_cast<float>(r % 4);
  }
  for (float& v : gy) v = static_cast<float>(g() % 1000) / 7.f;
  B::layer::backward<B::input, B::output, float>(nullptr, x.data(), y.data(), gy.data(), expected.data(), nullptr);
  kernels::pool_backward<B::layer::geometry::window_on<B::input>, pool_op::max>(x.data(), gy.data(), gx.data());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < in; ++i)
    if (gx[i] != expected[i] && bad++ < 5) FAIL_CHECK("input gradient " << i << ": " << gx[i] << " vs " << expected[i]);
  CHECK(bad == 0);
}
