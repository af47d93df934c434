// Test support: run a network through model<Net> and through the double-precision reference, compare.
#pragma once

#include <typenet/model.hpp>
#include <typenet/reference.hpp>

#include <boost/hana/for_each.hpp>

#include "../seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

namespace typenet::testing {

// fresh_seed(): one seed per run, fresh unless TYPENET_TEST_SEED sets it (tests/seed.hpp);
// the runner prints it at the start and again after a failure.

/// Uniform values in [lo, hi) with no exact zeros.
inline void fill(std::span<float> v, std::mt19937_64& g, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& x : v) {
    do x = d(g);
    while (x == 0.f);
  }
}

/// Random parameters in [-1, 1) make a variance buffer (batch norm's running_var, a buffer that
/// starts at 1) negative: this keeps those at |v| + 0.5.
template <class Net>
void positive_variances(std::span<float> params) {
  boost::hana::for_each(bound_layers<Net>, [&](auto b) {
    using B = typename decltype(b)::type;
    std::size_t at = param_offset<Net, B::position>;
    for (const param_tensor& t : contract::tensors<typename B::layer, B::input, B::output>()) {
      if (!t.learned && t.init == init_rule::ones)
        for (std::size_t i = 0; i < t.size(); ++i) params[at + i] = std::abs(params[at + i]) + 0.5f;
      at += t.size();
    }
  });
}

/// Compares y, Net's output for one sample x on parameters `params`, with reference::forward in
/// double. The tolerance scales with the magnitude reference (the same network on |x| and |w|).
template <class Net>
void check_sample_against_reference(std::span<const float> params, std::span<const float> x, std::span<const float> y) {
  std::vector<double> p(params.begin(), params.end()), xd(x.begin(), x.end()), r(y.size());
  reference::forward<Net, double>(p.data(), xd.data(), r.data());
  // Magnitude: |w| and |x| through the same convolutions and dense layers bound the rounding error.
  std::vector<double> pa(p), xa(xd), ra(y.size());
  for (double& v : pa) v = std::abs(v);
  for (double& v : xa) v = std::abs(v);
  reference::forward<Net, double>(pa.data(), xa.data(), ra.data());

  std::size_t bad = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double tol = 1e-5 * std::max(1.0, std::abs(ra[i])) + 1e-6;
    if (!(std::abs(static_cast<double>(y[i]) - r[i]) <= tol)) {  // NaN fails too
      if (bad++ < 5) FAIL_CHECK("output " << i << ": typenet " << y[i] << ", reference " << r[i] << " (tolerance " << tol << ")");
    }
  }
  CHECK_MESSAGE(bad == 0, bad << " of " << y.size() << " outputs differ");
}

/// Runs Net on random parameters and inputs with every output poisoned with
/// NaN first, and compares with reference::forward in double
/// (check_sample_against_reference).
template <class Net, storage Where = storage::heap>
void check_against_reference(float input_lo = -1.f, float input_hi = 1.f) {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  static model<Net, Where> m;  // static: in_place models can be large
  fill(m.parameters(), g);
  positive_variances<Net>(m.parameters());
  std::vector<float> x(facts<Net>.input.size()), y(facts<Net>.output.size(), std::numeric_limits<float>::quiet_NaN());
  fill(x, g, input_lo, input_hi);
  m.forward(std::span<const float>(x), std::span<float>(y));
  check_sample_against_reference<Net>(m.parameters(), x, y);
}

}  // namespace typenet::testing
