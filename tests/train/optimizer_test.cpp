// Optimizers against their formulas computed independently in double, ten steps each; schedules against theirs.
#include <typenet/train/optimizer.hpp>

#include "../seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {
using namespace typenet::train;

struct run {
  std::vector<float> p;
  std::vector<std::vector<float>> grads;
};

run random_run(std::size_t n, std::size_t steps) {
  std::mt19937_64 g(typenet::testing::fresh_seed());
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  run r{std::vector<float>(n), {}};
  for (float& v : r.p) v = u(g);
  for (std::size_t s = 0; s < steps; ++s) {
    r.grads.emplace_back(n);
    for (float& v : r.grads.back()) v = u(g);
  }
  return r;
}

template <class Settings, class Formula>
void check_ten_steps(Settings settings, Formula formula) {
  const std::size_t n = 37;
  run r = random_run(n, 10);
  std::vector<double> expected(r.p.begin(), r.p.end());
  optimizer<Settings> opt(settings, n);
  std::vector<float> p = r.p;
  typename Formula::state state(n);
  for (std::size_t step = 0; step < 10; ++step) {
    opt.update(p, r.grads[step], settings.lr);
    formula(expected, r.grads[step], state, step + 1);
    for (std::size_t i = 0; i < n; ++i)
      REQUIRE_MESSAGE(std::abs(p[i] - expected[i]) <= 2e-6 * std::max(1.0, std::abs(expected[i])),
                      "step " << step + 1 << ", parameter " << i << ": " << p[i] << " vs " << expected[i]);
  }
  CHECK(opt.steps() == 10);
}

/// SGD's formula, in double.
struct sgd_formula {
  sgd s;
  struct state {
    explicit state(std::size_t n) : b(n) {}
    std::vector<double> b;
  };
  void operator()(std::vector<double>& p, const std::vector<float>& grad, state& st, std::size_t t) const {
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i] + s.weight_decay * p[i];
      if (s.momentum != 0) {
        st.b[i] = t == 1 ? g : s.momentum * st.b[i] + g;
        g = s.nesterov ? g + s.momentum * st.b[i] : st.b[i];
      }
      p[i] -= s.lr * g;
    }
  }
};

/// Adam's and AdamW's formula, in double.
template <bool Decoupled, class Settings>
struct adam_formula {
  Settings s;
  struct state {
    explicit state(std::size_t n) : m(n), v(n) {}
    std::vector<double> m, v;
  };
  void operator()(std::vector<double>& p, const std::vector<float>& grad, state& st, std::size_t t) const {
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i];
      if (Decoupled) p[i] *= 1 - s.lr * s.weight_decay;
      else g += s.weight_decay * p[i];
      st.m[i] = s.beta1 * st.m[i] + (1 - s.beta1) * g;
      st.v[i] = s.beta2 * st.v[i] + (1 - s.beta2) * g * g;
      const double mhat = st.m[i] / (1 - std::pow(s.beta1, t)), vhat = st.v[i] / (1 - std::pow(s.beta2, t));
      p[i] -= s.lr * mhat / (std::sqrt(vhat) + s.eps);
    }
  }
};

}  // namespace

TEST_CASE("SGD: plain, momentum, Nesterov, weight decay; ten steps against the formula") {
  for (sgd s : {sgd{.lr = 0.1}, sgd{.lr = 0.05, .momentum = 0.9}, sgd{.lr = 0.05, .momentum = 0.9, .nesterov = true},
                sgd{.lr = 0.1, .momentum = 0.5, .weight_decay = 0.01}, sgd{.lr = 0.02, .weight_decay = 0.1},
                sgd{.lr = 0.01, .momentum = 0.99, .weight_decay = 1e-3, .nesterov = true}}) {
    CAPTURE(s.lr);
    CAPTURE(s.momentum);
    CAPTURE(s.nesterov);
    check_ten_steps(s, sgd_formula{s});
  }
}

TEST_CASE("Adam and AdamW: ten steps against the formula, with and without weight decay") {
  for (adam s : {adam{}, adam{.lr = 0.01, .weight_decay = 0.05}, adam{.lr = 0.003, .beta1 = 0.5, .beta2 = 0.9, .eps = 1e-6}}) {
    CAPTURE(s.lr);
    check_ten_steps(s, adam_formula<false, adam>{s});
  }
  for (adamw s : {adamw{}, adamw{.lr = 0.01, .weight_decay = 0.1}, adamw{.lr = 0.002, .weight_decay = 0}}) {
    CAPTURE(s.lr);
    check_ten_steps(s, adam_formula<true, adamw>{s});
  }
}

TEST_CASE("learning-rate schedules: step decay and cosine annealing") {
  const step_lr step{.step_size = 3, .gamma = 0.5};
  CHECK(step(0.1, 0) == 0.1);
  CHECK(step(0.1, 2) == 0.1);
  CHECK(step(0.1, 3) == doctest::Approx(0.05));
  CHECK(step(0.1, 7) == doctest::Approx(0.025));
  const cosine_lr cosine{.epochs = 10, .min_lr = 0.001};
  CHECK(cosine(0.1, 0) == doctest::Approx(0.1));
  CHECK(cosine(0.1, 5) == doctest::Approx(0.001 + 0.099 * 0.5));
  CHECK(cosine(0.1, 10) == doctest::Approx(0.001));
  CHECK(cosine(0.1, 3) == doctest::Approx(0.001 + 0.099 * (1 + std::cos(3.14159265358979 * 0.3)) / 2));
  CHECK(constant_lr{}(0.3, 99) == 0.3);
}

TEST_CASE("optimizer settings that make no sense are refused") {
  CHECK_THROWS_AS(optimizer<sgd>(sgd{.lr = -0.1}, 3), std::invalid_argument);
  CHECK_THROWS_AS(optimizer<sgd>(sgd{.lr = 0.1, .nesterov = true}, 3), std::invalid_argument);
  CHECK_THROWS_AS(optimizer<adam>(adam{.beta1 = 1.0}, 3), std::invalid_argument);
  CHECK_THROWS_AS(optimizer<adamw>(adamw{.weight_decay = std::nan("")}, 3), std::invalid_argument);
}
