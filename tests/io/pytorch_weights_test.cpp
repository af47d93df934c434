// Weights made by PyTorch, run by typenet: the committed fixtures of tools/make-weights-fixtures.
//
// Each model has two files: <model>_torch.safetensors, a state_dict that PyTorch trained and
// tools/torch-to-safetensors exported (LeNet-5 on Fashion-MNIST, Cifar10 on synthetic patterns),
// and <model>_torch_io.safetensors, a few inputs ("input", N x C x H x W, F32) with PyTorch's
// logits for them ("output", N x 10, F64: a float64 forward of the same F32 weights and inputs).
// Nothing here needs PyTorch; tests/pytorch/ runs the scripts live when it is installed.
//
// The error measure, per sample: max_i |typenet_i - torch_i| / max_i |torch_i| (the largest
// difference over the sample's outputs, relative to its largest output). A sample passes at 1e-5.
#include <typenet/io/weights.hpp>
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lenet5.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

// Everything here in a namespace of its own: io_tests is a unity build (tests/io/meson.build).
namespace pytorch_weights_tests {
namespace {
using namespace typenet;

const std::filesystem::path fixtures = TYPENET_FIXTURES_DIR;
constexpr double tolerance = 1e-5;

/// A fixture's inputs (PyTorch's C x H x W per sample) and PyTorch's outputs, in double.
struct samples {
  std::size_t n = 0;
  std::vector<float> chw;
  std::vector<double> expected;
};

/// An F64 entry's value i, exactly (safetensors::element rounds to float).
double f64(const safetensors::entry& e, std::size_t i) {
  std::uint64_t bits = 0;
  for (int b = 7; b >= 0; --b) bits = (bits << 8) | std::to_integer<std::uint64_t>(e.bytes[i * 8 + static_cast<std::size_t>(b)]);
  return std::bit_cast<double>(bits);
}

template <class Net>
samples read_samples(const std::string& file) {
  constexpr shape in = facts<Net>.input;
  constexpr std::size_t outputs = facts<Net>.output.size();
  const std::vector<std::byte> bytes = safetensors::read_file(fixtures / file);
  const safetensors::contents c = safetensors::parse(bytes, file);
  const safetensors::entry* x = c.find("input");
  const safetensors::entry* y = c.find("output");
  REQUIRE(x != nullptr);
  REQUIRE(y != nullptr);
  samples s;
  s.n = x->shape.at(0);
  REQUIRE(s.n >= 2);
  REQUIRE(x->shape == std::vector<std::size_t>{s.n, in.depth, in.height, in.width});
  REQUIRE(y->shape == std::vector<std::size_t>{s.n, outputs});
  REQUIRE(y->dtype->name == "F64");
  for (std::size_t i = 0; i < x->count; ++i) s.chw.push_back(safetensors::element(*x, i));
  for (std::size_t i = 0; i < y->count; ++i) s.expected.push_back(f64(*y, i));
  return s;
}

/// The inputs in typenet's H x W x C order, back to back.
template <class Net>
std::vector<float> to_hwc(const samples& s) {
  constexpr shape in = facts<Net>.input;
  std::vector<float> hwc(s.chw.size());
  for (std::size_t k = 0; k < s.n; ++k) chw_to_hwc(in, s.chw.data() + k * in.size(), hwc.data() + k * in.size());
  return hwc;
}

/// max |a - b| / max |b| of sample k.
double relative_error(std::span<const float> got, const std::vector<double>& expected, std::size_t k, std::size_t outputs) {
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < outputs; ++i) {
    const double b = expected[k * outputs + i];
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - b));
    scale = std::max(scale, std::abs(b));
  }
  return diff / scale;
}

/// The worst relative error over the samples of `got` (n outputs back to back).
double worst_error(std::span<const float> got, const samples& s, std::size_t outputs) {
  double worst = 0;
  for (std::size_t k = 0; k < s.n; ++k)
    worst = std::max(worst, relative_error(got.subspan(k * outputs, outputs), s.expected, k, outputs));
  return worst;
}

/// The file's tensors, names and shapes in the file's order, against exchange_tensors<Net>(): the
/// names come from PyTorch's state_dict, so this checks typenet's naming and shapes independently.
template <class Net>
void check_names(const std::string& file) {
  const std::vector<std::byte> bytes = safetensors::read_file(fixtures / file);
  const safetensors::contents c = safetensors::parse(bytes, file);
  const std::vector<exchange_tensor> plan = exchange_tensors<Net>();
  REQUIRE(c.tensors.size() == plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    INFO("tensor " << i);
    CHECK(c.tensors[i].name == plan[i].name);
    CHECK(c.tensors[i].shape == plan[i].torch_shape);
    CHECK(c.tensors[i].dtype->name == "F32");
  }
  // A PyTorch file: no typenet signature, so load_weights checks it tensor by tensor.
  CHECK(c.metadata.count("typenet.signature") == 0);
  CHECK(c.metadata.at("typenet.fixture.command") == "tools/make-weights-fixtures");
}

/// Loads the weights, runs forward per sample and forward_batch, and compares with PyTorch.
template <class Net>
double check_outputs(const std::string& weights, const std::string& io) {
  constexpr std::size_t in = facts<Net>.input.size(), outputs = facts<Net>.output.size();
  model<Net> m;
  load_weights(m, fixtures / weights);
  const samples s = read_samples<Net>(io);
  const std::vector<float> x = to_hwc<Net>(s);

  std::vector<float> one(s.n * outputs);
  for (std::size_t k = 0; k < s.n; ++k)
    m.forward(std::span<const float>(x).subspan(k * in, in), std::span<float>(one).subspan(k * outputs, outputs));
  const double e_one = worst_error(one, s, outputs);
  CHECK(e_one <= tolerance);

  for (std::size_t threads : {std::size_t{1}, std::size_t{0}}) {
    std::vector<float> batch(s.n * outputs, std::nanf(""));
    m.forward_batch(x, batch, threads);
    const double e = worst_error(batch, s, outputs);
    INFO("forward_batch on " << threads << " threads (0: every core)");
    CHECK(e <= tolerance);
  }
  MESSAGE(weights << ": worst relative error of forward " << e_one << " over " << s.n << " samples");
  return e_one;
}

TEST_CASE("pytorch weights: LeNet-5 trained by PyTorch on Fashion-MNIST gives PyTorch's logits") {
  check_names<models::lenet5>("lenet5_torch.safetensors");
  check_outputs<models::lenet5>("lenet5_torch.safetensors", "lenet5_torch_io.safetensors");
}

TEST_CASE("pytorch weights: Cifar10 (named layers) gives PyTorch's logits") {
  check_names<models::cifar10>("cifar10_torch.safetensors");
  check_outputs<models::cifar10>("cifar10_torch.safetensors", "cifar10_torch_io.safetensors");
}

/// torch_models.beyond_lecture(): grouped, depthwise and bias-free layers, ReLU6, adaptive pooling,
/// on 12 x 11 inputs with PyTorch's floor rounding written once.
using beyond_lecture =
    network<defaults<round_down>, input<12, 11, 3>, conv<filters<8>, kernel<3>, pad<1>, no_bias>, relu6,
            conv<filters<8>, kernel<3>, stride<2>, pad<1>, depthwise>, relu6, conv<filters<12>, kernel<1>, groups<4>, no_bias>,
            adaptive_avg_pool<output_size<4, 5>>, conv<filters<24>, kernel<3>, pad<1>, depthwise>, global_avg_pool,
            flatten, dense<units<5>, no_bias>>;

TEST_CASE("pytorch weights: grouped, depthwise and bias-free layers, ReLU6 and adaptive pooling give PyTorch's outputs") {
  static_assert(param_count<beyond_lecture> == 8 * 3 * 9 + (8 * 9 + 8) + 12 * 2 + (24 * 9 + 24) + 24 * 5);
  check_names<beyond_lecture>("beyond_torch.safetensors");
  check_outputs<beyond_lecture>("beyond_torch.safetensors", "beyond_torch_io.safetensors");
}

TEST_CASE("pytorch weights: the comparison sees a layout mistake") {
  // Inputs fed in PyTorch's C x H x W order without chw_to_hwc: the measure must call that wrong, or
  // the tests above could not tell the layouts apart (with one channel LeNet-5's are the same).
  constexpr std::size_t outputs = 10;
  model<models::cifar10> m;
  load_weights(m, fixtures / "cifar10_torch.safetensors");
  const samples s = read_samples<models::cifar10>("cifar10_torch_io.safetensors");
  std::vector<float> y(s.n * outputs);
  m.forward_batch(s.chw, y);
  CHECK(worst_error(y, s, outputs) > 1e-2);
  // And the outputs differ from sample to sample by far more than the tolerance (no constant net).
  double spread = 0;
  for (std::size_t i = 0; i < outputs; ++i) spread = std::max(spread, std::abs(s.expected[i] - s.expected[outputs + i]));
  CHECK(spread > 1.0);
}

TEST_CASE("pytorch weights: one model's file does not load into the other") {
  model<models::cifar10> m;
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  CHECK_THROWS_AS(load_weights(m, fixtures / "lenet5_torch.safetensors"), weights_error);
  CHECK(std::equal(before.begin(), before.end(), m.parameters().begin()));
}

}  // namespace

}  // namespace pytorch_weights_tests
