// Pictures of a network: filter and activation grids (io/pictures.hpp), PNG files (io/png.hpp), layer_outputs (inspect.hpp).
#include "../seed.hpp"

#include <typenet/inspect.hpp>
#include <typenet/io/pictures.hpp>
#include <typenet/io/png.hpp>
#include <typenet/models/fashion_mnist.hpp>
#include <typenet/reference.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <stb/stb_image.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#ifndef TYPENET_FIXTURES_DIR
#error "TYPENET_FIXTURES_DIR must name tests/fixtures (tests/io/meson.build sets it)"
#endif

namespace tn = typenet;
namespace tp = typenet::pictures;

// Everything here in a namespace of its own: io_tests is a unity build (tests/io/meson.build).
namespace pictures_tests {
namespace {

tp::grid_options options_from(const nlohmann::json& o) {
  return {.scale = o.at("scale").get<std::size_t>(),
          .gap = o.at("gap").get<std::size_t>(),
          .columns = o.at("columns").get<std::size_t>(),
          .gap_level = o.at("gap_level").get<std::uint8_t>(),
          .range = o.at("range").get<std::string>() == "whole" ? tp::normalise::whole : tp::normalise::per_tile};
}

/// The first N layers of network Net, as a network of their own.
template <class Net>
struct layers_of;
template <class... Ls>
struct layers_of<tn::network<Ls...>> {
  using type = std::tuple<Ls...>;
};
template <class Net, std::size_t... I>
tn::network<std::tuple_element_t<I, typename layers_of<Net>::type>...> first_layers_of(std::index_sequence<I...>);
template <class Net, std::size_t N>
using first_layers = decltype(first_layers_of<Net>(std::make_index_sequence<N>{}));

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("typenet-pictures-test-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

TEST_CASE("filter and activation grids are the pixels numpy draws (tests/fixtures/pictures.json)") {
  std::ifstream in(TYPENET_FIXTURES_DIR "/pictures.json");
  REQUIRE(in);
  const nlohmann::json fixture = nlohmann::json::parse(in);
  REQUIRE(fixture.at("cases").size() == 6);
  for (const nlohmann::json& c : fixture.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    CAPTURE(name);
    const std::vector<float> input = c.at("input").get<std::vector<float>>();
    const std::vector<std::size_t> dims = c.at("dims").get<std::vector<std::size_t>>();
    const tp::grid_options o = options_from(c.at("options"));
    tp::image im;
    if (c.at("kind") == "filters")
      im = tp::filter_grid(input, {dims[0], dims[1], dims[2], dims[3]}, o);
    else if (c.at("options").value("flat", false))
      im = tp::activation_grid(input, tn::flat(dims[2]), o);
    else
      im = tp::activation_grid(input, tn::volume(dims[0], dims[1], dims[2]), o);
    REQUIRE(im.width == c.at("width").get<std::size_t>());
    REQUIRE(im.height == c.at("height").get<std::size_t>());
    REQUIRE(im.channels == c.at("channels").get<std::size_t>());
    const std::vector<std::uint8_t> expected = c.at("pixels").get<std::vector<std::uint8_t>>();
    REQUIRE(im.pixels.size() == expected.size());
    std::size_t wrong = 0, first = expected.size();
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (im.pixels[i] != expected[i]) ++wrong, first = std::min(first, i);
    CAPTURE(first);
    CHECK(wrong == 0);
  }
}

TEST_CASE("a filter's levels stretch its own minimum to 0 and maximum to 255") {
  // One 2 x 2 grey filter, HWIO: -1, 0 / 1, 3. Levels floor(255 (v + 1) / 4 + 0.5): 0, 64, 128, 255.
  const std::vector<float> w{-1, 0, 1, 3};
  const tp::image im = tp::filter_grid(w, {2, 2, 1, 1}, {.scale = 2});
  REQUIRE(im.width == 4);
  REQUIRE(im.height == 4);
  REQUIRE(im.channels == 1);
  const std::vector<std::uint8_t> expected{0,   0,   64,  64,   //
                                           0,   0,   64,  64,   //
                                           128, 128, 255, 255,  //
                                           128, 128, 255, 255};
  CHECK(im.pixels == expected);
  CHECK(tp::level(0.5, 0.5, 0.5) == 0);  // a constant tile is black
}

TEST_CASE("tiles go row after row with gaps between them; empty places are gap-coloured") {
  // Five 2 x 2 grey filters; filter f is 1 at place f % 4 (row-major) and 0 elsewhere, so the
  // bright block of tile t says which filter it is.
  constexpr std::size_t K = 5, scale = 3, gap = 2;
  std::vector<float> w(2 * 2 * 1 * K, 0.f);
  for (std::size_t f = 0; f < K; ++f) w[(f % 4) * K + f] = 1.f;  // HWIO: ((i * 2 + j) * 1 + 0) * K + f
  const tp::grid_options o{.scale = scale, .gap = gap, .gap_level = 77};
  const tp::image im = tp::filter_grid(w, {2, 2, 1, K}, o);
  const tp::grid g = tp::make_grid(K, 2, 2, o);
  CHECK(g.columns == 3);  // ceil(sqrt(5))
  CHECK(g.rows == 2);
  CHECK(im.width == 3 * 6 + 2 * gap);
  CHECK(im.height == 2 * 6 + 1 * gap);
  CHECK(g.width() == im.width);
  CHECK(g.height() == im.height);
  for (std::size_t t = 0; t < K; ++t) {
    CAPTURE(t);
    CHECK(g.x(t) == t % 3 * (6 + gap));
    CHECK(g.y(t) == t / 3 * (6 + gap));
    for (std::size_t y = 0; y < 6; ++y)
      for (std::size_t x = 0; x < 6; ++x) {
        const bool bright = (y / scale) * 2 + x / scale == t % 4;
        CHECK(im(g.x(t) + x, g.y(t) + y) == (bright ? 255 : 0));
      }
  }
  // The gaps: columns 6, 7 and 14, 15; row 6, 7. The sixth place (row 1, column 2) is empty.
  std::size_t gap_pixels = 0, not_gap = 0;
  for (std::size_t y = 0; y < im.height; ++y)
    for (std::size_t x = 0; x < im.width; ++x) {
      const bool in_gap = (x % 8 >= 6) || (y % 8 >= 6) || (y >= 8 && x >= 16);
      if (in_gap) (im(x, y) == 77 ? ++gap_pixels : ++not_gap);
    }
  CHECK(not_gap == 0);
  CHECK(gap_pixels == im.width * im.height - K * 36);
}

TEST_CASE("colour filters: the three input channels are the pixel's R, G and B") {
  // Two 1 x 1 filters over 3 channels; filter 0 = (0, 1, 2): levels 0, 128, 255; filter 1 = (4, 4, -4): 255, 255, 0.
  const std::vector<float> w{0, 4, 1, 4, 2, -4};  // HWIO: channel c of filter f at c * 2 + f
  const tp::image im = tp::filter_grid(w, {1, 1, 3, 2}, {.gap = 1});
  REQUIRE(im.channels == 3);
  REQUIRE(im.width == 3);
  REQUIRE(im.height == 1);
  const std::vector<std::uint8_t> expected{0, 128, 255, 255, 255, 255, 255, 255, 0};
  CHECK(im.pixels == expected);
}

TEST_CASE("a model's conv layer is drawn from its own weights") {
  tn::model<tn::models::fashion_mnist> m(tn::he_normal{tn::testing::fresh_seed()});
  const tp::image a = tp::filter_grid<"conv1">(m, {.scale = 2});
  const tp::image b = tp::filter_grid(m.parameter<"conv1">("weight"), {3, 3, 1, 32}, {.scale = 2});
  CHECK(a.pixels == b.pixels);
  const tp::image c = tp::filter_grid<"conv2">(m);  // 32 input channels: a row of 32 tiles per filter
  CHECK(c.width == 32 * 3 + 31);
  CHECK(c.height == 64 * 3 + 63);
}

TEST_CASE("wrong sizes are refused") {
  const std::vector<float> w(10);
  CHECK_THROWS_AS(tp::filter_grid(w, {3, 3, 1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(tp::activation_grid(w, tn::volume(3, 3, 1)), std::invalid_argument);
  CHECK_THROWS_AS(tp::write_png(temp_path("bad.png"), tp::image{}), std::invalid_argument);
  tp::image odd(2, 2, 1);
  odd.pixels.pop_back();
  CHECK_THROWS_AS(tp::write_png(temp_path("bad.png"), odd), std::invalid_argument);
  CHECK_THROWS_AS(tp::write_png("/nonexistent-directory/x.png", tp::image(2, 2, 1)), std::runtime_error);
  const tn::model<tn::models::fashion_mnist> m;
  CHECK_THROWS_AS(tn::layer_outputs(m, std::vector<float>(28 * 28 + 1)), std::invalid_argument);
}

TEST_CASE("a written PNG reads back (stb_image) with the same pixels") {
  std::mt19937_64 g(tn::testing::fresh_seed());
  INFO("seed " << tn::testing::fresh_seed());
  for (std::size_t channels : {1, 3}) {
    CAPTURE(channels);
    tp::image im(37, 19, channels);
    for (std::uint8_t& p : im.pixels) p = static_cast<std::uint8_t>(g());
    const auto path = temp_path(std::to_string(channels) + ".png");
    tp::write_png(path, im);
    int w = 0, h = 0, n = 0;
    unsigned char* back = stbi_load(path.c_str(), &w, &h, &n, 0);
    std::filesystem::remove(path);
    REQUIRE(back != nullptr);
    CHECK(w == 37);
    CHECK(h == 19);
    CHECK(n == static_cast<int>(channels));
    CHECK(std::equal(im.pixels.begin(), im.pixels.end(), back));
    stbi_image_free(back);
  }
}

TEST_CASE("layer_outputs: every layer's output, the last one reference::forward's") {
  using net = tn::models::fashion_mnist;
  std::mt19937_64 g(tn::testing::fresh_seed());
  INFO("seed " << tn::testing::fresh_seed());
  const tn::model<net> m(tn::he_normal{g()});
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  std::vector<float> x(tn::input_shape<net>.size());
  for (float& v : x) v = pixel(g);

  // In double: the last output is reference::forward's, up to the rounding of the same sums (the
  // compiler may fuse a multiply and an add in one call site and not in the other: -ffp-contract).
  const std::vector<double> pd(m.parameters().begin(), m.parameters().end()), xd(x.begin(), x.end());
  const auto outs_d = tn::layer_outputs<net, double>(pd.data(), xd);
  std::vector<double> y(tn::output_shape<net>.size());
  tn::reference::forward<net, double>(pd.data(), xd.data(), y.data());
  REQUIRE(outs_d.size() == tn::layer_count<net>);
  REQUIRE(outs_d.back().values.size() == y.size());
  for (std::size_t k = 0; k < y.size(); ++k) CHECK(std::abs(outs_d.back().values[k] - y[k]) <= 1e-12 * (1 + std::abs(y[k])));

  // In float: each layer's output is that of a model of the layers up to it (its own kernels).
  const auto outs = tn::layer_outputs(m, x);
  REQUIRE(outs.size() == tn::layer_count<net>);
  CHECK(outs[0].values == x);
  CHECK(outs[0].kind == "input");
  CHECK(outs[1].kind == "conv");
  CHECK(outs[1].name == "conv1");
  CHECK(outs[2].kind == "relu");
  CHECK(outs[2].name == "");
  CHECK(outs[7].kind == "flatten");
  CHECK(outs[10].name == "fc2");
  CHECK(outs[1](3, 4, 5) == outs[1].values[(3 * 28 + 4) * 32 + 5]);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          constexpr std::size_t N = I + 2;  // layers 0 .. N - 1
          using prefix = first_layers<net, N>;
          CAPTURE(N);
          const auto& o = outs[N - 1];
          CHECK(o.position == N - 1);
          CHECK(o.dims == tn::output_shape<net, N - 1>);
          tn::model<prefix> pm;
          std::copy_n(m.parameters().begin(), tn::param_count<prefix>, pm.parameters().begin());
          std::vector<float> want(tn::output_shape<prefix>.size());
          pm.forward(x, want);
          REQUIRE(o.values.size() == want.size());
          std::size_t wrong = 0;
          for (std::size_t k = 0; k < want.size(); ++k)
            if (!(std::abs(o.values[k] - want[k]) <= 1e-5f + 1e-4f * std::abs(want[k]))) ++wrong;
          CHECK(wrong == 0);
        }(),
        ...);
  }(std::make_index_sequence<tn::layer_count<net> - 1>{});
}

}  // namespace pictures_tests
