// One training step against PyTorch (LeNet-5; a residual network with batch norm in training mode): the loss,
// every parameter's gradient, the updated parameters (and running statistics).
//
// The expected values are tests/fixtures/lenet5_step.bin and bn_step.bin, written by
// tools/make-lenet5-step-fixture with Debian's python3-torch (it documents the steps and the file).
// The parameters and images come from the integer formulas below, which the script repeats.
#include <typenet/models/lenet5.hpp>
#include <typenet/train/trainer.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#ifndef TYPENET_FIXTURES_DIR
#error "TYPENET_FIXTURES_DIR must name tests/fixtures (tests/meson.build sets it)"
#endif

namespace {
using namespace typenet;

struct fixture {
  float loss = 0;
  std::vector<float> gradients, updated;
};

fixture read_fixture(const std::string& name, std::size_t params) {
  const std::string path = std::string(TYPENET_FIXTURES_DIR) + "/" + name;
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f, "cannot open " << path);
  char magic[8];
  std::uint64_t count = 0;
  f.read(magic, 8);
  f.read(reinterpret_cast<char*>(&count), 8);
  REQUIRE_MESSAGE(std::memcmp(magic, "tnstep01", 8) == 0, path << " is not a step fixture");
  REQUIRE(count == params);
  std::vector<float> v(1 + 2 * count);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  REQUIRE_MESSAGE(f.gcount() == static_cast<std::streamsize>(v.size() * sizeof(float)), path << " is truncated");
  return {v[0], std::vector<float>(v.begin() + 1, v.begin() + 1 + static_cast<std::ptrdiff_t>(count)),
          std::vector<float>(v.begin() + 1 + static_cast<std::ptrdiff_t>(count), v.end())};
}

/// The script's parameter formula, tensor by tensor in typenet's layout (running statistics
/// included), each scaled by its layer's weight fan-in (1 for batch norm).
template <class Net>
void set_parameters(model<Net>& m) {
  float* p = m.parameters().data();
  std::size_t i = 0;
  boost::hana::for_each(bound_layers<Net>, [&](auto b) {
    using B = typename decltype(b)::type;
    const auto ts = contract::tensors<typename B::layer, B::input, B::output>();
    for (const param_tensor& t : ts)
      for (std::size_t j = 0; j < t.size(); ++j, ++i)
        p[i] = static_cast<float>((static_cast<double>((i * 7919) % 1009) / 1009 - 0.5) * 2 /
                                  std::sqrt(static_cast<double>(std::max<std::size_t>(ts[0].fan_in, 1))));
  });
}

/// |a - b| within 1e-5 relative to the tensor's scale: 1e-5 x max(|b|, the tensor's largest |value|),
/// and never below 1e-7 x the largest |value| of all.
/// (Not element by element: a gradient near 0 is a sum of thousands of float terms that cancel,
/// and both libraries are off by about 1e-9 there. Against a double computation, typenet's
/// largest error on LeNet-5's first layer is 1.1e-9 and PyTorch's 2.0e-9, for gradients up to
/// 2.7e-3. The bias of a dense layer that a batch norm follows has a gradient of exactly 0 (batch
/// norm removes the mean), which both libraries compute as noise of up to 7e-9.)
template <class Net>
std::size_t count_differences(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  std::size_t bad = 0, at = 0;
  float overall = 0;
  for (float v : want) overall = std::max(overall, std::abs(v));
  boost::hana::for_each(bound_layers<Net>, [&](auto b) {
    using B = typename decltype(b)::type;
    for (const param_tensor& t : contract::tensors<typename B::layer, B::input, B::output>()) {
      float largest = 0;
      for (std::size_t j = 0; j < t.size(); ++j) largest = std::max(largest, std::abs(want[at + j]));
      for (std::size_t j = 0; j < t.size(); ++j, ++at) {
        const double tol = std::max(1e-5 * std::max<double>(std::abs(want[at]), largest), 1e-7 * overall);
        if (!(std::abs(static_cast<double>(got[at]) - want[at]) <= tol))
          if (bad++ < 5)
            FAIL_CHECK(what << " of layer " << B::position << " " << t.name << "[" << j << "]: typenet " << got[at]
                            << ", PyTorch " << want[at]);
      }
    }
  });
  return bad;
}

/// The step of the fixture `name` on Net: a batch of n images from the script's formula, labels
/// (3 s + 1) mod the classes, SGD with the given settings.
template <class Net>
void check_step(const std::string& name, std::size_t n, train::sgd settings) {
  constexpr std::size_t params = facts<Net>.params + facts<Net>.buffers, classes = facts<Net>.output.size();
  constexpr shape in = facts<Net>.input;
  const fixture expected = read_fixture(name, params);
  static model<Net> m;
  set_parameters(m);
  std::vector<float> x(n * in.size());
  std::vector<std::uint8_t> labels(n);
  for (std::size_t s = 0; s < n; ++s) {
    labels[s] = static_cast<std::uint8_t>((3 * s + 1) % classes);
    for (std::size_t h = 0; h < in.height; ++h)
      for (std::size_t w = 0; w < in.width; ++w)
        for (std::size_t c = 0; c < in.depth; ++c)
          x[((s * in.height + h) * in.width + w) * in.depth + c] =
              static_cast<float>(static_cast<double>((s * 131 + h * 29 + w * 17 + c * 53) % 97) / 97 - 0.5);
  }
  train::trainer<Net, train::cross_entropy, train::sgd> t(m, settings, {.batch = n});
  const train::step_result r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  INFO(name << ", ISA " << simd::isa());
  CHECK(r.loss == doctest::Approx(expected.loss).epsilon(1e-5));
  const std::vector<float> grads(t.gradients().begin(), t.gradients().end());
  CHECK(count_differences<Net>(grads, expected.gradients, "gradient") == 0);
  const std::vector<float> updated(m.parameters().begin(), m.parameters().end());
  CHECK(count_differences<Net>(updated, expected.updated, "updated parameter") == 0);
}

}  // namespace

TEST_CASE("one training step of LeNet-5 matches PyTorch: loss, every gradient, every updated parameter") {
  check_step<models::lenet5>("lenet5_step.bin", 8, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-3, .nesterov = true});
}

TEST_CASE("batch norm in training mode matches PyTorch's train(): a residual network's step, the running statistics after it") {
  // Two of the trainer's slices (16 + 4): the batch's statistics are gathered across them.
  using bn_net = network<input<8, 8, 3>, conv<filters<4>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu,
                         residual<conv<filters<4>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu,
                                  conv<filters<4>, kernel<3>, pad<1>, no_bias>, batch_norm<>>,
                         relu, max_pool<window<2>>, flatten, dense<units<6>>, batch_norm<>, relu, dense<units<5>>>;
  static_assert(train_plan<bn_net>::slice == 16);
  check_step<bn_net>("bn_step.bin", 20, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-3});
}
