// Residual and concat networks at run time: model<Net> (planned buffers, fused activations, batches)
// against the double reference, and the memory plan.
#include "kernels/check.hpp"

#include <typenet/typenet.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace topology_tests {
namespace {
using namespace typenet;
using testing::check_against_reference;

// ResNet's basic block with an identity shortcut, and with a projection (stride 2, more filters).
template <std::size_t K>
using basic = residual<conv<filters<K>, kernel<3>, pad<1>, no_bias>, relu, conv<filters<K>, kernel<3>, pad<1>, no_bias>>;
template <std::size_t K>
using down = residual<conv<filters<K>, kernel<3>, stride<2>, pad<1>, no_bias>, relu,
                      conv<filters<K>, kernel<3>, pad<1>, no_bias>,
                      shortcut<conv<filters<K>, kernel<1>, stride<2>, no_bias>>>;
using resnet_like = network<defaults<round_down>, input<16, 16, 3>, conv<filters<16>, kernel<3>, pad<1>>, relu,
                            basic<16>, relu, down<32>, relu, basic<32>, relu, global_avg_pool, flatten,
                            dense<units<10>>>;
// SqueezeNet's fire module: squeeze 1x1, then 1x1 and 3x3 expansions side by side.
template <std::size_t S, std::size_t E>
using fire = block<conv<filters<S>, kernel<1>>, relu,
                   concat<branch<conv<filters<E>, kernel<1>>, relu>, branch<conv<filters<E>, kernel<3>, pad<1>>, relu>>>;
using squeeze_like = network<defaults<round_up>, input<15, 15, 3>, conv<filters<16>, kernel<3>, stride<2>>, relu,
                             max_pool<window<3>, stride<2>>, fire<4, 8>, fire<4, 8>, max_pool<window<3>, stride<2>>,
                             fire<8, 16>, conv<filters<10>, kernel<1>>, relu, global_avg_pool, flatten>;

// The memory plan: a chain keeps two buffers; a residual keeps its input in a third until its sum.
static_assert(plan<network<input<8, 8, 4>, conv<filters<4>, kernel<3>, pad<1>>, relu, conv<filters<4>, kernel<1>>>>::buffers == 2);
static_assert(plan<resnet_like>::buffers == 3);
static_assert(plan<squeeze_like>::buffers == 3);  // the squeeze output, read by both branches, and two more
static_assert(workspace_floats<resnet_like> == 3 * plan<resnet_like>::activation_floats + plan<resnet_like>::scratch_floats);
// The relu after a sum is applied by the sum's kernel; a relu whose conv output a shortcut reads too is not fused.
static_assert(plan<network<input<4, 4, 2>, residual<conv<filters<2>, kernel<1>>>, relu>>::steps[3] == step::fused);
static_assert(plan<network<input<4, 4, 2>, conv<filters<2>, kernel<1>>, residual<relu>>>::steps[2] == step::run);

TEST_CASE("residual blocks: identity and projection shortcuts, a relu fused after each sum = the double reference") {
  check_against_reference<resnet_like>();
  // A residual first thing: the network's input is read by the branch and by the sum.
  check_against_reference<network<input<6, 6, 5>, residual<conv<filters<5>, kernel<3>, pad<1>>, relu>, relu>>();
  // Nested residuals, and a branch of one layer.
  check_against_reference<network<input<5, 5, 4>, residual<residual<conv<filters<4>, kernel<1>>>, relu>,
                                  residual<sigmoid>>>();
  // Flat vectors: a residual around dense layers.
  check_against_reference<network<input<20>, dense<units<12>>, residual<dense<units<12>>, relu, dense<units<12>>>>>();
}

TEST_CASE("concat: branches joined along the channels = the double reference") {
  check_against_reference<squeeze_like>();
  check_against_reference<network<input<7, 7, 3>, concat<branch<conv<filters<5>, kernel<1>>>,
                                                         branch<conv<filters<17>, kernel<3>, pad<1>>, relu>,
                                                         branch<avg_pool<window<3>, stride<1>, pad<1>>>>>>();
  check_against_reference<network<input<12>, concat<branch<dense<units<3>>>, branch<dense<units<4>>, relu>>>>();
}

TEST_CASE("concat puts the first branch's channels first, position by position, as torch.cat(dim=1)") {
  // Branch 1: the input (2 channels) scaled by a 1x1 conv of weight 1; branch 2: relu of the input.
  using net = network<input<1, 2, 2>, concat<branch<conv<filters<2>, kernel<1>>>, branch<relu>>>;
  model<net> m;
  std::fill(m.parameters().begin(), m.parameters().end(), 0.f);
  m.weights<1>()[0] = m.weights<1>()[3] = 1.f;  // identity 2x2 (HWIO: c0->k0, c1->k1)
  const auto y = m.forward({{-1.f, 2.f, 3.f, -4.f}});
  const float want[] = {-1.f, 2.f, 0.f, 2.f, 3.f, -4.f, 3.f, 0.f};
  REQUIRE(y.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) CHECK(y[i] == want[i]);
}

TEST_CASE("residual networks: batches on any number of threads, and input and output in one buffer") {
  const std::uint64_t seed = testing::fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  using net = network<input<6, 6, 4>, residual<conv<filters<4>, kernel<3>, pad<1>>, relu>, relu, flatten>;
  model<net> m;
  testing::fill(m.parameters(), g);
  constexpr std::size_t in = 144;
  std::vector<float> x(9 * in), one(9 * in), y1(9 * in), y2(9 * in);
  testing::fill(x, g);
  for (std::size_t s = 0; s < 9; ++s)
    m.forward(std::span<const float>(x).subspan(s * in, in), std::span<float>(one).subspan(s * in, in));
  m.forward_batch(x, y1, 1);
  m.forward_batch(x, y2, 2);
  CHECK(y1 == one);
  CHECK(y2 == one);
  // Input and output the same buffer: the residual reads its input at the sum, after the output is written.
  std::vector<float> inout(x.begin(), x.begin() + in);
  m.forward(std::span<const float>(inout), std::span<float>(inout));
  CHECK(std::equal(inout.begin(), inout.end(), one.begin()));
}

}  // namespace
}  // namespace topology_tests
