// Test support: is random data on a kink of the network (a relu's input at 0, two maxima of a
// pooling window tied), where float and double may rightly disagree on a gradient?
//
// A test that compares float gradients with the double reference trusts both to take the same
// branches. Where a relu's input lies within float's rounding of 0, or the two largest values of
// a max-pooling window lie within it of each other, float and double can round to different sides:
// the gradient then goes down a different path, and the two differ by a whole term while both are
// right. Seed 18395233542723315899 drew such a window in tests/train/trainer_test.cpp (its two
// largest values 0.501557575 and 0.501557558 in double, the other way round in float), and the
// first convolution's gradients differed by up to 80 %.
//
// near_kink(gradient, p, x, close) answers by moving the data: it evaluates gradient(p, x), the
// double reference's gradient of the test's loss, and again at `probes` copies of p and x with each
// value moved by a random relative 2^-22 (two to four of float's units in the last place; a sum of many
// such moves shifts a relu's input or a window's values by about as much as float's rounding of
// that sum does). Away from every kink the gradient moves smoothly, by about 1e-6 of itself on the
// trainer test's networks, and stays close(at, moved); near one, a probe crosses it and the
// gradient jumps by a whole term (5e-5 to 3e-3 in the cases seen). The tests draw new data while
// near_kink says yes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace typenet::testing {

/// True if the double gradient at (p, x) changes by more than `close` allows when p and x move by a
/// relative 2^-22 in any of `probes` random directions.
/// gradient: (const std::vector<double>& p, const std::vector<double>& x) -> std::vector<double>;
/// close: (const std::vector<double>& at, const std::vector<double>& moved) -> bool.
template <class Gradient, class Close>
bool near_kink(Gradient&& gradient, const std::vector<double>& p, const std::vector<double>& x, Close&& close,
               std::uint64_t seed, int probes = 8) {
  const std::vector<double> at = gradient(p, x);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  constexpr double step = 1.0 / (1 << 22);
  for (int k = 0; k < probes; ++k) {
    std::vector<double> pk(p), xk(x);
    for (double& v : pk) v *= 1 + step * u(g);
    for (double& v : xk) v *= 1 + step * u(g);
    if (!close(at, gradient(pk, xk))) return true;
  }
  return false;
}

}  // namespace typenet::testing
