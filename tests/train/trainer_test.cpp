// trainer: a step's loss and gradients against the double reference, determinism across threads, no allocation, misuse.
#include <typenet/models/lenet5.hpp>
#include <typenet/reference.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

#include "../allocations.hpp"
#include "../seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {
using namespace typenet;

using body = network<input<10, 10, 2>, conv<filters<4>, kernel<3>, pad<1>>, relu, max_pool<window<2>>,
                     conv<filters<6>, kernel<3>>, typenet::tanh, flatten, dense<units<5>>>;
using with_softmax = network<body, softmax>;

// The memory plan of a step, at compile time (docs/training.md quotes the LeNet-5 line).
static_assert(train_plan<models::lenet5>::slice == 16);
static_assert(train_plan<with_softmax>::block_of[0] == 0 && train_plan<with_softmax>::first_run == 1);

std::vector<float> random_floats(std::size_t n, std::mt19937_64& g, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(g);
  return v;
}

/// The mean cross-entropy of a batch and its gradient, in double: the logits from reference::forward<Logits>.
template <class Logits>
double reference_cross_entropy(const std::vector<double>& p, const std::vector<float>& x,
                               const std::vector<std::uint8_t>& labels, std::vector<double>& grad) {
  constexpr std::size_t in = facts<Logits>.input.size(), k = facts<Logits>.output.size();
  const std::size_t n = labels.size();
  grad.assign(p.size(), 0.0);
  double loss = 0;
  for (std::size_t s = 0; s < n; ++s) {
    std::vector<double> xs(x.begin() + s * in, x.begin() + (s + 1) * in), z(k), gz(k);
    reference::forward<Logits, double>(p.data(), xs.data(), z.data());
    double top = z[0], sum = 0;
    for (double v : z) top = std::max(top, v);
    for (double v : z) sum += std::exp(v - top);
    loss += std::log(sum) + top - z[labels[s]];
    for (std::size_t c = 0; c < k; ++c) gz[c] = (std::exp(z[c] - top) / sum - (c == labels[s])) / static_cast<double>(n);
    reference::backward<Logits, double>(p.data(), xs.data(), gz.data(), grad.data());
  }
  return loss / static_cast<double>(n);
}

template <class Net, class Logits = body>
void check_step_against_reference(std::size_t n) {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", batch " << n << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  model<Net> m(he_normal{seed});
  const std::vector<double> p(m.parameters().begin(), m.parameters().end());
  const std::vector<float> x = random_floats(n * facts<Net>.input.size(), g);
  std::vector<std::uint8_t> labels(n);
  for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 5);
  std::vector<double> expected;
  const double loss = reference_cross_entropy<Logits>(p, x, labels, expected);

  train::trainer<Net, train::cross_entropy, train::sgd> t(m, {.lr = 0.5}, {.batch = 64});
  const train::step_result r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  CHECK(r.samples == n);
  CHECK(r.loss == doctest::Approx(loss).epsilon(1e-5));
  std::size_t bad = 0;
  const auto grad = t.gradients();
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(std::abs(grad[i] - expected[i]) <= 1e-5 * std::max(1.0, std::abs(expected[i]))))
      if (bad++ < 5) FAIL_CHECK("gradient " << i << ": " << grad[i] << " vs " << expected[i]);
  CHECK(bad == 0);
  // SGD without momentum: p - 0.5 g.
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(std::abs(m.parameters()[i] - (p[i] - 0.5 * expected[i])) <= 1e-5 * std::max(1.0, std::abs(p[i]))))
      if (bad++ < 5) FAIL_CHECK("updated parameter " << i);
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("a step's loss, gradients and update match the double reference, with and without a final softmax") {
  for (std::size_t n : {1, 7, 11, 64}) {
    check_step_against_reference<body>(n);
    check_step_against_reference<with_softmax>(n);
  }
}

TEST_CASE("residual and concat networks: a step's loss, gradients and update match the double reference") {
  // A residual whose input is the network's input (read by the branch and the sum), one with a
  // projection shortcut, a relu after each sum, a concat of three branches.
  using graph = network<defaults<round_down>, input<9, 9, 3>,
                        residual<conv<filters<3>, kernel<3>, pad<1>>, relu, conv<filters<3>, kernel<3>, pad<1>>>, relu,
                        residual<conv<filters<8>, kernel<3>, stride<2>, pad<1>>, relu, conv<filters<8>, kernel<3>, pad<1>>,
                                 shortcut<conv<filters<8>, kernel<1>, stride<2>>>>,
                        relu,
                        concat<branch<conv<filters<2>, kernel<1>>, relu>, branch<conv<filters<3>, kernel<3>, pad<1>>>,
                               branch<max_pool<window<3>, stride<1>, pad<1>>>>,
                        global_avg_pool, flatten, dense<units<5>>>;
  static_assert(train_plan<graph>::gradients<train_plan<graph>::layers>.temp);  // the residuals' inputs add up
  for (std::size_t n : {1, 7, 20}) check_step_against_reference<graph, graph>(n);
}

TEST_CASE("mean squared error: the mean over every output, its gradient through a final sigmoid") {
  using net = network<input<6>, dense<units<4>>, sigmoid>;
  std::mt19937_64 g(testing::fresh_seed());
  model<net> m(glorot_uniform{3});
  const std::vector<double> p(m.parameters().begin(), m.parameters().end());
  const std::size_t n = 9;
  const std::vector<float> x = random_floats(n * 6, g), target = random_floats(n * 4, g, 0.f, 1.f);
  std::vector<double> expected(p.size(), 0.0);
  double loss = 0;
  for (std::size_t s = 0; s < n; ++s) {
    std::vector<double> xs(x.begin() + s * 6, x.begin() + s * 6 + 6), y(4), gy(4);
    reference::forward<net, double>(p.data(), xs.data(), y.data());
    for (std::size_t i = 0; i < 4; ++i) {
      const double d = y[i] - target[s * 4 + i];
      loss += d * d / (n * 4.0);
      gy[i] = 2 * d / (n * 4.0);
    }
    reference::backward<net, double>(p.data(), xs.data(), gy.data(), expected.data());
  }
  train::trainer<net, train::mean_squared_error, train::sgd> t(m, {.lr = 0.0}, {.batch = 16});
  const auto r = t.step(std::span<const float>(x), std::span<const float>(target));
  CHECK(r.loss == doctest::Approx(loss).epsilon(1e-5));
  for (std::size_t i = 0; i < p.size(); ++i) CHECK(t.gradients()[i] == doctest::Approx(expected[i]).epsilon(1e-5));
}

TEST_CASE("cross-entropy is finite for logits of +-1e4") {
  const float z[3] = {1e4f, -1e4f, 0.f};
  float grad[3];
  const float loss = train::cross_entropy::sample(z, 3, 1, grad, 1.f);
  CHECK(loss == doctest::Approx(2e4));
  CHECK(grad[0] == doctest::Approx(1.0));
  CHECK(grad[1] == doctest::Approx(-1.0));
  CHECK(grad[2] == doctest::Approx(0.0));
  CHECK(train::cross_entropy::sample(z, 3, 0, grad, 1.f) == 0.f);
}

TEST_CASE("training is deterministic: the same batches give bit-identical weights on 1 and on 2 threads") {
  std::mt19937_64 g(testing::fresh_seed());
  const std::size_t n = 50;
  const std::vector<float> x = random_floats(n * 200, g);
  std::vector<std::uint8_t> labels(n);
  for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 5);
  auto train_with = [&](std::size_t threads) {
    model<with_softmax> m(he_normal{7});
    train::trainer<with_softmax, train::cross_entropy, train::adam> t(m, {.lr = 0.01}, {.batch = 50, .threads = threads});
    for (int step = 0; step < 4; ++step) t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
    return std::vector<float>(m.parameters().begin(), m.parameters().end());
  };
  const std::vector<float> one = train_with(1), two = train_with(2);
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
}

TEST_CASE("a training step allocates nothing") {
  std::mt19937_64 g(testing::fresh_seed());
  model<with_softmax> m;
  train::trainer<with_softmax, train::cross_entropy, train::adamw> t(m, {}, {.batch = 32, .threads = 2});
  const std::vector<float> x = random_floats(32 * 200, g);
  const std::vector<std::uint8_t> labels(32, 3);
  t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));  // the pool's threads start
  const std::size_t before = testing::allocation_count();
  t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  t.step(std::span<const float>(x).first(7 * 200), std::span<const std::uint8_t>(labels).first(7));
  CHECK(testing::allocation_count() - before == 0);
}

TEST_CASE("misuse: a wrong label, size or batch is an error and changes nothing") {
  model<with_softmax> m;
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  train::trainer<with_softmax, train::cross_entropy, train::sgd> t(m, {.lr = 0.1, .momentum = 0.9}, {.batch = 4});
  std::vector<float> x(4 * 200, 0.5f);
  std::vector<int> labels = {0, 1, 5, 2};
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x), std::span<const int>(labels)),
                       doctest::Contains("sample 2 has label 5, but the network has 5 classes"), std::invalid_argument);
  labels[2] = -1;
  CHECK_THROWS_AS(t.step(std::span<const float>(x), std::span<const int>(labels)), std::invalid_argument);
  labels[2] = 4;
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x).first(799), std::span<const int>(labels)),
                       doctest::Contains("need an input of 800 floats, got 799"), std::invalid_argument);
  std::vector<float> big(5 * 200);
  std::vector<int> five(5, 0);
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(big), std::span<const int>(five)),
                       doctest::Contains("larger than this trainer's trainer_options::batch, 4"), std::invalid_argument);
  CHECK(std::vector<float>(m.parameters().begin(), m.parameters().end()) == before);
  CHECK_THROWS_AS((train::trainer<with_softmax, train::cross_entropy, train::sgd>(m, {.lr = -1})), std::invalid_argument);
  CHECK_THROWS_AS((train::trainer<with_softmax, train::cross_entropy, train::sgd>(m, {.lr = 0.1, .nesterov = true})),
                  std::invalid_argument);
}

TEST_CASE("NaN or infinity in a batch is an error, and the parameters are not updated") {
  model<with_softmax> m;
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  train::trainer<with_softmax, train::cross_entropy, train::adam> t(m, {.lr = 0.1}, {.batch = 20});
  std::vector<float> x(20 * 200, 0.25f);
  const std::vector<std::uint8_t> labels(20, 1);
  x[13 * 200 + 7] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels)),
                       doctest::Contains("the parameters were not updated"), std::domain_error);
  x[13 * 200 + 7] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels)), std::domain_error);
  CHECK(std::vector<float>(m.parameters().begin(), m.parameters().end()) == before);
  CHECK(t.optimizer_state().steps() == 0);
  x[13 * 200 + 7] = 0.25f;  // and the trainer goes on
  CHECK(std::isfinite(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels)).loss));
  CHECK(t.optimizer_state().steps() == 1);
}

TEST_CASE("a network learns: two separable classes, 100% after a few steps") {
  using net = network<input<4, 4, 1>, conv<filters<3>, kernel<3>>, relu, flatten, dense<units<2>>, softmax>;
  model<net> m(he_normal{5});
  train::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.1, .momentum = 0.9}, {.batch = 16});
  std::vector<float> x(16 * 16);
  std::vector<std::uint8_t> labels(16);
  std::mt19937_64 g(11);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (std::size_t s = 0; s < 16; ++s) {
    labels[s] = s % 2;
    for (std::size_t i = 0; i < 16; ++i) x[s * 16 + i] = u(g) * 0.2f + ((i % 4 < 2) == (s % 2 == 0) ? 0.8f : 0.f);
  }
  train::step_result r{};
  for (int step = 0; step < 40; ++step) r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  CHECK(r.correct == 16);
  CHECK(r.loss < 0.1);
}
