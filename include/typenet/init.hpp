// Deterministic weight initialisation from a seed: He (normal) and Xavier/Glorot (uniform).
#pragma once

#include <cmath>
#include <cstdint>

namespace typenet {

/// splitmix64: a small generator with a fixed, portable sequence, so that a
/// seed gives the same weights with every compiler and standard library.
class seeded_random {
 public:
  explicit constexpr seeded_random(std::uint64_t seed) : state_(seed) {}
  constexpr std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  constexpr double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box-Muller).
  double normal() {
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

/// He (Kaiming) normal: weights ~ N(0, 2 / fan_in), biases 0. For relu networks.
struct he_normal {
  std::uint64_t seed = 0;
  double weight(seeded_random& r, double fan_in, double /*fan_out*/) const { return r.normal() * std::sqrt(2.0 / fan_in); }
};

/// Xavier/Glorot uniform: weights ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)), biases 0.
struct glorot_uniform {
  std::uint64_t seed = 0;
  double weight(seeded_random& r, double fan_in, double fan_out) const {
    const double a = std::sqrt(6.0 / (fan_in + fan_out));
    return r.uniform(-a, a);
  }
};

}  // namespace typenet
