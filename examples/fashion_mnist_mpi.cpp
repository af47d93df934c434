// examples/fashion_mnist.cpp on MPI ranks: data-parallel training (include/typenet/train/distributed.hpp).
//
//   mpirun -np 2 fashion_mnist_mpi [--model vgg|resnet] [--epochs N] [--threads N] [--seed N] [--limit N]
//                                  [--reduction ordered|allreduce] [--csv FILE] [--save FILE]
//                                  [--checkpoint FILE] [--resume FILE] [--data DIR]
//
// Every rank loads the data set; each runs its share of every batch of 64 (the same batches as one
// process with the same seed), the ranks add up the gradients and make the same update. With the
// default ordered reduction the weights are those of `fashion_mnist` with the same options, bit
// for bit, on any number of ranks (examples/mpi_run.py checks it). Rank 0 prints, writes the CSV,
// the weights and the checkpoints; --resume reads a checkpoint on rank 0 only. --threads is per
// rank (default 1: run one rank per core). An error on one rank ends every rank (exit status 1).
#include <typenet/io/weights.hpp>
#include <typenet/models/fashion_mnist.hpp>
#include <typenet/train/distributed.hpp>

#include "fashion_mnist_options.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

namespace tn = typenet;
namespace dist = typenet::distributed;

template <class Net>
int train(const fashion_mnist_options& opt, dist::reduction reduce) {
  const auto [train, test] = load_fashion_mnist<tn::input_shape<Net>>(opt);
  static tn::model<Net> m(tn::he_normal{opt.seed});
  dist::trainer<Net, tn::train::cross_entropy, tn::train::adam> trainer(
      m, {.lr = 1e-3}, {.batch = 64, .threads = opt.threads, .seed = opt.seed, .reduce = reduce});
  const bool main_rank = trainer.rank() == 0;
  if (main_rank)
    std::printf("Fashion-MNIST: %zu training and %zu test images; %zu parameters; %zu epochs; ISA %s; %d ranks x %zu "
                "threads, %s reduction\n",
                train.count, test.count, tn::param_count<Net>, opt.epochs, std::string(tn::simd::isa()).c_str(),
                trainer.ranks(), trainer.threads(), reduce == dist::reduction::ordered ? "ordered" : "MPI_Allreduce");
  tn::train::fit_options o{.epochs = opt.epochs, .seed = opt.seed, .csv = opt.csv};
  if (!opt.resume.empty()) {
    const tn::train::checkpoint_info done = dist::load_checkpoint(trainer, opt.resume);
    o.first_epoch = done.epochs;
    o.seed = done.seed;
    if (main_rank)
      std::printf("resuming from %s after epoch %zu (seed %llu)\n", opt.resume.string().c_str(), done.epochs,
                  static_cast<unsigned long long>(done.seed));
  }
  if (!opt.checkpoint.empty())
    o.after_epoch = [&](const tn::train::epoch_report& r) {
      dist::save_checkpoint(trainer, opt.checkpoint, {r.epoch, o.seed});
    };
  const auto reports = tn::train::fit(trainer, train, &test, o, tn::train::cosine_lr{.epochs = opt.epochs});
  if (main_rank && !reports.empty()) {
    std::printf("test accuracy after %zu epochs: %.2f%%\n", opt.epochs, 100 * reports.back().test_accuracy);
    std::printf("adding up the gradients across ranks: %.2f ms per step on average (of %.2f ms)\n",
                1e3 * trainer.reduce_seconds() / static_cast<double>(trainer.steps_taken()),
                1e3 * trainer.step_seconds() / static_cast<double>(trainer.steps_taken()));
  }
  if (main_rank && !opt.save.empty()) {
    tn::save_weights(m, opt.save);
    std::printf("weights written to %s\n", opt.save.string().c_str());
  }
  return 0;
}

int main(int argc, char** argv) {
  dist::environment mpi(argc, argv);
  try {
    dist::reduction reduce = dist::reduction::ordered;
    fashion_mnist_options defaults;
    defaults.threads = 1;  // one rank per core
    const fashion_mnist_options opt =
        read_options(argc, argv, defaults, " --reduction", [&](const std::string& a, const std::string& v) {
          if (a != "--reduction") return false;
          if (v == "ordered") reduce = dist::reduction::ordered;
          else if (v == "allreduce") reduce = dist::reduction::allreduce;
          else throw std::invalid_argument("--reduction " + v + ": ordered or allreduce");
          return true;
        });
    return opt.model == "vgg" ? train<tn::models::fashion_mnist>(opt, reduce)
                              : train<tn::models::fashion_mnist_resnet>(opt, reduce);
  } catch (const std::exception& e) {
    dist::abort_all(std::string("fashion_mnist_mpi: ") + e.what());  // the other ranks would wait for this one
  }
}
