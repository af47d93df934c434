// trainer: a step's loss and gradients against the double reference, determinism across threads, no allocation, misuse.
#include <typenet/models/lenet5.hpp>
#include <typenet/reference.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

#include "../allocations.hpp"
#include "../kinks.hpp"
#include "../seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
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

/// batch_norm (in training mode, the batch's statistics) and dropout.
using bn_dropout = network<input<6, 6, 2>, conv<filters<3>, kernel<3>, no_bias>, batch_norm<>, relu,
                           dropout<percent<30>>, flatten, dense<units<5>>, softmax>;

// The memory plan of a step, at compile time (docs/training.md quotes the LeNet-5 line).
static_assert(train_plan<models::lenet5>::slice == 16);
static_assert(train_plan<with_softmax>::block_of[0] == 0);

std::vector<float> random_floats(std::size_t n, std::mt19937_64& g, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(g);
  return v;
}

/// The mean cross-entropy of a batch and its gradient, in double, in training mode: the logits
/// from reference::train_forward<Logits> on the whole batch.
template <class Logits>
double reference_cross_entropy(const std::vector<double>& p, const std::vector<double>& xd,
                               const std::vector<std::uint8_t>& labels, std::vector<double>& grad) {
  constexpr std::size_t k = facts<Logits>.output.size();
  const std::size_t n = labels.size();
  grad.assign(p.size(), 0.0);
  std::vector<double> z(n * k), gz(n * k);
  reference::train_forward<Logits, double>(p.data(), xd.data(), n, z.data());
  double loss = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const double* zs = z.data() + s * k;
    double top = zs[0], sum = 0;
    for (std::size_t c = 0; c < k; ++c) top = std::max(top, zs[c]);
    for (std::size_t c = 0; c < k; ++c) sum += std::exp(zs[c] - top);
    loss += std::log(sum) + top - zs[labels[s]];
    for (std::size_t c = 0; c < k; ++c)
      gz[s * k + c] = (std::exp(zs[c] - top) / sum - (c == labels[s])) / static_cast<double>(n);
  }
  reference::backward_batch<Logits, double>(p.data(), xd.data(), n, gz.data(), grad.data());
  return loss / static_cast<double>(n);
}

/// Parameter i is a buffer (not learned).
template <class Net>
bool running_statistic(std::size_t i) {
  for (const auto& r : train_plan<Net>::learned)
    if (i >= r.first && i < r.last) return false;
  return true;
}

/// Whether a step on this data and these labels is well posed: no relu input and no tie of a
/// pooling window within rounding of a kink (tests/kinks.hpp), where float and double may rightly
/// send a gradient different ways.
template <class Net, class Logits>
bool on_a_kink(const std::vector<double>& p, const std::vector<float>& x, const std::vector<std::uint8_t>& labels,
               double tolerance, std::uint64_t seed) {
  auto gradient = [&](const std::vector<double>& pk, const std::vector<double>& xk) {
    std::vector<double> grad;
    reference_cross_entropy<Logits>(pk, xk, labels, grad);
    return grad;
  };
  // Half the comparison's tolerance: a smooth gradient moves far less than that by 2^-22.
  auto close = [&](const std::vector<double>& at, const std::vector<double>& moved) {
    for (std::size_t i = 0; i < at.size(); ++i)
      if (!running_statistic<Net>(i) && !(std::abs(at[i] - moved[i]) <= tolerance / 2 * std::max(1.0, std::abs(at[i]))))
        return false;
    return true;
  };
  return testing::near_kink(gradient, p, std::vector<double>(x.begin(), x.end()), close, seed);
}

template <class Net, class Logits = body>
void check_step_against_reference(std::size_t n, double tolerance = 1e-5) {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", batch " << n << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  model<Net> m(he_normal{seed});
  const std::vector<double> p(m.parameters().begin(), m.parameters().end());
  // Random data, drawn again while it sits on a kink (9 of 200 seeds redrew once in this file).
  std::vector<float> x;
  std::vector<std::uint8_t> labels(n);
  int draws = 0;
  do {
    REQUIRE_MESSAGE(++draws <= 5, "five draws of data in a row on a kink");
    x = random_floats(n * facts<Net>.input.size(), g);
    for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 5);
  } while (on_a_kink<Net, Logits>(p, x, labels, tolerance, g()));
  std::vector<double> expected;
  const double loss = reference_cross_entropy<Logits>(p, std::vector<double>(x.begin(), x.end()), labels, expected);

  train::trainer<Net, train::cross_entropy, train::sgd> t(m, {.lr = 0.5}, {.batch = 64});
  const train::step_result r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  CHECK(r.samples == n);
  CHECK(r.loss == doctest::Approx(loss).epsilon(1e-5));
  std::size_t bad = 0;
  const auto grad = t.gradients();
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(std::abs(grad[i] - expected[i]) <= tolerance * std::max(1.0, std::abs(expected[i]))))
      if (bad++ < 5) FAIL_CHECK("gradient " << i << ": " << grad[i] << " vs " << expected[i]);
  CHECK(bad == 0);
  // SGD without momentum: p - 0.5 g (the buffers, batch_norm's running statistics: their own test).
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!running_statistic<Net>(i) &&
        !(std::abs(m.parameters()[i] - (p[i] - 0.5 * expected[i])) <= tolerance * std::max(1.0, std::abs(p[i]))))
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

TEST_CASE("data on a tie of a max-pooling window is seen as on a kink and drawn again") {
  // Seed 18395233542723315899's first draw for a batch of 7: sample 4's first channel has two
  // maxima 2e-8 apart in one window (0.501557575 and 0.501557558 in double, the other way round
  // in float); the trainer, in float, rightly sent the gradient to the other one. The draw after is fine.
  constexpr std::uint64_t seed = 18395233542723315899u;
  std::mt19937_64 g(seed);
  model<body> m(he_normal{seed});
  const std::vector<double> p(m.parameters().begin(), m.parameters().end());
  std::vector<std::uint8_t> labels(7);
  std::vector<float> x = random_floats(7 * 200, g);
  for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 5);
  CHECK(on_a_kink<body, body>(p, x, labels, 1e-5, 1));
  x = random_floats(7 * 200, g);
  for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 5);
  CHECK_FALSE(on_a_kink<body, body>(p, x, labels, 1e-5, 1));
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

TEST_CASE("batch_norm trains on the batch's statistics, gathered across slices; the running statistics follow") {
  // Batches of 2 to 40 samples: one slice, and up to three (train_plan's slice is 16 here).
  using bn = network<input<6, 6, 3>, batch_norm<>, relu, conv<filters<4>, kernel<3>, no_bias>, batch_norm<>, relu,
                     residual<conv<filters<4>, kernel<3>, pad<1>, no_bias>, batch_norm<>>, relu, global_avg_pool,
                     flatten, dense<units<5>>, batch_norm<>>;
  static_assert(train_plan<bn>::gathering == 4 && train_plan<bn>::slice == 16);
  static_assert(train_plan<bn>::learned.size() == 4);  // the running statistics of each batch_norm are skipped
  // float's rounding grows through each batch_norm's backward pass (dy - mean(dy) - x-hat mean(dy
  // x-hat) cancels), most in small batches: 2e-5 is seen at 3 samples; a wrong sum is off by O(1).
  for (std::size_t n : {3, 7, 16, 17, 40}) check_step_against_reference<bn, bn>(n, 1e-4);

  // The first batch_norm reads the input: its running statistics after one step, from the batch's.
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  const std::size_t n = 37, positions = 36;
  const std::vector<float> x = random_floats(n * 108, g, -1.f, 3.f);
  std::vector<std::uint8_t> labels(n);
  for (auto& l : labels) l = static_cast<std::uint8_t>(g() % 5);
  model<bn> m(he_normal{seed});
  train::trainer<bn, train::cross_entropy, train::sgd> t(m, {.lr = 0.1, .weight_decay = 0.5}, {.batch = 64});
  t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  for (std::size_t c = 0; c < 3; ++c) {
    double sum = 0, squares = 0;
    for (std::size_t i = 0; i < n * positions; ++i) sum += x[i * 3 + c];
    const double mean = sum / double(n * positions);
    for (std::size_t i = 0; i < n * positions; ++i) squares += (x[i * 3 + c] - mean) * (x[i * 3 + c] - mean);
    CHECK(m.parameters()[6 + c] == doctest::Approx(0.1 * mean).epsilon(1e-5));                                // mean
    CHECK(m.parameters()[9 + c] == doctest::Approx(0.9 + 0.1 * squares / double(n * positions - 1)).epsilon(1e-5));  // var
  }
  // Inference (the model, trainer::evaluate) uses the running statistics: an output of one sample
  // does not depend on the others (the same bits beside another second sample), and a batch gives
  // what the sample alone gives within rounding (on AVX2 and AVX-512 the dense layer adds a sample's
  // products in another order in a batch, kernels::dense_batch, than alone, kernels::dense).
  std::vector<float> alone(5), together(2 * 5), beside_another(2 * 5), two(x.begin(), x.begin() + 2 * 108);
  m.forward(std::span<const float>(x).first(108), std::span<float>(alone));
  m.forward_batch(std::span<const float>(two), std::span<float>(together));
  std::copy(x.begin() + 5 * 108, x.begin() + 6 * 108, two.begin() + 108);
  m.forward_batch(std::span<const float>(two), std::span<float>(beside_another));
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(beside_another[i] == together[i]);
    CHECK(alone[i] == doctest::Approx(together[i]).epsilon(1e-5));
  }

  // A channel needs two values in a batch: a batch of 1 on a 1 x 1 input is refused.
  using flat = network<input<4>, dense<units<3>>, batch_norm<>>;
  model<flat> mf;
  train::trainer<flat, train::cross_entropy, train::sgd> tf(mf, {.lr = 0.1});
  const std::vector<float> one(4, 0.5f);
  const std::vector<std::uint8_t> label(1, 0);
  CHECK_THROWS_WITH_AS(tf.step(std::span<const float>(one), std::span<const std::uint8_t>(label)),
                       doctest::Contains("needs 2 samples"), std::invalid_argument);
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

  // batch_norm's statistics, added up across 4 slices in slice order, and dropout's masks.
  const std::vector<float> xb = random_floats(n * 72, g);
  auto train_bn = [&](std::size_t threads) {
    model<bn_dropout> m(he_normal{7});
    train::trainer<bn_dropout, train::cross_entropy, train::adam> t(m, {.lr = 0.01}, {.batch = 50, .threads = threads, .seed = 3});
    for (int step = 0; step < 4; ++step) t.step(std::span<const float>(xb), std::span<const std::uint8_t>(labels));
    return std::vector<float>(m.parameters().begin(), m.parameters().end());
  };
  static_assert(train_plan<bn_dropout>::slice == 16);
  const std::vector<float> bn_one = train_bn(1), bn_two = train_bn(2);
  CHECK(std::memcmp(bn_one.data(), bn_two.data(), bn_one.size() * sizeof(float)) == 0);
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

  // Nor with batch_norm's phases (each slice's workspace and statistics, allocated with the trainer).
  model<bn_dropout> mb;
  train::trainer<bn_dropout, train::cross_entropy, train::adam> tb(mb, {}, {.batch = 32, .threads = 2});
  const std::vector<float> xb = random_floats(32 * 72, g);
  tb.step(std::span<const float>(xb), std::span<const std::uint8_t>(labels));
  const std::size_t before_bn = testing::allocation_count();
  tb.step(std::span<const float>(xb), std::span<const std::uint8_t>(labels));
  tb.step(std::span<const float>(xb).first(19 * 72), std::span<const std::uint8_t>(labels).first(19));
  CHECK(testing::allocation_count() - before_bn == 0);
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
