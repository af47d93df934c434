// kernel_part: a layer's work on one sample, divided into parts (rows, blocks of units), writes
// what its kernel writes, bit for bit, however many parts and whatever the shapes.
#include "check.hpp"

#include <typenet/models/lenet5.hpp>
#include <typenet/typenet.hpp>

#include <cstring>
#include <limits>
#include <vector>

namespace {
using namespace typenet;

/// Layer 1 of Net (the layer after its input) through its kernel, then through kernel_part in
/// 1 to (output rows + 2) parts run one after another, each with a scratch of its own: every
/// output bit must match, with no NaN left of the poisoned output.
template <class Net, class Act = kernels::identity>
void check_parts(std::size_t most_parts, Act act = {}, bool huge_first_input = false) {
  using B = bound_at<Net, 1>;
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  static_assert(contract::has_kernel_part<L, In, Out, Act>);
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed << ", ISA " << simd::isa() << ", layer " << facts<Net>.layer[1].kind);
  std::mt19937_64 g(seed);
  constexpr std::size_t scratch = plan<Net>::scratch_floats + simd::read_slack;
  std::vector<float> params(facts<Net>.params + simd::read_slack), x(In.size() + simd::read_slack);
  testing::fill(params, g);
  testing::fill(x, g);
  // 2^41: past what Winograd's kernel takes (winograd_safe); the direct kernel runs in every part.
  if (huge_first_input) x[0] = 0x1p41f;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Outputs poisoned with NaN, with a guard band after them that no part may write.
  constexpr std::size_t guard = 2 * simd::lanes;
  std::vector<float> whole(Out.size() + guard, nan), s(scratch, nan);
  L::template kernel<In, Out>(params.data(), x.data(), whole.data(), s.data(), act);
  for (std::size_t i = 0; i < Out.size(); ++i) REQUIRE(whole[i] == whole[i]);
  for (std::size_t parts = 1; parts <= most_parts; ++parts) {
    CAPTURE(parts);
    std::vector<float> y(Out.size() + guard, nan);
    for (std::size_t part = 0; part < parts; ++part) {
      std::vector<float> own(scratch, nan);
      L::template kernel_part<In, Out>(params.data(), x.data(), y.data(), own.data(), act, part, parts);
    }
    CHECK(std::memcmp(y.data(), whole.data(), Out.size() * sizeof(float)) == 0);
    bool guard_intact = true;
    for (std::size_t i = Out.size(); i < y.size(); ++i) guard_intact = guard_intact && y[i] != y[i];
    CHECK(guard_intact);
  }
}

TEST_CASE("kernel_part: convolution rows, padded, strided, on several channel blocks and a partial vector") {
  // The lecture's conv (3 channels, 5x5, pad 2), then stride 2 with round_down, 69 filters (several blocks and
  // a partial vector on every ISA), a 1x1 without padding, and one output row (more parts than rows).
  check_parts<network<input<32, 32, 3>, conv<filters<10>, kernel<5>, pad<2>>>>(34);
  check_parts<network<defaults<round_down>, input<15, 13, 8>, conv<filters<69>, kernel<3>, stride<2>, pad<1>>>>(9);
  check_parts<network<input<7, 9, 16>, conv<filters<16>, kernel<1>>>>(9);
  check_parts<network<input<3, 11, 4>, conv<filters<20>, kernel<3>>>>(3);
  // With relu fused as the model fuses it.
  check_parts<network<input<10, 10, 6>, conv<filters<24>, kernel<3>, pad<1>>>>(
      12, kernels::fused<std::remove_cvref_t<decltype(relu::fusion)>>{relu::fusion});
}

TEST_CASE("kernel_part: convolution by Winograd, rows of tiles split anywhere (and the direct kernel after)") {
  // Odd height (a last half row of tiles), 48 filters: three vectors on AVX-512, six on AVX2, twelve on SSE2.
  using net = network<input<13, 14, 32>, conv<filters<48>, kernel<3>, pad<1>>>;
  static_assert(!simd::available || kernels::uses_winograd<window2d{13, 14, 32, 13, 14, 3, 3, 1, 1, 1, 1, 1, 1}, 48>,
                "the case must run by Winograd");
  check_parts<net>(9);
  check_parts<net>(3, kernels::identity{}, true);
}

TEST_CASE("kernel_part: depthwise and grouped convolution rows") {
  check_parts<network<input<15, 15, 37>, conv<filters<37>, kernel<3>, stride<2>, pad<1>, depthwise>>>(9);
  check_parts<network<input<9, 9, 8>, conv<filters<12>, kernel<3>, pad<1>, groups<4>>>>(11);
}

TEST_CASE("kernel_part: pooling rows, max and average, clipped windows") {
  check_parts<network<input<32, 32, 64>, max_pool<window<2>>>>(18);
  check_parts<network<defaults<round_up>, input<9, 9, 21>, max_pool<window<3>, stride<2>>>>(7);
  check_parts<network<input<11, 11, 20>, avg_pool<window<3>, stride<2>, pad<1>>>>(8);
}

TEST_CASE("kernel_part: dense blocks of units, partial last vector, one block") {
  check_parts<network<input<300>, dense<units<1000>>>>(12);
  check_parts<network<input<17>, dense<units<10>>>>(3);
  check_parts<network<input<64>, dense<units<257>>>>(5);
}

// Which layers one sample on several threads divides: by their work (plan<Net>::divide_from).
using cifar_like = network<input<32, 32, 3>, conv<filters<32>, kernel<3>, pad<1>>, relu, max_pool<window<2>>,
                           flatten, dense<units<64>>, relu, dense<units<10>>>;
static_assert(plan<cifar_like>::divided[1]);   // conv: 884,736 MACs
static_assert(!plan<cifar_like>::divided[2]);  // relu: fused into the conv
// max pooling: 32,768 + 8,192 values read and written, too few on its own, but between two divided
// layers: the threads meet before and after it anyway, and each pools the rows it wrote.
static_assert(plan<cifar_like>::divided[3]);
static_assert(!plan<cifar_like>::divided[4]);  // flatten: passes through
static_assert(plan<cifar_like>::divided[5]);   // dense 8192 -> 64: 524,288 MACs
// dense 64 -> 10: 640 MACs, too few on its own, but the last layer, after a divided one.
static_assert(plan<cifar_like>::divided[7]);
static_assert(plan<cifar_like>::divides);
static_assert(!plan<network<input<4, 4, 1>, conv<filters<2>, kernel<3>>>>::divides);
// LeNet-5 divides only its second convolution (240,000 MACs): too little to wake a second thread for.
static_assert(plan<models::lenet5>::divided[4] && !plan<models::lenet5>::divides);
// A small layer after a divided one and before one that is not stays whole: dividing it would add a
// meeting. The last layer, after a divided one, is divided: no meeting follows it.
using pool_then_small = network<input<32, 32, 32>, conv<filters<32>, kernel<3>, pad<1>>, max_pool<window<2>>,
                                conv<filters<2>, kernel<1>>>;
static_assert(plan<pool_then_small>::divided[1] && !plan<pool_then_small>::divided[2] &&
              !plan<pool_then_small>::divided[3]);
using pool_last = network<input<32, 32, 32>, conv<filters<32>, kernel<3>, pad<1>>, max_pool<window<2>>>;
static_assert(plan<pool_last>::divided[1] && plan<pool_last>::divided[2]);

}  // namespace
