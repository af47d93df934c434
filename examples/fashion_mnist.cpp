// Trains a network declared as a type on Fashion-MNIST and reports its test accuracy: models::fashion_mnist
// (the default) or, with --model resnet, models::fashion_mnist_resnet (residual blocks, batch norm, dropout).
//
//   fashion_mnist [--model vgg|resnet] [--epochs N] [--threads N] [--seed N] [--limit N] [--csv FILE]
//                 [--save FILE] [--checkpoint FILE] [--resume FILE] [--data DIR]
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

#include "fashion_mnist_options.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

namespace tn = typenet;

static_assert(tn::param_count<tn::models::fashion_mnist> == 421'642);
static_assert(tn::param_count<tn::models::fashion_mnist_resnet> == 19'706);
static_assert(tn::output_shape<tn::models::fashion_mnist> == tn::flat(10));
static_assert(tn::output_shape<tn::models::fashion_mnist_resnet> == tn::flat(10));

template <class Net>
int train(const fashion_mnist_options& opt) {
  const auto [train, test] = load_fashion_mnist<tn::input_shape<Net>>(opt);
  std::printf("Fashion-MNIST: %zu training and %zu test images; %zu parameters; %zu epochs; ISA %s\n", train.count,
              test.count, tn::param_count<Net>, opt.epochs, std::string(tn::simd::isa()).c_str());

  static tn::model<Net> m(tn::he_normal{opt.seed});
  tn::train::trainer<Net, tn::train::cross_entropy, tn::train::adam> trainer(
      m, {.lr = 1e-3}, {.batch = 64, .threads = opt.threads, .seed = opt.seed});
  tn::train::fit_options o{.epochs = opt.epochs, .seed = opt.seed, .csv = opt.csv};
  if (!opt.resume.empty()) {
    const tn::train::checkpoint_info done = tn::train::load_checkpoint(trainer, opt.resume);
    o.first_epoch = done.epochs;
    o.seed = done.seed;
    std::printf("resuming from %s after epoch %zu (seed %llu)\n", opt.resume.string().c_str(), done.epochs,
                static_cast<unsigned long long>(done.seed));
  }
  if (!opt.checkpoint.empty())
    o.after_epoch = [&](const tn::train::epoch_report& r) {
      tn::train::save_checkpoint(trainer, opt.checkpoint, {r.epoch, o.seed});
    };
  const auto reports = tn::train::fit(trainer, train, &test, o, tn::train::cosine_lr{.epochs = opt.epochs});
  if (!reports.empty())
    std::printf("test accuracy after %zu epochs: %.2f%%\n", opt.epochs, 100 * reports.back().test_accuracy);
  if (!opt.save.empty()) {
    tn::save_weights(m, opt.save);
    std::printf("weights written to %s\n", opt.save.string().c_str());
  }
  return 0;
}

int main(int argc, char** argv) try {
  const fashion_mnist_options opt =
      read_options(argc, argv, {}, "", [](const std::string&, const std::string&) { return false; });
  return opt.model == "vgg" ? train<tn::models::fashion_mnist>(opt) : train<tn::models::fashion_mnist_resnet>(opt);
} catch (const std::exception& e) {
  std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
  return 1;
}
