// One sample on several threads (runtime::forward_part, model::forward_batch of one sample): the big
// layers divided between threads that meet at a barrier give the one-thread result, bit for bit.
#include "../kernels/check.hpp"

#include <typenet/models/cifar10.hpp>
#include <typenet/typenet.hpp>

#include <cstring>
#include <limits>
#include <vector>

namespace {
using namespace typenet;

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// Net on random parameters (variances kept positive) and inputs: one thread (forward_samples),
/// then a team of `threads` from a pool of its own (so that it runs on one core too) through
/// forward_part, several rounds.
template <class Net>
void check_team(std::size_t threads, bool huge_first_input = false) {
  using P = plan<Net>;
  static_assert(P::divides);
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa() << ", threads " << threads);
  std::mt19937_64 g(seed);
  static model<Net> m;  // static: large networks
  testing::fill(m.parameters(), g, -0.2f, 0.2f);
  testing::positive_variances<Net>(m.parameters());
  const float* params = m.parameters().data();
  std::vector<float> x(P::f.input.size()), one(P::f.output.size());
  testing::fill(x, g);
  // 2^41: past what Winograd's kernel takes (winograd_safe): the first convolution runs the direct
  // kernel, in every part.
  if (huge_first_input) x[0] = 0x1p41f;
  std::vector<runtime::aligned_floats> ws;
  for (std::size_t t = 0; t < threads; ++t) ws.emplace_back(P::batch_workspace_floats);
  runtime::forward_samples<Net, false>(params, x.data(), one.data(), 1, ws[0].data());

  runtime::thread_pool pool(threads - 1);
  for (std::size_t round = 0; round < 5; ++round) {
    std::vector<float> y(one.size(), std::numeric_limits<float>::quiet_NaN());
    runtime::spin_barrier barrier(threads);
    std::size_t team = 0;
    pool.team(threads, [&](std::size_t t, std::size_t parts) {
      if (t == 0) team = parts;
      runtime::forward_part<Net>(params, x.data(), y.data(), ws[0].data(),
                                 ws[t].data() + P::buffers * P::activation_floats, t, parts, barrier);
    });
    CHECK(team == threads);
    CHECK(same_bits(y, one));
  }
}

using lecture_conv = network<input<32, 32, 3>, conv<filters<10>, kernel<5>, pad<2>>>;
// A ResNet BasicBlock (batch norms folded into the convolutions, a residual sum on one thread).
using basic_block = network<input<16, 16, 16>, conv<filters<16>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu,
                            residual<conv<filters<16>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu,
                                     conv<filters<16>, kernel<3>, pad<1>, no_bias>, batch_norm<>>,
                            relu, global_avg_pool, flatten, dense<units<10>>>;
// A MobileNetV2 inverted residual: 1x1 expansion, depthwise 3x3, 1x1 projection, relu6.
using inverted = network<input<16, 16, 16>,
                         residual<conv<filters<96>, kernel<1>, no_bias>, batch_norm<>, relu6,
                                  conv<filters<96>, kernel<3>, pad<1>, depthwise, no_bias>, batch_norm<>, relu6,
                                  conv<filters<16>, kernel<1>, no_bias>, batch_norm<>>>;
// A layer that is not divided first (the depthwise 1x1 on 3 channels is small), a divided one last.
using ends_divided = network<input<16, 16, 3>, conv<filters<3>, kernel<1>, depthwise>, relu,
                             conv<filters<64>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, conv<filters<64>, kernel<3>, pad<1>>>;

// Convolutions by Winograd (on AVX-512 the first only: it takes the direct kernel on rows under 12), a pooling.
using winograd_convs = network<input<16, 16, 32>, conv<filters<32>, kernel<3>, pad<1>>, relu, max_pool<window<2>>,
                               conv<filters<64>, kernel<3>, pad<1>>, relu, conv<filters<64>, kernel<3>, pad<1>>>;

TEST_CASE("one sample on a team of threads: each divided layer's parts give one thread's bits") {
  check_team<models::cifar10>(2);  // the convolutions and the pooling between them divided; the rest not
  check_team<models::cifar10>(3);
  check_team<lecture_conv>(2);
  check_team<ends_divided>(3);
  check_team<basic_block>(2);  // residual sums, batch norm folded into the convolutions
  check_team<inverted>(2);     // depthwise convolutions, relu6, an inverted residual
  check_team<winograd_convs>(2);
  check_team<winograd_convs>(3);
  check_team<winograd_convs>(2, true);
}

TEST_CASE("forward_batch of one sample on 2 threads: one thread's bits; a busy pool runs it on the caller") {
  const model<models::cifar10> m(he_normal{21});
  std::mt19937_64 g(testing::fresh_seed());
  std::vector<float> x(32 * 32 * 3), one(10), two(10, std::numeric_limits<float>::quiet_NaN());
  testing::fill(x, g);
  m.forward(x, one);
  for (int round = 0; round < 20; ++round) {
    m.forward_batch(x, two, 2);
    CHECK(same_bits(two, one));
  }
  // Inside a task of the shared pool, the pool is busy: the sample runs on that thread alone.
  std::vector<std::vector<float>> nested(2, std::vector<float>(10));
  runtime::thread_pool::shared().run(2, [&](std::size_t t) { m.forward_batch(x, nested[t], 0); });
  CHECK(same_bits(nested[0], one));
  CHECK(same_bits(nested[1], one));
  CHECK(m.workspace_count() <= runtime::thread_pool::cores() + 0u);
}

}  // namespace
