// The xsimd dense kernel against the double reference: the lecture's 3072 -> 10, odd unit counts, fusion.
#include "check.hpp"

#include <typenet/models/lecture5.hpp>

#include <cstring>

namespace {
using namespace typenet;
using testing::check_against_reference;

TEST_CASE("dense: the lecture's 32x32x3 -> 3072 -> 10") { check_against_reference<models::lecture5_dense>(); }

TEST_CASE("dense: unit and input counts around the SIMD width") {
  check_against_reference<network<input<1>, dense<units<1>>>>();
  check_against_reference<network<input<7>, dense<units<17>>>>();
  check_against_reference<network<input<33>, dense<units<19>>>>();
  check_against_reference<network<input<100>, dense<units<130>>>>();
  check_against_reference<network<input<400>, dense<units<120>>>>();
  check_against_reference<network<input<5, 5, 16>, flatten, dense<units<120>>, relu, dense<units<84>>>>();
}

TEST_CASE("dense: input counts that leave inputs over after the split sums, on every ISA") {
  // S partial sums over the inputs (8 / V of them): 13 inputs leave 5 over with one vector of units
  // (SSE2: up to 4 units; AVX2 up to 8; AVX-512 up to 16), 21 leave 1 over with 3 vectors on SSE2.
  check_against_reference<network<input<13>, dense<units<3>>>>();
  check_against_reference<network<input<13>, dense<units<8>>>>();
  check_against_reference<network<input<13>, dense<units<16>>>>();
  check_against_reference<network<input<21>, dense<units<9>>>>();
  check_against_reference<network<input<21>, dense<units<40>>>>();
}

TEST_CASE("dense no_bias: one sample and batches (the model's batched path), every remainder of samples") {
  check_against_reference<network<input<33>, dense<units<19>, no_bias>>>();
  check_against_reference<network<input<5, 5, 16>, flatten, dense<units<120>, no_bias>, relu, dense<units<10>, no_bias>>>();
  using net = network<input<21>, dense<units<40>, no_bias>>;
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  model<net> m;
  testing::fill(m.parameters(), g);
  for (std::size_t n : {1, 2, 7, 9}) {
    std::vector<float> x(21 * n), y(40 * n);
    testing::fill(x, g);
    m.forward_batch(std::span<const float>(x), std::span<float>(y));
    std::vector<double> p(m.parameters().begin(), m.parameters().end());
    for (std::size_t s = 0; s < n; ++s) {
      std::vector<double> xd(x.begin() + s * 21, x.begin() + (s + 1) * 21), r(40);
      reference::forward<net, double>(p.data(), xd.data(), r.data());
      for (std::size_t u = 0; u < 40; ++u) CHECK(y[s * 40 + u] == doctest::Approx(r[u]).epsilon(1e-5));
    }
  }
}

TEST_CASE("dense, batched: weights in several panels (kernels::dense_panel), a partial last vector, fused relu") {
  // 2048 x 129 weights are about 1 MB: the batched kernel goes over the inputs in panels of at
  // most 256 kB, keeping each output's partial sum in the output between panels, and applies
  // relu after the last panel only.
  using net = network<input<2048>, dense<units<129>>, relu>;
  static_assert(kernels::dense_panel<2048, 129> < 2048, "the case must span several panels");
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  static model<net> m;
  testing::fill(m.parameters(), g);
  for (std::size_t n : {1, 8, 9, 17}) {
    std::vector<float> x(2048 * n), y(129 * n);
    testing::fill(x, g);
    m.forward_batch(std::span<const float>(x), std::span<float>(y));
    for (std::size_t s = 0; s < n; ++s) {
      INFO("samples " << n << ", sample " << s);
      testing::check_sample_against_reference<net>(m.parameters(), std::span<const float>(x).subspan(s * 2048, 2048),
                                                    std::span<const float>(y).subspan(s * 129, 129));
    }
  }
}

TEST_CASE("dense, one sample: weights in several panels (kernels::dense_single_panel), a partial last vector, relu") {
  // 2048 x 300 weights: the single-sample kernel goes over the inputs in panels of at most 32 kB
  // (27 inputs), every block of units over one panel before the next, the partial sums waiting
  // in the output; bias and relu after the last panel only. On two threads the blocks of units
  // are shared (the layer is big enough to be divided) and every bit must be as on one.
  using net = network<input<2048>, dense<units<300>>, relu>;
  static_assert(kernels::dense_single_panel<2048, 300> < 2048, "the case must span several panels");
  static_assert(plan<net>::divides && plan<net>::divided[1], "the case must divide the layer between threads");
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa());
  std::mt19937_64 g(seed);
  model<net> m;
  testing::fill(m.parameters(), g);
  for (int round = 0; round < 3; ++round) {
    std::vector<float> x(2048), y1(300), y2(300);
    testing::fill(x, g);
    m.forward_batch(std::span<const float>(x), std::span<float>(y1), 1);
    testing::check_sample_against_reference<net>(m.parameters(), x, y1);
    m.forward_batch(std::span<const float>(x), std::span<float>(y2), 2);
    CHECK(std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("dense: fused relu and leaky_relu") {
  check_against_reference<network<input<64>, dense<units<33>>, relu>>();
  check_against_reference<network<input<64>, dense<units<33>>, leaky_relu<>>>();
}
}  // namespace
