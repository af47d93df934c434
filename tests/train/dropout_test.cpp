// dropout: the share it drops, the scale of what it keeps, masks drawn from the seed, the step and the sample, none at inference.
#include <typenet/reference.hpp>
#include <typenet/typenet.hpp>

#include "../seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace {
using namespace typenet;

using net = network<input<4, 10, 10>, dropout<percent<30>>>;
constexpr std::size_t values = 400;

/// The layer's training hook on n samples, the first of which is sample c.first of the batch.
std::vector<float> drop(const std::vector<float>& x, std::size_t n, training_context c) {
  std::vector<float> y(n * values);
  constexpr shape s = facts<net>.input;
  dropout<percent<30>>::train_forward<s, s, float>(nullptr, x.data(), y.data(), n, c);
  return y;
}
}  // namespace

static_assert(facts<net>.output == facts<net>.input && facts<net>.params == 0);
static_assert(dropout<>::percent_dropped == 50);  // PyTorch's p = 0.5

TEST_CASE("dropout: 30% of the values dropped, the others scaled by 1 / 0.7; inference passes them through") {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<float> u(0.5f, 1.5f);  // never 0: a zero out is a dropped value
  const std::size_t n = 50;
  std::vector<float> x(n * values);
  for (float& v : x) v = u(g);
  const training_context c{.seed = seed, .step = 12};
  const std::vector<float> y = drop(x, n, c);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (y[i] == 0) ++dropped;
    else CHECK(y[i] == x[i] * static_cast<float>(1 / 0.7));
  }
  // 20,000 draws at p = 0.3: the standard deviation of the share is 0.0032.
  CHECK(std::abs(static_cast<double>(dropped) / double(x.size()) - 0.3) < 0.013);

  // Inference: the input unchanged.
  std::vector<float> out(values);
  reference::forward<net, float>(nullptr, x.data(), out.data());
  CHECK(std::vector<float>(x.begin(), x.begin() + values) == out);

  // The same seed, step and sample: the same mask, wherever the sample's slice starts (any thread
  // count); another step or seed: another mask.
  training_context later = c;
  later.first = 20;
  const std::vector<float> tail(x.begin() + 20 * values, x.end()), y_tail = drop(tail, n - 20, later);
  CHECK(std::vector<float>(y.begin() + 20 * values, y.end()) == y_tail);
  CHECK(drop(x, n, c) == y);
  training_context next = c;
  next.step = 13;
  CHECK(drop(x, n, next) != y);
  next = c;
  next.seed = seed + 1;
  CHECK(drop(x, n, next) != y);
  // Masks differ between the samples of a batch.
  CHECK(std::vector<float>(y.begin(), y.begin() + values) != std::vector<float>(y.begin() + values, y.begin() + 2 * values));

  // percent<0> keeps everything.
  using keep = network<input<values>, dropout<percent<0>>>;
  std::vector<float> kept(n * values);
  reference::train_forward<keep, float>(nullptr, x.data(), n, kept.data(), c);
  CHECK(kept == x);
}
