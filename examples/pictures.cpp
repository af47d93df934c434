// Draws what models::fashion_mnist learned, as CS231N's lecture 5 shows a network: the first layer's
// filters, and one test image's activation maps at every layer, as PNG files.
//
//   pictures --weights FILE --out DIR [--image N] [--data DIR]
//
// FILE: the weights `fashion_mnist --save FILE` wrote. N: which test image of Fashion-MNIST (default 0;
// Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist, or --data DIR). Writes
// DIR/conv1_filters.png (32 tiles, one 3x3 filter each), DIR/input.png, and for every layer that computes
// (flatten only relabels) DIR/activations_<position>_<name or kind>.png: one tile per channel, or for a
// vector (dense) its values in rows of 16 (or one row). Each image is stretched over its own values:
// black the layer's lowest, white its highest (a filter: each over its own). Prints what it wrote; exit
// status 0, or 1 on an error. docs/pictures.md shows the pictures and how they were made.
#include <typenet/data/idx.hpp>
#include <typenet/inspect.hpp>
#include <typenet/io/pictures.hpp>
#include <typenet/io/png.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/models/fashion_mnist.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace tn = typenet;
namespace tp = typenet::pictures;
using net = tn::models::fashion_mnist;

constexpr std::array<const char*, 10> classes{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

static std::string shape_text(tn::shape s) {
  if (s.flat) return std::to_string(s.depth);
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.depth);
}

int main(int argc, char** argv) try {
  std::filesystem::path weights, out, data = "/usr/share/datasets/fashion-mnist";
  std::size_t index = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--weights") weights = value();
    else if (a == "--out") out = value();
    else if (a == "--image") index = std::stoul(value());
    else if (a == "--data") data = value();
    else throw std::invalid_argument("unknown option " + a + " (options: --weights --out --image --data)");
  }
  if (weights.empty() || out.empty())
    throw std::invalid_argument("usage: pictures --weights FILE --out DIR [--image N] [--data DIR]");

  static tn::model<net> m;
  tn::load_weights(m, weights);
  constexpr tn::shape in = tn::input_shape<net>;
  const tn::data::dataset test =
      tn::data::load_idx<in>(data / "t10k-images-idx3-ubyte.gz", data / "t10k-labels-idx1-ubyte.gz");
  if (index >= test.count)
    throw std::invalid_argument("--image " + std::to_string(index) + ": the test set holds " +
                                std::to_string(test.count) + " images");
  const std::span<const float> x(test.images.data() + index * in.size(), in.size());

  const auto outs = tn::layer_outputs(m, x);
  const std::vector<float>& scores = outs.back().values;
  const auto predicted = static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  std::printf("test image %zu: %s; the network says %s\n", index, classes[test.labels[index]], classes[predicted]);

  std::filesystem::create_directories(out);
  auto write = [&](const std::string& file, const tp::image& im, const std::string& what) {
    tp::write_png(out / file, im);
    std::printf("wrote %s (%zux%zu pixels): %s\n", (out / file).string().c_str(), im.width, im.height, what.c_str());
  };

  // The filters: 3x3, each 16x16 pixels a value, 8 to a row.
  write("conv1_filters.png", tp::filter_grid<"conv1">(m, {.scale = 16, .gap = 4, .columns = 8}),
        "conv1's 32 filters (3x3x1), each stretched over its own weights");

  // Activation maps: tiles about 56 pixels high (the input 224), 8 to a row, the layer's values stretched
  // as a whole. A vector is drawn as rows of 16 values (fc1's 128: 8 rows), or one row (fc2's 10 scores).
  for (const tn::layer_output<float>& o : outs) {
    if (o.position > 0 && o.values == outs[o.position - 1].values) continue;  // a relabelling (flatten)
    const std::size_t n = o.dims.depth;
    const tn::shape s = !o.dims.flat ? o.dims : n % 16 == 0 ? tn::volume(n / 16, 16, 1) : tn::volume(1, n, 1);
    const std::size_t scale = o.position == 0 ? 8 : o.dims.flat ? 20 : std::max<std::size_t>(1, 56 / s.height);
    const tp::image im =
        tp::activation_grid(o.values, s, {.scale = scale, .gap = 2, .columns = 8, .range = tp::normalise::whole});
    const std::string layer = o.name.empty() ? std::string(o.kind) : std::string(o.name);
    if (o.position == 0)
      write("input.png", im, "the input, " + shape_text(o.dims));
    else
      write("activations_" + std::to_string(o.position) + "_" + layer + ".png", im,
            "layer " + std::to_string(o.position) + " (" + std::string(o.kind) + "), " + shape_text(o.dims) +
                (o.dims.flat ? ", values row after row" : ", one map per channel"));
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "pictures: %s\n", e.what());
  return 1;
}
