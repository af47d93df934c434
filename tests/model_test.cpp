// model<Net>: whole networks against the reference, zero-allocation forward, threads, spans, storage, init.
#include "allocations.hpp"
#include "kernels/check.hpp"

#include <typenet/models/lenet5.hpp>

#include <cstring>
#include <limits>

namespace {
using namespace typenet;
using testing::check_against_reference;

/// The small CIFAR network of the benchmarks (W6).
using cifar_net = network<input<32, 32, 3>,
                          conv<filters<32>, kernel<3>, pad<1>>, relu, conv<filters<32>, kernel<3>, pad<1>>, relu,
                          max_pool<window<2>>,
                          conv<filters<64>, kernel<3>, pad<1>>, relu, conv<filters<64>, kernel<3>, pad<1>>, relu,
                          max_pool<window<2>>,
                          dense<units<512>>, relu, dense<units<10>>>;

TEST_CASE("whole networks match the reference: LeNet-5, the CIFAR net") {
  check_against_reference<models::lenet5>();
  check_against_reference<cifar_net>();
  check_against_reference<network<input<12, 12, 3>, block<conv<filters<8>, kernel<3>, pad_same>, leaky_relu<>>,
                                  avg_pool<window<2>>, flatten, dense<units<10>>, sigmoid, softmax>>();
}

TEST_CASE("forward makes no heap allocation") {
  model<models::lenet5> m(he_normal{1});
  model<models::lenet5>::input_tensor x;
  model<models::lenet5>::output_tensor y;
  std::mt19937_64 g(testing::fresh_seed());
  testing::fill(x.values, g);
  const std::size_t before = testing::allocation_count();
  m.forward(x, y);
  m.forward(std::span<const float>(x.values), std::span<float>(y.values));
  m.forward_batch(std::span<const float>(x.values), std::span<float>(y.values), 1);
  CHECK(testing::allocation_count() - before == 0);
  // Batches: once the pool has its threads and the model its workspaces, none either.
  std::vector<float> xs(4 * x.size()), ys(4 * y.size());
  testing::fill(xs, g);
  m.forward_batch(xs, ys, 2);
  const std::size_t warm = testing::allocation_count();
  m.forward_batch(xs, ys, 2);
  m.forward_batch(xs, ys, 1);
  CHECK(testing::allocation_count() - warm == 0);
  // The counter does count: a vector allocates.
  std::vector<int> v(10);
  CHECK(testing::allocation_count() - before >= 1);
}

TEST_CASE("in_place storage: no heap at all, same results as the heap model") {
  using net = network<input<8, 8, 3>, conv<filters<8>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, dense<units<10>>>;
  static_assert(workspace_bytes<net> <= 8 * 1024, "fits an 8 KiB budget");
  static_assert(workspace_floats<net> == 2 * 512 + 304);  // two 8x8x8 buffers + the 10x10x3 padded copy (rounded to 16)
  const std::size_t before = testing::allocation_count();
  static model<net, storage::in_place> fixed(he_normal{7});
  model<net, storage::in_place>::input_tensor x;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.f;
  const auto y = fixed.forward(x);
  CHECK(testing::allocation_count() - before == 0);
  model<net> heap(he_normal{7});
  CHECK(heap.forward(x).values == y.values);
  check_against_reference<net, storage::in_place>();
}

TEST_CASE("batch forward matches the reference, sample by sample") {
  using net = network<input<6, 6, 3>, conv<filters<8>, kernel<3>>, relu, flatten, dense<units<33>>, relu, dense<units<5>>>;
  static_assert(plan<net>::micro_batch == 8);
  model<net> m;
  std::mt19937_64 g(testing::fresh_seed());
  INFO("seed " << testing::fresh_seed());
  testing::fill(m.parameters(), g);
  constexpr std::size_t n = 19, in = 6 * 6 * 3, out = 5;  // two groups of 8 and a group of 3
  std::vector<float> x(n * in), y(n * out, std::numeric_limits<float>::quiet_NaN());
  testing::fill(x, g);
  m.forward_batch(x, y, 1);
  std::vector<double> p(m.parameters().begin(), m.parameters().end()), r(out);
  for (std::size_t s = 0; s < n; ++s) {
    std::vector<double> xs(x.begin() + s * in, x.begin() + (s + 1) * in);
    reference::forward<net, double>(p.data(), xs.data(), r.data());
    for (std::size_t i = 0; i < out; ++i) CHECK(y[s * out + i] == doctest::Approx(r[i]).epsilon(1e-4));
  }
}

TEST_CASE("batch forward: the same results on any number of threads") {
  model<cifar_net> m(he_normal{3});
  constexpr std::size_t n = 7, in = 32 * 32 * 3, out = 10;
  std::vector<float> x(n * in), y1(n * out), y2(n * out), y3(n * out), single(out);
  std::mt19937_64 g(testing::fresh_seed());
  testing::fill(x, g);
  m.forward_batch(x, y1, 1);
  m.forward_batch(x, y2, 2);
  m.forward_batch(x, y3, 3);
  CHECK(y1 == y2);
  CHECK(y1 == y3);
  // A batch groups the dense layers' samples; a single pass sums in another order.
  m.forward(std::span<const float>(x).subspan(3 * in, in), single);
  for (std::size_t i = 0; i < out; ++i) CHECK(single[i] == doctest::Approx(y1[3 * out + i]).epsilon(1e-5));
}

TEST_CASE("raw buffers of the wrong size are refused with a clear message") {
  model<models::lenet5> m;
  std::vector<float> x(5), y(10), x_ok(784), y_bad(3);
  CHECK_THROWS_WITH_AS(m.forward(x, y),
                       "typenet: forward: the input holds 5 floats; the network takes 784 floats (28x28x1, HWC)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(m.forward(x_ok, y_bad),
                       "typenet: forward: the output holds 3 floats; the network gives 10 floats (a vector of 10)",
                       std::invalid_argument);
  std::vector<float> batch_x(784 * 2 + 1), batch_y(20);
  CHECK_THROWS_AS(m.forward_batch(batch_x, batch_y), std::invalid_argument);
}

/// Mean and standard deviation of a span.
std::pair<double, double> moments(std::span<const float> v) {
  double sum = 0, sq = 0;
  for (float w : v) sum += w, sq += static_cast<double>(w) * w;
  const double mean = sum / static_cast<double>(v.size());
  return {mean, std::sqrt(sq / static_cast<double>(v.size()) - mean * mean)};
}

TEST_CASE("initialisation is deterministic, seeded, and scaled by each tensor's fans") {
  model<models::lenet5> a(he_normal{5}), b(he_normal{5}), c(he_normal{6}), d(glorot_uniform{5});
  CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  CHECK(!std::equal(a.parameters().begin(), a.parameters().end(), c.parameters().begin()));
  CHECK(a.parameters().size() == 61706);
  for (float bias : a.biases<1>()) CHECK(bias == 0.f);
  for (float bias : d.biases<8>()) CHECK(bias == 0.f);
  // He: N(0, 2 / fan_in). dense 400 -> 120 (48,000 draws): fan-in 400 gives 0.0707, fan-out would give 0.129.
  const auto [mean8, sd8] = moments(a.weights<8>());
  CHECK(std::abs(mean8) < 0.002);
  CHECK(sd8 == doctest::Approx(std::sqrt(2.0 / 400)).epsilon(0.03));
  // conv2 (5*5*6 -> 16, 2,400 draws): fan-in 150 gives 0.115; fan-out 5*5*16 = 400 would give 0.0707.
  CHECK(moments(a.weights<4>()).second == doctest::Approx(std::sqrt(2.0 / 150)).epsilon(0.06));
  // Glorot: U(-a, a), a = sqrt(6 / (fan_in + fan_out)): the draws fill the range (max near a) with variance a^2 / 3.
  const double a8 = std::sqrt(6.0 / (400 + 120));
  double most = 0;
  for (float w : d.weights<8>()) most = std::max(most, static_cast<double>(std::abs(w)));
  CHECK(most <= a8);
  CHECK(most >= 0.99 * a8);
  CHECK(moments(d.weights<8>()).second == doctest::Approx(a8 / std::sqrt(3.0)).epsilon(0.03));
  // conv1 (5*5*1 -> 6): fan-in 25 and fan-out 150.
  CHECK(moments(d.weights<1>()).second == doctest::Approx(std::sqrt(6.0 / (25 + 150)) / std::sqrt(3.0)).epsilon(0.2));
  static_assert(model<models::lenet5>::tensors<1>[0].fan_in == 25 && model<models::lenet5>::tensors<1>[0].fan_out == 150);
  static_assert(model<models::lenet5>::tensors<8>[0].fan_in == 400 && model<models::lenet5>::tensors<8>[0].fan_out == 120);
}

TEST_CASE("a batch whose last group holds exactly one sample runs that sample too") {
  // micro_batch is 8 for a network with dense layers: 9 samples on one thread are a group of 8 and a group of 1.
  using net = network<input<6, 6, 2>, conv<filters<8>, kernel<3>>, relu, dense<units<13>>, relu, dense<units<5>>>;
  static_assert(plan<net>::micro_batch == 8);
  const model<net> m(he_normal{4});
  for (std::size_t n : {1u, 7u, 8u, 9u, 17u}) {
    CAPTURE(n);
    std::mt19937_64 g(testing::fresh_seed() + n);
    std::vector<float> x(n * 72), y(n * 5, std::numeric_limits<float>::quiet_NaN());
    testing::fill(x, g);
    m.forward_batch(x, y, 1);
    for (std::size_t s = 0; s < n; ++s) {
      std::vector<float> single(5);
      m.forward(std::span<const float>(x).subspan(s * 72, 72), single);
      for (std::size_t i = 0; i < 5; ++i) CHECK(y[s * 5 + i] == doctest::Approx(single[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("a batch takes the layers before its first dense one sample at a time, branches and joins included") {
  // plan::first_batched: the residual, the concat's branches and the pooling run sample by sample
  // (each sample through all of them), the dense layers on the group. The slots the memory plan
  // reuses hold other samples' values meanwhile: every sample must come out as alone.
  using net = network<input<6, 6, 3>, conv<filters<4>, kernel<3>, pad<1>>, relu,
                      residual<conv<filters<4>, kernel<3>, pad<1>>, relu>,
                      concat<branch<conv<filters<5>, kernel<1>>>, branch<max_pool<window<3>, stride<1>, pad<1>>>>,
                      max_pool<window<2>>, flatten, dense<units<11>>, relu, dense<units<3>>>;
  static_assert(plan<net>::micro_batch == 8);
  static_assert(std::is_same_v<bound_at<net, plan<net>::first_batched>::layer, dense<units<11>>>);
  static_assert(plan<models::lenet5>::first_batched < plan<models::lenet5>::layers);
  const model<net> m(he_normal{7});
  constexpr std::size_t in = 108, out = 3;
  for (std::size_t n : {2u, 8u, 9u, 17u}) {
    CAPTURE(n);
    std::mt19937_64 g(testing::fresh_seed() + n);
    std::vector<float> x(n * in), y1(n * out, std::numeric_limits<float>::quiet_NaN()), y2(y1);
    testing::fill(x, g);
    m.forward_batch(x, y1, 1);
    m.forward_batch(x, y2, 2);
    CHECK(std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)) == 0);
    for (std::size_t s = 0; s < n; ++s) {
      std::vector<float> single(out);
      m.forward(std::span<const float>(x).subspan(s * in, in), single);
      for (std::size_t i = 0; i < out; ++i) CHECK(y1[s * out + i] == doctest::Approx(single[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("layer parameters by name") {
  using named_net = network<input<8, 8, 1>, conv<filters<4>, kernel<3>, name<"conv1">>, relu, flatten,
                            dense<units<3>, name<"head">>>;
  model<named_net> m;
  CHECK(m.weights<"conv1">().data() == m.weights<1>().data());
  CHECK(m.biases<"head">().size() == 3);
  CHECK(m.parameter<"head">("weight").size() == 6 * 6 * 4 * 3);
  static_assert(model<named_net>::weight_shape<"head"> == std::array<std::size_t, 4>{144, 3, 1, 1});
  static_assert(model<named_net>::tensors<"conv1">[1].name == "bias");
}

TEST_CASE("layer parameters by position, with their shapes") {
  model<models::lenet5> m;
  static_assert(model<models::lenet5>::weight_shape<1> == std::array<std::size_t, 4>{5, 5, 1, 6});
  static_assert(model<models::lenet5>::weight_shape<8> == std::array<std::size_t, 4>{400, 120, 1, 1});
  CHECK(m.weights<1>().size() == 150);
  CHECK(m.biases<1>().size() == 6);
  CHECK(m.weights<4>().size() == 5 * 5 * 6 * 16);
  CHECK(m.weights<1>().data() == m.parameters().data());
  CHECK(m.biases<12>().data() + 10 == m.parameters().data() + m.parameters().size());
}
}  // namespace
