// The layer contract from outside the library: a new layer kind in this one file runs through the model, the
// reference and the summary, and a new elementwise function is fused into the kernel before it.
#include "kernels/check.hpp"
#include "kinks.hpp"

#include "../examples/channel_affine.hpp"

#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {
using namespace typenet;

/// x^3, elementwise: a float/vector function is all it takes to run alone or fused.
struct cube_op {
  template <class V>
  constexpr V operator()(V x) const {
    return x * x * x;
  }
  template <class V>
  constexpr V derivative(V x, V) const {  // what training needs
    return V(3.f) * x * x;
  }
};
struct cube : tn::elementwise<cube> {
  static constexpr std::string_view kind = "cube";
  static constexpr cube_op fusion{};
};

using affine_net = network<input<6, 6, 5>, conv<filters<7>, kernel<3>, pad<1>>, channel_affine, relu,
                           max_pool<window<2>>, flatten, dense<units<4>>>;
static_assert(fits<affine_net>);
static_assert(param_count<affine_net, 2> == 14);
static_assert(mac_count<affine_net, 2> == 6 * 6 * 7);
// channel_affine has no kernel that takes an epilogue: the relu after it runs on its own.
static_assert(plan<affine_net>::steps[2] == step::run && plan<affine_net>::steps[3] == step::run);

using cube_net = network<input<5, 5, 3>, conv<filters<9>, kernel<3>>, cube, dense<units<6>>, cube>;
static_assert(plan<cube_net>::steps[2] == step::fused && plan<cube_net>::steps[4] == step::fused);

TEST_CASE("a layer kind defined outside the library runs through the model and the reference") {
  testing::check_against_reference<affine_net>();
  model<affine_net> m(he_normal{3});
  for (float s : m.parameter<2>("scale")) CHECK(s == 1.f);
  for (float s : m.parameter<2>("shift")) CHECK(s == 0.f);
  CHECK(m.parameter<2>("shift").data() == m.parameter<2>("scale").data() + 7);
  CHECK_THROWS_WITH_AS(m.parameter<2>("weight"), "typenet: layer 2 (channel_affine) has no tensor named \"weight\"",
                       std::invalid_argument);
  static_assert(model<affine_net>::tensors<2>[0].name == "scale");
  static_assert(model<affine_net>::tensors<1>[0].layout == "HWIO");
}

TEST_CASE("a user's elementwise function is fused into conv and dense kernels") {
  testing::check_against_reference<cube_net>(-0.5f, 0.5f);
}

TEST_CASE("the summary lists the user's layer with its parameters") {
  const std::string s = summary_string<affine_net>();
  CHECK(s.find("channel_affine") != std::string::npos);
  // conv 3*3*5*7 + 7 = 322, channel_affine 7 + 7 = 14, dense 3*3*7*4 + 4 = 256
  CHECK(s.find("total params: 592") != std::string::npos);
}

/// The double reference's gradient of the mean cross-entropy over samples x (reference::backward
/// sample by sample: the user's backward hooks run in it).
template <class Net>
std::vector<double> reference_gradient(const std::vector<double>& p, const std::vector<double>& x,
                                       const std::vector<int>& labels) {
  constexpr std::size_t in = facts<Net>.input.size(), k = facts<Net>.output.size();
  const std::size_t n = labels.size();
  std::vector<double> grad(p.size(), 0.0);
  for (std::size_t s = 0; s < n; ++s) {
    std::vector<double> xs(x.begin() + static_cast<std::ptrdiff_t>(s * in), x.begin() + static_cast<std::ptrdiff_t>((s + 1) * in)), z(k), gz(k);
    reference::forward<Net, double>(p.data(), xs.data(), z.data());
    double top = z[0], sum = 0;
    for (double v : z) top = std::max(top, v);
    for (double v : z) sum += std::exp(v - top);
    for (std::size_t c = 0; c < k; ++c)
      gz[c] = (std::exp(z[c] - top) / sum - (static_cast<int>(c) == labels[s] ? 1.0 : 0.0)) / static_cast<double>(n);
    reference::backward<Net, double>(p.data(), xs.data(), gz.data(), grad.data());
  }
  return grad;
}

/// Float sums against double: each element within `tolerance` of the gradient's largest magnitude (an
/// element-wise relative bound fails on small elements, which carry the float rounding of the large).
inline bool within(const std::vector<double>& expected, std::span<const float> got, double tolerance) {
  double largest = 0;
  for (double e : expected) largest = std::max(largest, std::abs(e));
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (!(std::abs(got[i] - expected[i]) <= tolerance * largest)) return false;
  return true;
}
}  // namespace

/// Trains Net one step (plain SGD, lr 0) on random data and compares its gradients with
/// reference::backward in double: the user's backward hooks run in both. The data is drawn again
/// while it sits on a kink of a relu or a max pool (tests/kinks.hpp).
template <class Net>
void check_training_gradients() {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  model<Net> m(he_normal{seed});
  constexpr std::size_t n = 5, in = facts<Net>.input.size(), k = facts<Net>.output.size();
  const std::vector<double> p(m.parameters().begin(), m.parameters().end());
  std::vector<float> x(n * in);
  std::vector<int> labels(n);
  auto gradient = [&](const std::vector<double>& pk, const std::vector<double>& xk) {
    return reference_gradient<Net>(pk, xk, labels);
  };
  auto close = [](const std::vector<double>& at, const std::vector<double>& moved) {
    return within(at, std::vector<float>(moved.begin(), moved.end()), 0.5e-4);
  };
  int draws = 0;
  do {
    REQUIRE_MESSAGE(++draws <= 5, "five draws of data in a row on a kink");
    testing::fill(x, g, -0.5f, 0.5f);
    for (int& l : labels) l = static_cast<int>(g() % k);
  } while (testing::near_kink(gradient, p, std::vector<double>(x.begin(), x.end()), close, g()));
  const std::vector<double> expected = gradient(p, std::vector<double>(x.begin(), x.end()));
  train::trainer<Net, train::cross_entropy, train::sgd> t(m, {.lr = 0}, {.batch = n});
  t.step(std::span<const float>(x), std::span<const int>(labels));
  CHECK(within(expected, t.gradients(), 1e-4));
}

TEST_CASE("the user's layers train: their backward hooks in the trainer and in the double reference") {
  static_assert(trainable<affine_net> && trainable<cube_net>);
  check_training_gradients<affine_net>();
  check_training_gradients<cube_net>();
  // channel_affine's own derivative against central differences, in double.
  using one = network<input<2, 3, 4>, channel_affine>;
  std::array<double, 8> p{1.5, -0.5, 0.25, 2, 0.1, -0.2, 0.3, 0.4};
  std::array<double, 24> x{}, r{};
  for (std::size_t i = 0; i < 24; ++i) x[i] = 0.1 * static_cast<double>(i) - 1, r[i] = std::cos(static_cast<double>(i));
  std::array<double, 8> gp{};
  std::array<double, 24> gx{};
  reference::backward<one, double>(p.data(), x.data(), r.data(), gp.data(), gx.data());
  auto loss = [&] {
    const auto y = reference::evaluate<one>(p, x);
    double l = 0;
    for (std::size_t i = 0; i < 24; ++i) l += y[i] * r[i];
    return l;
  };
  for (std::size_t i = 0; i < 8; ++i) {
    const double keep = p[i];
    p[i] = keep + 1e-6;
    const double up = loss();
    p[i] = keep - 1e-6;
    const double down = loss();
    p[i] = keep;
    CHECK(gp[i] == doctest::Approx((up - down) / 2e-6).epsilon(1e-6));
  }
  for (std::size_t i = 0; i < 24; ++i) CHECK(gx[i] == doctest::Approx(p[i % 4] * r[i]));
}
