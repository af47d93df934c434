// Finite-difference gradient checks in double: every layer kind and option's backward hook, and whole networks.
//
// The loss is L = sum_i r_i y_i with random r, so dL/dy = r. Each analytic
// gradient (reference::backward, which calls the layers' backward<double>)
// is compared with (L(v + h) - L(v - h)) / 2h for every parameter and every
// input value. Inputs are kept away from ReLU's kink and pooling windows from
// ties: values are a shuffled grid 0.02 apart, far wider than h.
#include <typenet/reference.hpp>
#include <typenet/typenet.hpp>

#include "../seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {
using namespace typenet;

/// n distinct values, a grid 0.02 apart shuffled, within about [-1, 1], none within 0.01 of 0.
std::vector<double> spaced_values(std::size_t n, std::mt19937_64& g) {
  std::vector<double> v(n);
  std::uniform_real_distribution<double> jitter(-0.004, 0.004);
  for (std::size_t i = 0; i < n; ++i) {
    double x = -1.0 + 2.0 * (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    x = std::copysign(std::max(std::abs(x), 0.011), x);  // away from 0
    v[i] = x + jitter(g) * 2.0 / static_cast<double>(std::max<std::size_t>(n, 100));
  }
  std::shuffle(v.begin(), v.end(), g);
  return v;
}

/// L on a batch of n samples in training mode (batch_norm's batch statistics; dropout's mask, the
/// same on every call for one context).
template <class Net>
double loss(const std::vector<double>& p, const std::vector<double>& x, const std::vector<double>& r, std::size_t n,
            const training_context& c) {
  std::vector<double> y(n * facts<Net>.output.size());
  reference::train_forward<Net, double>(p.data(), x.data(), n, y.data(), c);
  return std::inner_product(y.begin(), y.end(), r.begin(), 0.0);
}

/// Checks reference::backward_batch<Net> on n samples against central differences; seed fixed for
/// whole networks.
template <class Net>
void check_gradients(std::uint64_t seed = testing::fresh_seed(), std::size_t n = 1) {
  INFO("seed " << seed << ", batch " << n);
  std::mt19937_64 g(seed);
  constexpr auto& f = facts<Net>;
  std::uniform_real_distribution<double> u(-1, 1);
  const training_context c{.seed = seed, .step = 3};
  std::vector<double> p(f.params + f.buffers), x = spaced_values(n * f.input.size(), g), r(n * f.output.size());
  for (double& v : p) v = u(g) * 0.5;
  for (double& v : r) v = u(g);
  std::vector<double> gp(p.size(), 0.0), gx(x.size(), 0.0);
  reference::backward_batch<Net, double>(p.data(), x.data(), n, r.data(), gp.data(), gx.data(), c);

  const double h = 1e-6;
  auto check = [&](std::vector<double>& v, const std::vector<double>& analytic, const std::string& what) {
    std::size_t bad = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double keep = v[i];
      v[i] = keep + h;
      const double up = loss<Net>(p, x, r, n, c);
      v[i] = keep - h;
      const double down = loss<Net>(p, x, r, n, c);
      v[i] = keep;
      const double numeric = (up - down) / (2 * h);
      if (!(std::abs(numeric - analytic[i]) <= 1e-6 * std::max(1.0, std::abs(numeric))))
        if (bad++ < 5) FAIL_CHECK(what << " " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
    }
    CHECK_MESSAGE(bad == 0, bad << " of " << v.size() << " " << what << " gradients differ");
  };
  check(p, gp, "parameter");
  check(x, gx, "input");
}

template <class... Layers>
using after = network<Layers...>;

}  // namespace

TEST_CASE("gradient check: convolution, every padding, stride, window shape and rounding") {
  check_gradients<after<input<5, 5, 3>, conv<filters<4>, kernel<3>, pad<1>>>>();
  check_gradients<after<input<5, 5, 2>, conv<filters<3>, kernel<3, 2>, stride<2, 1>, pad<1, 0>>>>();
  check_gradients<after<input<6, 7, 2>, conv<filters<2>, kernel<3>, stride<2>, pad_sides<1, 0, 2, 1>, round_down>>>();
  check_gradients<after<input<6, 6, 1>, conv<filters<5>, kernel<3>, stride<2>, round_up>>>();
  check_gradients<after<input<4, 4, 3>, conv<filters<2>, kernel<5>, pad_same>>>();
  check_gradients<after<input<7, 7, 17>, conv<filters<19>, kernel<1>>>>();
}

TEST_CASE("gradient check: max pooling routes the gradient to the maximum, every option") {
  check_gradients<after<input<4, 4, 3>, max_pool<window<2>>>>();
  check_gradients<after<input<5, 5, 2>, max_pool<window<3>, stride<2>, pad<1>>>>();
  check_gradients<after<input<5, 5, 2>, max_pool<window<2>, round_up>>>();
  check_gradients<after<input<6, 5, 2>, max_pool<window<3, 2>, stride<1, 2>, pad<1, 0>, round_down>>>();
}

TEST_CASE("gradient check: average pooling, every option") {
  check_gradients<after<input<4, 4, 3>, avg_pool<window<2>>>>();
  check_gradients<after<input<5, 5, 2>, avg_pool<window<3>, stride<2>, pad<1>>>>();
  check_gradients<after<input<5, 5, 2>, avg_pool<window<2>, round_up>>>();
  check_gradients<after<input<6, 5, 2>, avg_pool<window<3, 2>, stride<1, 2>, pad<1, 0>, round_down>>>();
  check_gradients<after<input<5, 5, 2>, avg_pool<window<3>, stride<2>, pad<1>, count_padding>>>();
  check_gradients<after<input<6, 5, 2>, avg_pool<window<3>, stride<2>, pad<1>, round_up, count_padding>>>();
}

TEST_CASE("gradient check: dense on a vector and on a volume, flatten") {
  check_gradients<after<input<12>, dense<units<7>>>>();
  check_gradients<after<input<3, 2, 2>, dense<units<5>>>>();
  check_gradients<after<input<3, 2, 2>, flatten, dense<units<3>>>>();
}

TEST_CASE("gradient check: every activation, softmax over a vector and over a volume's depth") {
  check_gradients<after<input<3, 3, 4>, relu>>();
  check_gradients<after<input<3, 3, 4>, leaky_relu<>>>();
  check_gradients<after<input<3, 3, 4>, leaky_relu<slope<1, 5>>>>();
  check_gradients<after<input<3, 3, 4>, sigmoid>>();
  check_gradients<after<input<3, 3, 4>, typenet::tanh>>();
  check_gradients<after<input<10>, softmax>>();
  check_gradients<after<input<2, 2, 5>, softmax>>();
}

TEST_CASE("gradient check: beyond the lecture: no_bias, grouped and depthwise convolution, adaptive pooling, relu6") {
  check_gradients<after<input<5, 5, 3>, conv<filters<4>, kernel<3>, pad<1>, no_bias>>>();
  check_gradients<after<input<12>, dense<units<7>, no_bias>>>();
  check_gradients<after<input<5, 5, 6>, conv<filters<4>, kernel<3>, pad<1>, groups<2>>>>();
  check_gradients<after<input<5, 6, 4>, conv<filters<4>, kernel<3>, stride<2>, pad<1>, depthwise, round_down>>>();
  check_gradients<after<input<4, 4, 3>, conv<filters<6>, kernel<2>, depthwise, no_bias>>>();  // 2 filters a channel
  check_gradients<after<input<5, 7, 3>, adaptive_avg_pool<output_size<3, 2>>>>();
  check_gradients<after<input<3, 3, 4>, global_avg_pool>>();
  check_gradients<after<input<3, 3, 4>, relu6>>();  // below 6 here; the clamp's gradient: backward_kernel_test
}

TEST_CASE("gradient check: residual blocks (identity and projection shortcuts) and concat, gradients summed where paths meet") {
  using identity_block = after<input<4, 4, 3>, residual<conv<filters<3>, kernel<3>, pad<1>>, typenet::tanh>, sigmoid>;
  check_gradients<identity_block>(21);
  using projection = after<input<5, 5, 2>, residual<conv<filters<4>, kernel<3>, stride<2>, pad<1>>, typenet::tanh,
                                                   shortcut<conv<filters<4>, kernel<1>, stride<2>>>>>;
  check_gradients<projection>(22);
  using branches = after<input<4, 4, 3>, conv<filters<2>, kernel<1>>,
                         concat<branch<conv<filters<2>, kernel<1>>, sigmoid>, branch<conv<filters<3>, kernel<3>, pad<1>>>,
                                branch<avg_pool<window<3>, stride<1>, pad<1>>>>,
                         global_avg_pool, flatten, dense<units<3>>>;
  check_gradients<branches>(23);
  using nested = after<input<6>, residual<dense<units<6>>, residual<dense<units<6>>, typenet::tanh>>, sigmoid>;
  check_gradients<nested>(24);
}

TEST_CASE("gradient check: whole networks (fixed seeds: random weights may put a ReLU input near its kink)") {
  using small = network<input<10, 10, 2>, conv<filters<4>, kernel<3>, pad<1>>, relu, max_pool<window<2>>,
                        conv<filters<6>, kernel<3>>, typenet::tanh, avg_pool<window<3>, stride<1>>, flatten,
                        dense<units<8>>, sigmoid, dense<units<5>>, softmax>;
  check_gradients<small>(1);
  check_gradients<small>(2);
  using lenet_like = network<input<12, 12, 1>, conv<filters<3>, kernel<5>>, leaky_relu<>, max_pool<window<2>>,
                             dense<units<6>>, relu, dense<units<4>>>;
  check_gradients<lenet_like>(3);
}

TEST_CASE("gradient check: batch_norm in training mode, the batch's statistics over samples and positions") {
  // Every value's gradient reaches every other's through the batch mean and variance.
  check_gradients<after<input<3, 3, 4>, batch_norm<>>>(testing::fresh_seed(), 3);
  check_gradients<after<input<5>, batch_norm<>, typenet::tanh>>(testing::fresh_seed(), 4);
  check_gradients<after<input<1, 1, 3>, batch_norm<>, sigmoid>>(testing::fresh_seed(), 2);  // two values a channel
  using block = after<input<4, 4, 2>, residual<conv<filters<2>, kernel<3>, pad<1>, no_bias>, batch_norm<>,
                                               typenet::tanh, conv<filters<2>, kernel<1>, no_bias>, batch_norm<>>,
                      sigmoid, global_avg_pool, flatten, dense<units<3>>>;
  check_gradients<block>(34, 3);
}

TEST_CASE("gradient check: dropout in training mode, its mask fixed by the seed and the step") {
  check_gradients<after<input<3, 3, 4>, dropout<percent<30>>, sigmoid>>(testing::fresh_seed(), 2);
  check_gradients<after<input<6>, dense<units<8>>, dropout<>, typenet::tanh, dense<units<3>>>>(testing::fresh_seed(), 3);
}
