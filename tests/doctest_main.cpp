// The doctest runner shared by the runtime tests.
//
// It names the seed of the random test data before the tests (and again after a
// failure), so that TYPENET_TEST_SEED=<seed> repeats a run; a bad TYPENET_TEST_SEED
// stops it before any test runs.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "seed.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  namespace t = typenet::testing;
  if (const t::seed_setting s = t::seed_from_environment(); !s.error.empty()) {
    std::fprintf(stderr, "runtime tests: %s\n", s.error.c_str());
    return 2;
  }
  doctest::Context context(argc, argv);
  const auto seed = static_cast<unsigned long long>(t::fresh_seed());
  if (!context.shouldExit())
    std::printf("runtime tests: seed %llu (set TYPENET_TEST_SEED=%llu to repeat)\n", seed, seed);
  std::fflush(stdout);
  const int result = context.run();
  if (context.shouldExit()) return result;
  if (result != 0) std::printf("runtime tests failed with seed %llu: TYPENET_TEST_SEED=%llu repeats the run\n", seed, seed);
  return result;
}
