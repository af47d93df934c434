// Test support for torchvision's models as typenet types (torchvision_test.cpp,
// torchvision_resnet50_test.cpp): the parameter count and MACs PyTorch's own modules give, and the
// forward pass against PyTorch's outputs, from tests/fixtures/models/ (tools/make-model-fixtures).
//
// Each sample passes when max |typenet - PyTorch| / max |PyTorch| over its outputs is within 1e-5
// (3e-5 for the 50-layer networks). The fixtures hold no weights: both sides compute every parameter from one rule, by tensor name and
// element index in PyTorch's order (fixture_weights below; the script documents the rule), so that a
// 1.2-million-parameter model needs a few kilobytes of fixture. The weights reach typenet through
// exchange_tensors, the same name and layout mapping load_weights uses.
#pragma once

#include <typenet/io/weights.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace torchvision_models_tests {
namespace {
using namespace typenet;

const std::filesystem::path fixtures = std::filesystem::path(TYPENET_FIXTURES_DIR) / "models";

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Fills m's parameters by the fixture's rule: element i (PyTorch's order) of tensor `name` is
/// float((2u - 1) a), u = (splitmix64(fnv1a64(name) + i) >> 11) 2^-53, a = sqrt(6 / fan_in) for
/// a tensor of rank 2 or more (fan_in = count / first extent), 0.1 for a vector; a batch norm's
/// scale (a vector named *.weight) is 1 + that, its running_var 0.5 + u.
template <class Net>
void fixture_weights(model<Net>& m) {
  const std::span<float> p = m.parameters();
  for (const exchange_tensor& e : exchange_tensors<Net>()) {
    const double a = e.torch_shape.size() >= 2 ? std::sqrt(6.0 / static_cast<double>(e.count / e.torch_shape[0])) : 0.1;
    const std::uint64_t h = io_detail::fnv1a(e.name);
    const bool variance = e.name.ends_with("running_var");
    const bool scale = e.torch_shape.size() == 1 && e.name.ends_with(".weight");
    e.for_each_element([&](std::size_t torch_index, std::size_t typenet_index) {
      const double u = static_cast<double>(splitmix64(h + torch_index) >> 11) * 0x1p-53;
      const double v = variance ? 0.5 + u : scale ? 1.0 + (2.0 * u - 1.0) * a : (2.0 * u - 1.0) * a;
      p[e.offset + typenet_index] = static_cast<float>(v);
    });
  }
}

double f64(const safetensors::entry& e, std::size_t i) {
  std::uint64_t bits = 0;
  for (int b = 7; b >= 0; --b) bits = (bits << 8) | std::to_integer<std::uint64_t>(e.bytes[i * 8 + static_cast<std::size_t>(b)]);
  return std::bit_cast<double>(bits);
}

/// Runs Net (filled by the rule) on the fixture's inputs; returns the worst error per sample
/// relative to the sample's largest output. Checks the metadata's count against param_count.
template <class Net>
double worst_relative_error(const std::string& file, std::size_t macs_at_224) {
  const std::vector<std::byte> bytes = safetensors::read_file(fixtures / file);
  const safetensors::contents c = safetensors::parse(bytes, file);
  CHECK(std::stoull(c.metadata.at("typenet.fixture.params")) == param_count<Net>);
  CHECK(std::stoull(c.metadata.at("typenet.fixture.macs_at_224")) == macs_at_224);
  const safetensors::entry* x = c.find("input");
  const safetensors::entry* y = c.find("output");
  REQUIRE(x != nullptr);
  REQUIRE(y != nullptr);
  constexpr shape in = input_shape<Net>;
  constexpr std::size_t outputs = output_shape<Net>.size();
  REQUIRE(x->shape == std::vector<std::size_t>{x->shape[0], in.depth, in.height, in.width});
  REQUIRE(y->shape == std::vector<std::size_t>{x->shape[0], outputs});
  model<Net> m;
  fixture_weights(m);
  double worst = 0;
  std::vector<float> chw(in.size()), hwc(in.size()), out(outputs);
  for (std::size_t s = 0; s < x->shape[0]; ++s) {
    for (std::size_t i = 0; i < in.size(); ++i) chw[i] = safetensors::element(*x, s * in.size() + i);
    chw_to_hwc(in, chw.data(), hwc.data());
    m.forward(std::span<const float>(hwc), std::span<float>(out));
    double scale = 0, error = 0;
    for (std::size_t k = 0; k < outputs; ++k) {
      const double want = f64(*y, s * outputs + k);
      scale = std::max(scale, std::abs(want));
      error = std::max(error, std::abs(static_cast<double>(out[k]) - want));
    }
    REQUIRE(scale > 0);
    worst = std::max(worst, std::isnan(error) ? INFINITY : error / scale);
  }
  return worst;
}
}  // namespace
}  // namespace torchvision_models_tests
