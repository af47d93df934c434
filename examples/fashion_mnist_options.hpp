// The command line and the data of examples/fashion_mnist.cpp and examples/fashion_mnist_mpi.cpp.
#pragma once

#include <typenet/data/idx.hpp>
#include <typenet/shape.hpp>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

struct fashion_mnist_options {
  std::string model = "vgg";
  std::size_t epochs = 10, threads = 0, limit = 0;
  std::uint64_t seed = 1;
  std::filesystem::path data = "/usr/share/datasets/fashion-mnist", csv, save, checkpoint, resume;
};

/// Reads the options both programs take into o; `own(option, value)` is offered the others first
/// (true: it took the option). `own_names` lists those for the error message.
template <class Own>
fashion_mnist_options read_options(int argc, char** argv, fashion_mnist_options o, const std::string& own_names,
                                   Own&& own) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value (or is not an option)");
    const std::string v = argv[++i];
    if (own(a, v)) continue;
    if (a == "--model") o.model = v;
    else if (a == "--epochs") o.epochs = std::stoul(v);
    else if (a == "--threads") o.threads = std::stoul(v);
    else if (a == "--seed") o.seed = std::stoull(v);
    else if (a == "--limit") o.limit = std::stoul(v);
    else if (a == "--csv") o.csv = v;
    else if (a == "--save") o.save = v;
    else if (a == "--checkpoint") o.checkpoint = v;
    else if (a == "--resume") o.resume = v;
    else if (a == "--data") o.data = v;
    else throw std::invalid_argument("unknown option " + a + " (options: --model --epochs --threads --seed --limit --csv " +
                                     "--save --checkpoint --resume --data" + own_names + ")");
  }
  if (o.model != "vgg" && o.model != "resnet")
    throw std::invalid_argument("--model " + o.model + ": the models are vgg (models::fashion_mnist) and resnet "
                                "(models::fashion_mnist_resnet)");
  return o;
}

/// The training set (its first o.limit images, if o.limit is set) and the test set.
template <typenet::shape In>
std::pair<typenet::data::dataset, typenet::data::dataset> load_fashion_mnist(const fashion_mnist_options& o) {
  typenet::data::dataset train = typenet::data::load_idx<In>(o.data / "train-images-idx3-ubyte.gz",
                                                             o.data / "train-labels-idx1-ubyte.gz");
  typenet::data::dataset test = typenet::data::load_idx<In>(o.data / "t10k-images-idx3-ubyte.gz",
                                                            o.data / "t10k-labels-idx1-ubyte.gz");
  if (o.limit && o.limit < train.count) {
    train.count = o.limit;
    train.images.resize(o.limit * In.size());
    train.labels.resize(o.limit);
  }
  return {std::move(train), std::move(test)};
}
