// One training step of LeNet-5 against PyTorch: the loss, every parameter's gradient, the updated parameters.
//
// The expected values are tests/fixtures/lenet5_step.bin, written by tools/make-lenet5-step-fixture
// with Debian's python3-torch (it documents the step and the file). The parameters and images come
// from the integer formulas below, which the script repeats.
#include <typenet/models/lenet5.hpp>
#include <typenet/train/trainer.hpp>

#include <doctest/doctest.h>

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
using net = models::lenet5;
constexpr std::size_t batch = 8;

struct fixture {
  float loss = 0;
  std::vector<float> gradients, updated;
};

fixture read_fixture() {
  const std::string path = std::string(TYPENET_FIXTURES_DIR) + "/lenet5_step.bin";
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f, "cannot open " << path);
  char magic[8];
  std::uint64_t count = 0;
  f.read(magic, 8);
  f.read(reinterpret_cast<char*>(&count), 8);
  REQUIRE_MESSAGE(std::memcmp(magic, "tnstep01", 8) == 0, path << " is not a step fixture");
  REQUIRE(count == param_count<net>);
  std::vector<float> v(1 + 2 * count);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  REQUIRE_MESSAGE(f.gcount() == static_cast<std::streamsize>(v.size() * sizeof(float)), path << " is truncated");
  return {v[0], std::vector<float>(v.begin() + 1, v.begin() + 1 + static_cast<std::ptrdiff_t>(count)),
          std::vector<float>(v.begin() + 1 + static_cast<std::ptrdiff_t>(count), v.end())};
}

/// The script's parameter formula, tensor by tensor in typenet's layout, each scaled by its layer's weight fan-in.
void set_parameters(model<net>& m) {
  float* p = m.parameters().data();
  std::size_t i = 0;
  boost::hana::for_each(bound_layers<net>, [&](auto b) {
    using B = typename decltype(b)::type;
    const auto ts = contract::tensors<typename B::layer, B::input, B::output>();
    for (const param_tensor& t : ts)
      for (std::size_t j = 0; j < t.size(); ++j, ++i)
        p[i] = static_cast<float>((static_cast<double>((i * 7919) % 1009) / 1009 - 0.5) * 2 /
                                  std::sqrt(static_cast<double>(ts[0].fan_in)));
  });
}

/// |a - b| within 1e-5 relative to the tensor's scale: 1e-5 x max(|b|, the tensor's largest |value|).
/// (Not element by element: a gradient near 0 is a sum of thousands of float terms that cancel,
/// and both libraries are off by about 1e-9 there. Against a double computation, typenet's
/// largest error on this step's first layer is 1.1e-9 and PyTorch's 2.0e-9, for gradients up to 2.7e-3.)
std::size_t count_differences(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  std::size_t bad = 0, at = 0;
  boost::hana::for_each(bound_layers<net>, [&](auto b) {
    using B = typename decltype(b)::type;
    for (const param_tensor& t : contract::tensors<typename B::layer, B::input, B::output>()) {
      float largest = 0;
      for (std::size_t j = 0; j < t.size(); ++j) largest = std::max(largest, std::abs(want[at + j]));
      for (std::size_t j = 0; j < t.size(); ++j, ++at) {
        const double tol = 1e-5 * std::max<double>(std::abs(want[at]), largest);
        if (!(std::abs(static_cast<double>(got[at]) - want[at]) <= tol))
          if (bad++ < 5)
            FAIL_CHECK(what << " of layer " << B::position << " " << t.name << "[" << j << "]: typenet " << got[at]
                            << ", PyTorch " << want[at]);
      }
    }
  });
  return bad;
}

}  // namespace

TEST_CASE("one training step of LeNet-5 matches PyTorch: loss, every gradient, every updated parameter") {
  const fixture expected = read_fixture();
  static model<net> m;
  set_parameters(m);
  std::vector<float> x(batch * 28 * 28);
  std::vector<std::uint8_t> labels(batch);
  for (std::size_t s = 0; s < batch; ++s) {
    labels[s] = static_cast<std::uint8_t>((3 * s + 1) % 10);
    for (std::size_t h = 0; h < 28; ++h)
      for (std::size_t w = 0; w < 28; ++w)
        x[(s * 28 + h) * 28 + w] = static_cast<float>(static_cast<double>((s * 131 + h * 29 + w * 17) % 97) / 97 - 0.5);
  }
  train::trainer<net, train::cross_entropy, train::sgd> t(
      m, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-3, .nesterov = true}, {.batch = batch});
  const train::step_result r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  INFO("ISA " << simd::isa());
  CHECK(r.loss == doctest::Approx(expected.loss).epsilon(1e-5));
  const std::vector<float> grads(t.gradients().begin(), t.gradients().end());
  CHECK(count_differences(grads, expected.gradients, "gradient") == 0);
  const std::vector<float> updated(m.parameters().begin(), m.parameters().end());
  CHECK(count_differences(updated, expected.updated, "updated parameter") == 0);
}
