// LeNet-5 trained in PyTorch, run by typenet: the whole port is the type, one load_weights call
// and, for images of more than one channel, chw_to_hwc (docs/weights.md walks through it).
//
//   pytorch_port [WEIGHTS] [--data DIR]
//
// WEIGHTS: a file from tools/torch-to-safetensors for torch_models.lenet5() (tools/torch_models.py);
// by default tests/fixtures/lenet5_torch.safetensors, trained by tools/make-weights-fixtures.
#include <typenet/data/idx.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/models/lenet5.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

namespace tn = typenet;
using net = tn::models::lenet5;  // nn.Sequential(Conv2d(1, 6, 5, padding=2), ReLU(), MaxPool2d(2), ...)

int main(int argc, char** argv) try {
  std::filesystem::path weights = TYPENET_SOURCE_DIR "/tests/fixtures/lenet5_torch.safetensors";
  std::filesystem::path data = "/usr/share/datasets/fashion-mnist";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data" && i + 1 < argc) data = argv[++i];
    else weights = a;
  }

  tn::model<net> m;
  tn::load_weights(m, weights);  // names, shapes, types and values checked; all or nothing

  // One channel: PyTorch's C x H x W and typenet's H x W x C are the same order. For colour
  // images, convert each with tn::chw_to_hwc(tn::input_shape<net>, chw, hwc).
  constexpr tn::shape in = tn::input_shape<net>;
  const tn::data::dataset test =
      tn::data::load_idx<in>(data / "t10k-images-idx3-ubyte.gz", data / "t10k-labels-idx1-ubyte.gz");
  std::vector<float> logits(test.count * 10);
  m.forward_batch(test.images, logits);

  std::size_t correct = 0;
  for (std::size_t s = 0; s < test.count; ++s) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < 10; ++k)
      if (logits[s * 10 + k] > logits[s * 10 + best]) best = k;
    correct += best == test.labels[s];
  }
  std::printf("%s: LeNet-5 trained in PyTorch, run by typenet: test accuracy %.2f%% (%zu of %zu)\n",
              weights.filename().string().c_str(), 100.0 * static_cast<double>(correct) / static_cast<double>(test.count),
              correct, test.count);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
