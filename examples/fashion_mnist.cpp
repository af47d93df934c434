// Trains models::fashion_mnist (a network declared as a type) on Fashion-MNIST and reports its test accuracy.
//
//   fashion_mnist [--epochs N] [--threads N] [--seed N] [--limit N] [--csv FILE] [--save FILE]
//                 [--checkpoint FILE] [--resume FILE] [--data DIR]
//
// Adam (lr 1e-3, cosine-annealed to 0 over the epochs), batch 64, cross-entropy; the data from
// Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). --limit trains on the first N
// training images only (a quick check). --csv writes one line per epoch (tools/plot-training draws it);
// --save writes the trained weights as a safetensors file (examples/pictures.cpp draws them).
// --checkpoint FILE saves a checkpoint after every epoch; --resume FILE goes on from one, bit for bit as
// the uninterrupted run (docs/weights.md). Exit status 0 when training ran, 1 on an error.
#include <typenet/io/checkpoint.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/models/fashion_mnist.hpp>
#include <typenet/train/fit.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

namespace tn = typenet;
using net = tn::models::fashion_mnist;

static_assert(tn::param_count<net> == 421'642);
static_assert(tn::output_shape<net> == tn::flat(10));

int main(int argc, char** argv) try {
  std::size_t epochs = 10, threads = 0, limit = 0;
  std::uint64_t seed = 1;
  std::filesystem::path data = "/usr/share/datasets/fashion-mnist", csv, save, checkpoint, resume;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--epochs") epochs = std::stoul(value());
    else if (a == "--threads") threads = std::stoul(value());
    else if (a == "--seed") seed = std::stoull(value());
    else if (a == "--limit") limit = std::stoul(value());
    else if (a == "--csv") csv = value();
    else if (a == "--save") save = value();
    else if (a == "--checkpoint") checkpoint = value();
    else if (a == "--resume") resume = value();
    else if (a == "--data") data = value();
    else throw std::invalid_argument("unknown option " + a +
                                     " (options: --epochs --threads --seed --limit --csv --save --checkpoint --resume --data)");
  }

  constexpr tn::shape in = tn::input_shape<net>;
  tn::data::dataset train = tn::data::load_idx<in>(data / "train-images-idx3-ubyte.gz", data / "train-labels-idx1-ubyte.gz");
  const tn::data::dataset test = tn::data::load_idx<in>(data / "t10k-images-idx3-ubyte.gz", data / "t10k-labels-idx1-ubyte.gz");
  if (limit && limit < train.count) {
    train.count = limit;
    train.images.resize(limit * in.size());
    train.labels.resize(limit);
  }
  std::printf("Fashion-MNIST: %zu training and %zu test images; %zu parameters; %zu epochs; ISA %s\n", train.count,
              test.count, tn::param_count<net>, epochs, std::string(tn::simd::isa()).c_str());

  static tn::model<net> m(tn::he_normal{seed});
  tn::train::trainer<net, tn::train::cross_entropy, tn::train::adam> trainer(m, {.lr = 1e-3},
                                                                             {.batch = 64, .threads = threads});
  tn::train::fit_options o{.epochs = epochs, .seed = seed, .csv = csv};
  if (!resume.empty()) {
    const tn::train::checkpoint_info done = tn::train::load_checkpoint(trainer, resume);
    o.first_epoch = done.epochs;
    o.seed = done.seed;
    std::printf("resuming from %s after epoch %zu (seed %llu)\n", resume.string().c_str(), done.epochs,
                static_cast<unsigned long long>(done.seed));
  }
  if (!checkpoint.empty())
    o.after_epoch = [&](const tn::train::epoch_report& r) { tn::train::save_checkpoint(trainer, checkpoint, {r.epoch, o.seed}); };
  const auto reports = tn::train::fit(trainer, train, &test, o, tn::train::cosine_lr{.epochs = epochs});
  if (!reports.empty()) std::printf("test accuracy after %zu epochs: %.2f%%\n", epochs, 100 * reports.back().test_accuracy);
  if (!save.empty()) {
    tn::save_weights(m, save);
    std::printf("weights written to %s\n", save.string().c_str());
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
  return 1;
}
