// Data-parallel training on MPI ranks (train/distributed.hpp), run as `mpirun -np 2` by run.py:
// two ranks give one process's weights bit for bit (ordered reduction) or within rounding
// (MPI_Allreduce), with batch norm and dropout, with a rank that has no slice of a short batch, and
// resumed from a checkpoint; misuse on one rank is an error on every rank. Every rank runs every
// test case in the same order (their collective calls must meet), so the cases use CHECK, never
// REQUIRE: a failed check on one rank must not leave the other waiting.
//
// With --fault=exit or --fault=throw, rank 1 fails in the middle of training instead (run.py
// checks that every rank ends, with a message, not a hang); --fault=no-mpi makes a trainer before
// MPI starts (run.py runs it as one process, without mpirun).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <typenet/train/distributed.hpp>
#include <typenet/typenet.hpp>

#include "../bands.hpp"
#include "../seed.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {
using namespace typenet;
namespace dist = typenet::distributed;

using net = network<input<8, 8, 1>, conv<filters<4>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, flatten,
                    dense<units<3>>>;
/// Batch norm (statistics added up across slices, so across ranks) and dropout (masks drawn from the
/// sample's place in the batch).
using bn_dropout = network<input<8, 8, 1>, conv<filters<4>, kernel<3>, no_bias>, batch_norm<>, relu,
                           dropout<percent<20>>, max_pool<window<2>>, flatten, dense<units<3>>>;
/// Another network, for a rank that runs the wrong build.
using other = network<input<8, 8, 1>, conv<filters<5>, kernel<3>>, relu, flatten, dense<units<3>>>;

int rank() { return dist::environment::rank(); }

/// One seed for every rank (the data must be the same on all).
std::uint64_t shared_seed() {
  std::uint64_t s = testing::fresh_seed();
  MPI_Bcast(&s, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  return s;
}

std::vector<float> copy(std::span<const float> p) { return {p.begin(), p.end()}; }
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
/// The parameters are the same bits on every rank.
bool same_on_every_rank(const std::vector<float>& p) {
  const std::uint64_t h = io_detail::fnv1a(std::string_view(reinterpret_cast<const char*>(p.data()), p.size() * 4));
  std::uint64_t lo = h, hi = h;
  MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  return lo == hi;
}

/// One process: the reference.
template <class Net, class Optimizer>
std::vector<float> one_process(const data::dataset& d, Optimizer o, std::size_t batch, std::size_t epochs,
                               std::vector<train::epoch_report>* reports = nullptr) {
  model<Net> m(he_normal{3});
  train::trainer<Net, train::cross_entropy, Optimizer> t(m, o, {.batch = batch, .threads = 1, .seed = 5});
  auto r = train::fit(t, d, &d, {.epochs = epochs, .seed = 11, .report = train::progress::none});
  if (reports) *reports = r;
  return copy(m.parameters());
}

template <class Net, class Optimizer>
std::vector<float> on_ranks(const data::dataset& d, Optimizer o, std::size_t batch, std::size_t epochs,
                            dist::reduction r, std::vector<train::epoch_report>* reports = nullptr) {
  model<Net> m(he_normal{rank() == 0 ? 3u : 99u});  // rank 0's parameters are broadcast
  dist::trainer<Net, train::cross_entropy, Optimizer> t(m, o, {.batch = batch, .threads = 1, .seed = 5, .reduce = r});
  auto rep = train::fit(t, d, &d, {.epochs = epochs, .seed = 11, .report = train::progress::none});
  if (reports) *reports = rep;
  return copy(m.parameters());
}
}  // namespace

TEST_CASE("the ranks give one process's weights bit for bit after an epoch (ordered reduction)") {
  // 260 samples in batches of 40 (slices of 16, 16 and 8): six batches of three slices and a last
  // batch of 20, two slices. On 2 ranks, rank 0 runs one slice of each batch and rank 1 the rest;
  // on 4 (run.py runs these cases so too), rank 0 has no part of any batch, and in the last
  // batch rank 2 has none either and passes the running sum from rank 1 on to rank 3.
  const data::dataset d = testing::bands(260, shared_seed());
  static_assert(train_plan<net>::slice == 16);
  std::vector<train::epoch_report> solo, team;
  const train::sgd o{.lr = 0.05, .momentum = 0.9};
  const auto a = one_process<net>(d, o, 40, 1, &solo);
  const auto b = on_ranks<net>(d, o, 40, 1, dist::reduction::ordered, &team);
  CHECK(same_bits(a, b));
  CHECK(same_on_every_rank(b));
  CHECK(solo[0].train_loss == team[0].train_loss);          // the same doubles, added in the same order
  CHECK(solo[0].train_accuracy == team[0].train_accuracy);
  CHECK(solo[0].test_accuracy == team[0].test_accuracy);
  CHECK(team[0].test_loss == doctest::Approx(solo[0].test_loss).epsilon(1e-12));  // two shares' sums
  CHECK(team[0].test_accuracy > 0.8);  // it learned
}

TEST_CASE("batch norm and dropout: the ranks give one process's weights bit for bit") {
  const data::dataset d = testing::bands(250, shared_seed());
  const train::sgd o{.lr = 0.05, .momentum = 0.9};
  const auto a = one_process<bn_dropout>(d, o, 40, 2);
  const auto b = on_ranks<bn_dropout>(d, o, 40, 2, dist::reduction::ordered);
  CHECK(same_bits(a, b));
  CHECK(same_on_every_rank(b));
}

TEST_CASE("MPI_Allreduce: within rounding of one process after an epoch, the same on every rank") {
  const data::dataset d = testing::bands(250, shared_seed());
  const auto a = one_process<net>(d, train::sgd{.lr = 0.05, .momentum = 0.9}, 40, 1);
  const auto b = on_ranks<net>(d, train::sgd{.lr = 0.05, .momentum = 0.9}, 40, 1, dist::reduction::allreduce);
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - b[i]) / std::max(1.0, std::abs(double(a[i]))));
  MESSAGE("largest difference from one process after an epoch: " << worst);
  CHECK(worst < 1e-4);
  CHECK(same_on_every_rank(b));
}

TEST_CASE("a checkpoint resumes a distributed run: 1 + 1 epochs give 2 epochs' weights") {
  const data::dataset d = testing::bands(120, shared_seed());
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "typenet-distributed-checkpoint.safetensors";
  const train::sgd o{.lr = 0.05, .momentum = 0.9};  // the momentum buffer goes through the checkpoint
  const auto straight = on_ranks<net>(d, o, 32, 2, dist::reduction::ordered);
  {
    model<net> m(he_normal{3});
    dist::trainer<net, train::cross_entropy, train::sgd> t(m, o, {.batch = 32, .seed = 5});
    train::fit(t, d, nullptr, {.epochs = 1, .seed = 11, .report = train::progress::none});
    dist::save_checkpoint(t, file, {.epochs = 1, .seed = 11});
  }
  model<net> m(he_normal{rank() == 0 ? 42u : 43u});
  dist::trainer<net, train::cross_entropy, train::sgd> t(m, o, {.batch = 32, .seed = 5});
  const train::checkpoint_info at = dist::load_checkpoint(t, file);
  CHECK(at.epochs == 1);
  train::fit(t, d, nullptr, {.epochs = 2, .seed = at.seed, .report = train::progress::none, .first_epoch = at.epochs});
  CHECK(same_bits(straight, copy(m.parameters())));
  if (rank() == 0) std::filesystem::remove(file);
  // A checkpoint rank 0 cannot read: every rank throws, the trainer is unchanged.
  const auto before = copy(m.parameters());
  CHECK_THROWS_WITH_AS(dist::load_checkpoint(t, "/nonexistent/typenet.safetensors"),
                       doctest::Contains("/nonexistent/typenet.safetensors"), std::exception);  // rank 0's message, on every rank
  CHECK(same_bits(before, copy(m.parameters())));
}

TEST_CASE("a wrong label or size on one rank is an error on every rank, and nothing changes") {
  model<net> m(he_normal{3});
  dist::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.1}, {.batch = 32});
  const auto before = copy(m.parameters());
  const auto [first, last] = t.share(32);
  CHECK(last - first == 16);
  std::vector<float> x((last - first) * 64, 0.25f);
  std::vector<std::uint8_t> labels(last - first, 1);
  if (rank() == 1) labels[3] = 7;
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels), 32),
                       doctest::Contains("rank 1 of 2: typenet: trainer::step: sample 19 has label 7"),
                       std::invalid_argument);
  labels[3] = 1;
  // Another batch size on rank 1.
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels), rank() == 1 ? 30 : 32),
                       doctest::Contains("the ranks were given batches of 30 to 32 samples"), std::invalid_argument);
  // Too large a batch, on every rank.
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels), 33),
                       doctest::Contains("larger than this trainer's options::batch, 32"), std::invalid_argument);
  // A share of the wrong size on rank 0.
  CHECK_THROWS_WITH_AS(
      t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels).first(rank() == 0 ? 15 : 16), 32),
      doctest::Contains("rank 0 of 2: typenet: trainer::step: this process runs samples 0 to 16 of the batch of 32, "
                        "but was given 15 labels"),
      std::invalid_argument);
  CHECK(same_bits(before, copy(m.parameters())));
  CHECK(t.optimizer_state().steps() == 0);
  // And then a good step works, the same on both ranks.
  const auto r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels), 32);
  CHECK(r.samples == 32);
  CHECK(same_on_every_rank(copy(m.parameters())));
}

TEST_CASE("a NaN in one rank's share is std::domain_error on every rank, before the update") {
  model<net> m(he_normal{3});
  dist::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.1}, {.batch = 32});
  const auto before = copy(m.parameters());
  const auto [first, last] = t.share(32);
  std::vector<float> x((last - first) * 64, 0.25f);
  std::vector<std::uint8_t> labels(last - first, 1);
  if (rank() == 1) x[70] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels), 32),
                       doctest::Contains("the parameters were not updated"), std::domain_error);
  CHECK(same_bits(before, copy(m.parameters())));
  CHECK(t.optimizer_state().steps() == 0);
}

TEST_CASE("a rank with another network, parameter count or batch is an error on every rank at start") {
  model<net> a(he_normal{1});
  model<other> b(he_normal{1});
  auto make = [&] {
    if (rank() == 1) dist::trainer<other> t(b, {.lr = 0.1}, {.batch = 32});
    else dist::trainer<net> t(a, {.lr = 0.1}, {.batch = 32});
  };
  CHECK_THROWS_WITH_AS(make(), doctest::Contains("rank 1 has another network than rank 0"), std::runtime_error);
  auto batches = [&] { dist::trainer<net> t(a, {.lr = 0.1}, {.batch = rank() == 1 ? 64u : 32u}); };
  CHECK_THROWS_WITH_AS(batches(), doctest::Contains("rank 1 has another global batch (options::batch) than rank 0: 64 against 32"),
                       std::runtime_error);
  auto settings = [&] { dist::trainer<net> t(a, {.lr = rank() == 1 ? 0.2 : 0.1}, {.batch = 32}); };
  CHECK_THROWS_WITH_AS(settings(), doctest::Contains("rank 1 has another optimizer settings than rank 0"),
                       std::runtime_error);
}

int main(int argc, char** argv) {
  std::string fault_mode;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.rfind("--fault=", 0) == 0) fault_mode = a.substr(8);
    else rest.push_back(argv[i]);
  }
  // Rank 1 fails at its fourth step: `exit` ends its process (as a crash would); `throw` throws out
  // of its training loop into this main, which ends every rank with abort_all.
  if (fault_mode == "no-mpi") {  // a trainer made before MPI_Init: a clear error, not MPI's abort
    try {
      model<net> m(he_normal{3});
      dist::trainer<net> t(m, {.lr = 0.1});
    } catch (const std::logic_error& e) {
      std::printf("%s\n", e.what());
      return 0;
    }
    return 1;
  }
  dist::environment mpi(argc, argv);
  if (!fault_mode.empty()) {
    try {
      const data::dataset d = testing::bands(400, 1);
      model<net> m(he_normal{3});
      dist::trainer<net, train::cross_entropy, train::sgd> t(m, {.lr = 0.05}, {.batch = 32});
      for (std::size_t step = 0; step < 1000000; ++step) {
        if (rank() == 1 && step == 3) {
          if (fault_mode == "exit") {
            std::fprintf(stderr, "rank 1: ending its process at step 3\n");
            std::fflush(stderr);
            ::_exit(3);
          }
          throw std::runtime_error("a fault in rank 1's own code at step 3");
        }
        const auto [first, last] = t.share(32);
        const std::size_t b = step % 12 * 32;
        t.step(std::span<const float>(d.images).subspan((b + first) * 64, (last - first) * 64),
               std::span<const std::uint8_t>(d.labels).subspan(b + first, last - first), 32);
      }
    } catch (const std::exception& e) {
      dist::abort_all(e.what(), 4);
    }
    return 0;
  }
  doctest::Context context(static_cast<int>(rest.size()), rest.data());
  context.setOption("no-colors", true);  // two ranks write to one log
  int failed = context.run();
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return failed;
}
