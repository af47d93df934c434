// The layer contract from outside the library: a new layer kind in this one file runs through the model, the
// reference and the summary, and a new elementwise function is fused into the kernel before it.
#include "kernels/check.hpp"

#include "../examples/channel_affine.hpp"

#include <typenet/typenet.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace {
using namespace typenet;

/// x^3, elementwise: a float/vector function is all it takes to run alone or fused.
struct cube_op {
  template <class V>
  constexpr V operator()(V x) const {
    return x * x * x;
  }
};
struct cube : tn::elementwise<cube> {
  static constexpr std::string_view kind = "cube";
  static constexpr cube_op fusion{};
};

using affine_net = network<input<6, 6, 5>, conv<filters<7>, kernel<3>, pad<1>>, channel_affine, relu,
                           max_pool<window<2>>, flatten, dense<units<4>>>;
static_assert(fits<affine_net>);
static_assert(param_count<affine_net, 2> == 14);
static_assert(mac_count<affine_net, 2> == 6 * 6 * 7);
// channel_affine has no kernel that takes an epilogue: the relu after it runs on its own.
static_assert(plan<affine_net>::steps[2] == step::run && plan<affine_net>::steps[3] == step::run);

using cube_net = network<input<5, 5, 3>, conv<filters<9>, kernel<3>>, cube, dense<units<6>>, cube>;
static_assert(plan<cube_net>::steps[2] == step::fused && plan<cube_net>::steps[4] == step::fused);

TEST_CASE("a layer kind defined outside the library runs through the model and the reference") {
  testing::check_against_reference<affine_net>();
  model<affine_net> m(he_normal{3});
  for (float s : m.parameter<2>("scale")) CHECK(s == 1.f);
  for (float s : m.parameter<2>("shift")) CHECK(s == 0.f);
  CHECK(m.parameter<2>("shift").data() == m.parameter<2>("scale").data() + 7);
  CHECK_THROWS_WITH_AS(m.parameter<2>("weight"), "typenet: layer 2 (channel_affine) has no tensor named \"weight\"",
                       std::invalid_argument);
  static_assert(model<affine_net>::tensors<2>[0].name == "scale");
  static_assert(model<affine_net>::tensors<1>[0].layout == "HWIO");
}

TEST_CASE("a user's elementwise function is fused into conv and dense kernels") {
  testing::check_against_reference<cube_net>(-0.5f, 0.5f);
}

TEST_CASE("the summary lists the user's layer with its parameters") {
  const std::string s = summary_string<affine_net>();
  CHECK(s.find("channel_affine") != std::string::npos);
  // conv 3*3*5*7 + 7 = 322, channel_affine 7 + 7 = 14, dense 3*3*7*4 + 4 = 256
  CHECK(s.find("total params: 592") != std::string::npos);
}
}  // namespace
