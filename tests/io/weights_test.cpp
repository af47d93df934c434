// A model in a weights file (io/weights.hpp): names, PyTorch's layouts (OIHW, [out, in], the C, H, W
// order of a flattened volume), conversions, and every way a file can fail to fit a model, each
// leaving the model as it was.
#include <typenet/io/weights.hpp>
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/typenet.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

// Everything here in a namespace of its own: io_tests is a unity build (tests/io/meson.build).
namespace weights_tests {
namespace {
using namespace typenet;
using small = network<input<4, 3, 2>, conv<filters<3>, kernel<2>, name<"conv">>, relu, flatten,
                      dense<units<2>, name<"fc">>>;

std::vector<float> copy(std::span<const float> s) { return {s.begin(), s.end()}; }
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// A file's bytes from raw tensors: name -> (dtype, shape, bytes), in order, with any metadata.
struct raw_tensor {
  std::string name, dtype;
  std::vector<std::size_t> shape;
  std::vector<std::byte> bytes;
};
std::vector<std::byte> file_of(const std::vector<raw_tensor>& tensors, const nlohmann::json& metadata = nullptr) {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata.is_null()) h["__metadata__"] = metadata;
  std::size_t at = 0;
  for (const raw_tensor& t : tensors) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {at, at + t.bytes.size()}}};
    at += t.bytes.size();
  }
  const std::string text = h.dump();
  std::vector<std::byte> out(8);
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::byte>((text.size() >> (8 * i)) & 0xff);
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  for (const raw_tensor& t : tensors) out.insert(out.end(), t.bytes.begin(), t.bytes.end());
  return out;
}
template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& v) {
  std::vector<std::byte> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}
/// The tensors of `m` as PyTorch would hold them, computed here from the HWIO / IO layouts directly.
std::vector<raw_tensor> torch_tensors(model<small>& m) {
  // conv: HWIO (2, 2, 2, 3) -> OIHW (3, 2, 2, 2)
  const auto w = m.weights<"conv">();
  std::vector<float> oihw(24);
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t y = 0; y < 2; ++y)
        for (std::size_t x = 0; x < 2; ++x) oihw[((o * 2 + i) * 2 + y) * 2 + x] = w[((y * 2 + x) * 2 + i) * 3 + o];
  // fc after flattening the 3 x 2 x 3 volume: typenet's input index (y * 2 + x) * 3 + c, PyTorch's (c * 3 + y) * 2 + x
  const auto f = m.weights<"fc">();
  std::vector<float> fc(2 * 18);
  for (std::size_t o = 0; o < 2; ++o)
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t y = 0; y < 3; ++y)
        for (std::size_t x = 0; x < 2; ++x) fc[o * 18 + (c * 3 + y) * 2 + x] = f[((y * 2 + x) * 3 + c) * 2 + o];
  const auto cb = m.biases<"conv">(), fb = m.biases<"fc">();
  return {{"conv.weight", "F32", {3, 2, 2, 2}, bytes_of(oihw)},
          {"conv.bias", "F32", {3}, bytes_of(std::vector<float>(cb.begin(), cb.end()))},
          {"fc.weight", "F32", {2, 18}, bytes_of(fc)},
          {"fc.bias", "F32", {2}, bytes_of(std::vector<float>(fb.begin(), fb.end()))}};
}

/// load_weights must throw weights_error whose text holds each of `parts`, and leave m as it was.
template <class Net>
void refused(model<Net>& m, const std::vector<std::byte>& file, std::vector<std::string> parts, load_options o = {}) {
  const std::vector<float> before = copy(m.parameters());
  try {
    load_weights(m, std::span<const std::byte>(file), o, "test.safetensors");
    FAIL("the file loaded");
  } catch (const weights_error& e) {
    for (const std::string& p : parts) {
      const std::string what = e.what(), note = what + " lacks " + p;
      CHECK_MESSAGE(what.find(p) != std::string::npos, note);
    }
  }
  CHECK(same_bits(copy(m.parameters()), before));
}
}  // namespace

TEST_CASE("a saved model loads back bit for bit, through a file and through bytes") {
  model<models::lenet5> a(he_normal{1}), b(he_normal{2});
  for (std::size_t i = 0; i < 10; ++i) a.parameters()[i * 997 % a.param_count] += 0.25f;  // biases too
  const auto path = std::filesystem::temp_directory_path() / ("typenet-weights-test-" + std::to_string(::getpid()));
  save_weights(a, path);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".partial"));
  load_weights(b, path);
  CHECK(same_bits(copy(b.parameters()), copy(a.parameters())));
  model<models::cifar10> c(he_normal{3}), d(he_normal{4});
  const std::vector<std::byte> bytes = weights_bytes(c);
  load_weights(d, std::span<const std::byte>(bytes));
  CHECK(same_bits(copy(d.parameters()), copy(c.parameters())));
  std::filesystem::remove(path);
}

TEST_CASE("residual and concat networks: names inside the groups, the graph in the architecture, a bit-exact round trip") {
  using graph = network<input<6, 6, 4>,
                        residual<name<"layer1">, conv<filters<4>, kernel<3>, pad<1>, name<"conv1">>, relu,
                                 shortcut<name<"downsample">, conv<filters<4>, kernel<1>, no_bias, name<"0">>>>,
                        relu, concat<branch<conv<filters<2>, kernel<1>, name<"e1">>>, branch<relu>>,
                        flatten, dense<units<3>, name<"fc">>>;
  const auto t = exchange_tensors<graph>();
  REQUIRE(t.size() == 7);  // conv1 weight and bias, the bias-free projection, e1 and fc weight and bias
  CHECK(t[0].name == "layer1.conv1.weight");
  CHECK(t[2].name == "layer1.downsample.0.weight");
  CHECK(t[3].name == "e1.weight");
  CHECK(t[6].name == "fc.bias");
  // The dense layer reads a flattened 6x6x6 volume: PyTorch's C, H, W order, as after a chain.
  CHECK(t[5].torch_shape == std::vector<std::size_t>{3, 216});
  CHECK(t[5].extents.size() == 4);
  // The architecture names what each join reads, so a reordered graph has another signature.
  const std::string a = architecture<graph>();
  CHECK(a.find("add <- 2, 3 -> 6x6x4") != std::string::npos);
  CHECK(a.find("conv 4@1x1 s1 no_bias <- 0 -> 6x6x4") != std::string::npos);
  using swapped = network<input<6, 6, 4>,
                          residual<name<"layer1">, conv<filters<4>, kernel<3>, pad<1>, name<"conv1">>, relu,
                                   shortcut<name<"downsample">, conv<filters<4>, kernel<1>, no_bias, name<"0">>>>,
                          relu, concat<branch<relu>, branch<conv<filters<2>, kernel<1>, name<"e1">>>>,
                          flatten, dense<units<3>, name<"fc">>>;
  CHECK(architecture_signature<graph>() != architecture_signature<swapped>());
  model<graph> m(he_normal{7}), back(he_normal{8});
  const std::vector<std::byte> bytes = weights_bytes(m);
  load_weights(back, std::span<const std::byte>(bytes));
  CHECK(same_bits(copy(back.parameters()), copy(m.parameters())));
}

TEST_CASE("tensors are named by layer name or nn.Sequential index and shaped as PyTorch's") {
  const auto lenet = exchange_tensors<models::lenet5>();
  const std::vector<std::pair<std::string, std::vector<std::size_t>>> expected = {
      {"0.weight", {6, 1, 5, 5}},   {"0.bias", {6}},   {"3.weight", {16, 6, 5, 5}}, {"3.bias", {16}},
      {"7.weight", {120, 400}},     {"7.bias", {120}}, {"9.weight", {84, 120}},     {"9.bias", {84}},
      {"11.weight", {10, 84}},      {"11.bias", {10}}};
  REQUIRE(lenet.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(lenet[i].name == expected[i].first);
    CHECK(lenet[i].torch_shape == expected[i].second);
  }
  const auto cifar = exchange_tensors<models::cifar10>();
  CHECK(cifar[0].name == "conv1.weight");
  CHECK(cifar[6].name == "fc1.weight");
  CHECK(cifar[6].torch_shape == std::vector<std::size_t>{64, 512});
}

TEST_CASE("the file holds OIHW filters and [out, in] dense weights over PyTorch's C, H, W flatten order") {
  model<small> m(he_normal{5});
  const std::vector<std::byte> ours = weights_bytes(m);
  const safetensors::contents c = safetensors::parse(ours, "ours");
  for (const raw_tensor& t : torch_tensors(m)) {
    const safetensors::entry* e = c.find(t.name);
    REQUIRE(e);
    CHECK(e->shape == t.shape);
    CHECK(e->dtype->name == "F32");
    CHECK(std::memcmp(e->bytes.data(), t.bytes.data(), t.bytes.size()) == 0);
  }
  // And the other way: PyTorch's tensors, written independently, load into the same parameters.
  model<small> n(he_normal{6});
  const std::vector<std::byte> theirs = file_of(torch_tensors(m));
  load_weights(n, std::span<const std::byte>(theirs));
  CHECK(same_bits(copy(n.parameters()), copy(m.parameters())));
}

TEST_CASE("a dense layer straight on a volume is written as PyTorch's Flatten + Linear") {
  using direct = network<input<4, 3, 2>, conv<filters<3>, kernel<2>, name<"conv">>, relu, dense<units<2>, name<"fc">>>;
  model<small> m(he_normal{5});
  model<direct> d(he_normal{6});
  std::copy(m.parameters().begin(), m.parameters().end(), d.parameters().begin());
  const std::vector<std::byte> a = weights_bytes(m), b = weights_bytes(d);
  const safetensors::contents ca = safetensors::parse(a, "flatten"), cb = safetensors::parse(b, "direct");
  const safetensors::entry &fa = *ca.find("fc.weight"), &fb = *cb.find("fc.weight");
  CHECK(fb.shape == fa.shape);
  CHECK(std::memcmp(fa.bytes.data(), fb.bytes.data(), fa.bytes.size()) == 0);
}

TEST_CASE("F16, BF16 and F64 files load with conversion") {
  model<small> m(he_normal{5});
  std::vector<raw_tensor> t = torch_tensors(m);
  // conv.bias as F64, fc.bias as F16 (1.5, -0.25: exact), conv.weight as BF16 (its top halves: exact)
  t[1] = {"conv.bias", "F64", {3}, bytes_of(std::vector<double>{0.1, -2.5, 1e-3})};
  t[3] = {"fc.bias", "F16", {2}, bytes_of(std::vector<std::uint16_t>{0x3e00, 0xb400})};
  std::vector<std::uint16_t> bf(24);
  std::vector<float> conv_oihw(24);
  std::memcpy(conv_oihw.data(), t[0].bytes.data(), 96);
  for (std::size_t i = 0; i < 24; ++i) bf[i] = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(conv_oihw[i]) >> 16);
  t[0] = {"conv.weight", "BF16", {3, 2, 2, 2}, bytes_of(bf)};
  model<small> n(he_normal{6});
  const std::vector<std::byte> file = file_of(t);
  load_weights(n, std::span<const std::byte>(file));
  CHECK(n.biases<"conv">()[0] == 0.1f);
  CHECK(n.biases<"conv">()[1] == -2.5f);
  CHECK(n.biases<"conv">()[2] == 1e-3f);
  CHECK(n.biases<"fc">()[0] == 1.5f);
  CHECK(n.biases<"fc">()[1] == -0.25f);
  // conv weight (o, i, y, x) = 1, 0, 1, 0 sits at HWIO (1, 0, 0, 1)
  CHECK(n.weights<"conv">()[((1 * 2 + 0) * 2 + 0) * 3 + 1] ==
        std::bit_cast<float>(static_cast<std::uint32_t>(bf[((1 * 2 + 0) * 2 + 1) * 2 + 0]) << 16));
  CHECK(safetensors::half_to_float(0x0001) == std::ldexp(1.f, -24));  // the smallest subnormal
  CHECK(safetensors::half_to_float(0x7bff) == 65504.f);
  CHECK(std::isinf(safetensors::half_to_float(0xfc00)));
}

TEST_CASE("a file that does not fit the model is refused, names the tensor, and leaves the model as it was") {
  model<small> m(he_normal{5}), src(he_normal{8});
  const std::vector<raw_tensor> good = torch_tensors(src);
  SUBCASE("a missing tensor") {
    std::vector<raw_tensor> t = good;
    t.erase(t.begin() + 2);
    refused(m, file_of(t), {"tensor \"fc.weight\": missing from the file", "a tensor of shape [2, 18]"});
  }
  SUBCASE("an extra tensor") {
    std::vector<raw_tensor> t = good;
    t.push_back({"fc2.weight", "F32", {1}, bytes_of(std::vector<float>{1})});
    refused(m, file_of(t), {"tensor \"fc2.weight\": not a tensor of this model"});
  }
  SUBCASE("a mis-shaped tensor (typenet's own HWIO order is not PyTorch's)") {
    std::vector<raw_tensor> t = good;
    t[0].shape = {2, 2, 2, 3};
    refused(m, file_of(t), {"tensor \"conv.weight\": wrong shape", "expected [3, 2, 2, 2], found [2, 2, 2, 3]"});
  }
  SUBCASE("a mis-typed tensor") {
    std::vector<raw_tensor> t = good;
    t[1] = {"conv.bias", "I32", {3}, bytes_of(std::vector<std::int32_t>{1, 2, 3})};
    refused(m, file_of(t), {"tensor \"conv.bias\": not a floating-point tensor", "found I32"});
  }
  SUBCASE("NaN, infinity, and a double beyond float's range") {
    std::vector<raw_tensor> t = good;
    t[3] = {"fc.bias", "F32", {2}, bytes_of(std::vector<float>{0, std::numeric_limits<float>::quiet_NaN()})};
    refused(m, file_of(t), {"tensor \"fc.bias\"", "not finite at [1]", "found nan"});
    t[3] = {"fc.bias", "F32", {2}, bytes_of(std::vector<float>{-std::numeric_limits<float>::infinity(), 0})};
    refused(m, file_of(t), {"not finite at [0]", "found -inf"});
    t[3] = {"fc.bias", "F64", {2}, bytes_of(std::vector<double>{0, 1e300})};
    refused(m, file_of(t), {"tensor \"fc.bias\"", "a value beyond float's range at [1]", "found 1.0000000000000001e+300"});
    t = good;
    std::vector<float> w(36, 0.f);
    w[1 * 18 + 5] = std::numeric_limits<float>::quiet_NaN();
    t[2] = {"fc.weight", "F32", {2, 18}, bytes_of(w)};
    refused(m, file_of(t), {"tensor \"fc.weight\"", "not finite at [1, 5]"});
  }
  SUBCASE("a file written for another architecture") {
    using other = network<input<4, 3, 2>, conv<filters<3>, kernel<2>, name<"conv">>, typenet::tanh, flatten,
                          dense<units<2>, name<"fc">>>;
    model<other> o(he_normal{1});
    const std::vector<std::byte> file = weights_bytes(o);  // same names and shapes, another activation
    refused(m, file, {"written for another architecture", "relu", "tanh"});
    load_weights(m, std::span<const std::byte>(file), {.check_architecture = false});  // the override
    CHECK(same_bits(copy(m.parameters()), copy(o.parameters())));
  }
  SUBCASE("names given by a map") {
    std::vector<raw_tensor> t = good;
    for (raw_tensor& r : t) r.name = (r.name[0] == 'c' ? "features.0" : "classifier.1") + r.name.substr(r.name.find('.'));
    refused(m, file_of(t), {"tensor \"conv.weight\": missing"});
    load_weights(m, std::span<const std::byte>(file_of(t)), {.rename = {{"features.0", "conv"}, {"classifier.1", "fc"}}});
    CHECK(same_bits(copy(m.parameters()), copy(src.parameters())));
    // a shorter prefix of whole parts maps too; the longest listed one wins
    for (raw_tensor& r : t) r.name = "backbone." + r.name;
    model<small> n(he_normal{9});
    load_weights(n, std::span<const std::byte>(file_of(t)),
                 {.rename = {{"backbone.features", "x"}, {"backbone.features.0", "conv"}, {"backbone.classifier.1", "fc"}}});
    CHECK(same_bits(copy(n.parameters()), copy(src.parameters())));
    refused(n, file_of(t), {"tensor \"conv.weight\": missing"}, {.rename = {{"backbone.feat", "conv"}}});
  }
  SUBCASE("a file that is not there") {
    CHECK_THROWS_WITH_AS(load_weights(m, std::filesystem::path("/nonexistent/typenet.safetensors")),
                         doctest::Contains("cannot open"), weights_error);
  }
}

TEST_CASE("saving refuses parameters that are not finite") {
  model<small> m(he_normal{5});
  m.biases<"fc">()[1] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(weights_bytes(m), std::domain_error);
}

TEST_CASE("a torch_layout that is not a reordering of the layout is a layer author's error") {
  const param_tensor bad{"weight", {2, 3, 1, 1}, 2, "IO", init_rule::zeros, 0, 0, "OX"};
  CHECK_THROWS_WITH_AS(io_detail::plan_tensor("x.weight", 0, bad, std::nullopt),
                       doctest::Contains("is not a reordering of layout \"IO\""), std::logic_error);
}

TEST_CASE("images move between PyTorch's C x H x W and typenet's H x W x C") {
  const shape s = volume(2, 3, 2);
  std::vector<float> chw(12), hwc(12), back(12);
  for (std::size_t i = 0; i < 12; ++i) chw[i] = static_cast<float>(i);
  chw_to_hwc(s, chw.data(), hwc.data());
  CHECK(hwc[(1 * 3 + 2) * 2 + 1] == chw[(1 * 2 + 1) * 3 + 2]);  // (y 1, x 2, c 1)
  hwc_to_chw(s, hwc.data(), back.data());
  CHECK(back == chw);
}

}  // namespace weights_tests
