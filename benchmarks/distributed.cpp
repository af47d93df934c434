// Data-parallel training speed (include/typenet/train/distributed.hpp): the figures
// docs/distributed.md's projection starts from. benchmarks/run-distributed runs both modes in turns:
//
//   distributed --mode single [--only NET]               one process: images/s of whole training
//                                                        steps on 1 and on 2 threads
//   mpirun -np 2 distributed --mode ranks [--only NET]   two ranks x 1 thread: images/s, the part of
//                                                        a step spent adding up across ranks, and the
//                                                        reduction alone on the gradient buffer
//                                                        (ordered and MPI_Allreduce)
//
// Each line: "<what> <net> batch <B> <value>". Steps are SGD with momentum on random data; a
// figure is the median of --runs timed runs (default 3) of at least --min-time seconds.
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/models/resnet.hpp>
#include <typenet/train/distributed.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {
namespace tn = typenet;
namespace dist = typenet::distributed;
using clock_type = std::chrono::steady_clock;

struct settings {
  std::string mode, only;
  int runs = 3;
  double min_time = 1.0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Times `step` (one step of `batch` images) over runs of at least min_time seconds; images/s.
template <class Step>
double rate(const settings& s, std::size_t batch, Step&& step, MPI_Comm comm = MPI_COMM_NULL) {
  step(0);  // warm up
  std::vector<double> rates;
  for (int r = 0; r < s.runs; ++r) {
    if (comm != MPI_COMM_NULL) MPI_Barrier(comm);
    std::size_t images = 0, k = 0;
    const auto start = clock_type::now();
    double seconds = 0;
    int more = 1;
    while (more) {
      step(++k);
      images += batch;
      seconds = std::chrono::duration<double>(clock_type::now() - start).count();
      more = seconds < s.min_time;
      if (comm != MPI_COMM_NULL) MPI_Allreduce(MPI_IN_PLACE, &more, 1, MPI_INT, MPI_MAX, comm);  // stop together
    }
    rates.push_back(static_cast<double>(images) / seconds);
  }
  return median(rates);
}

template <class Net>
struct data {
  static constexpr std::size_t in = tn::input_shape<Net>.size(), classes = tn::output_shape<Net>.size();
  std::size_t batch;
  std::vector<float> x;
  std::vector<std::uint8_t> labels;
  explicit data(std::size_t b) : batch(b), x(4 * b * in), labels(4 * b) {
    std::mt19937_64 g(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    for (float& v : x) v = u(g);
    for (auto& l : labels) l = static_cast<std::uint8_t>(g() % std::min<std::size_t>(classes, 256));
  }
  std::span<const float> images(std::size_t k, std::size_t first, std::size_t count) const {
    return std::span<const float>(x).subspan(((k % 4) * batch + first) * in, count * in);
  }
  std::span<const std::uint8_t> label(std::size_t k, std::size_t first, std::size_t count) const {
    return std::span<const std::uint8_t>(labels).subspan((k % 4) * batch + first, count);
  }
};

template <class Net>
void single(const settings& s, const char* name, std::size_t batch) {
  const data<Net> d(batch);
  for (std::size_t threads : {1, 2}) {
    static tn::model<Net> m(tn::he_normal{1});
    tn::train::trainer<Net, tn::train::cross_entropy, tn::train::sgd> t(m, {.lr = 0.001, .momentum = 0.9},
                                                                        {.batch = batch, .threads = threads});
    const double r = rate(s, batch, [&](std::size_t k) { t.step(d.images(k, 0, batch), d.label(k, 0, batch)); });
    std::printf("single%zu %s batch %zu %.1f\n", threads, name, batch, r);
    std::fflush(stdout);
  }
}

template <class Net>
void ranks(const settings& s, const char* name, std::size_t batch) {
  const data<Net> d(batch);
  const int rank = dist::environment::rank();
  for (auto reduce : {dist::reduction::ordered, dist::reduction::allreduce}) {
    static tn::model<Net> m(tn::he_normal{1});
    dist::trainer<Net, tn::train::cross_entropy, tn::train::sgd> t(
        m, {.lr = 0.001, .momentum = 0.9}, {.batch = batch, .threads = 1, .reduce = reduce});
    const auto [first, last] = t.share(batch);
    double reduce_seconds = 0, step_seconds = 0;
    const double r = rate(
        s, batch,
        [&](std::size_t k) {
          t.step(d.images(k, first, last - first), d.label(k, first, last - first), batch);
          reduce_seconds += t.last_reduce_seconds();
          step_seconds += t.last_step_seconds();
        },
        MPI_COMM_WORLD);
    const char* how = reduce == dist::reduction::ordered ? "ordered" : "allreduce";
    if (rank == 0) {
      std::printf("ranks2_%s %s batch %zu %.1f\n", how, name, batch, r);
      std::printf("in_step_reduce_share_%s %s batch %zu %.4f\n", how, name, batch, reduce_seconds / step_seconds);
    }
    // The reduction alone: the gradient buffer (one slice per rank), after a barrier.
    dist::detail::rank_team team(MPI_COMM_WORLD, reduce, dist::options{}.chunk);
    std::vector<float> g(tn::param_count<Net> * 1, 1.f);
    (void)team.slice_range(2);
    std::vector<double> times;
    for (int i = 0; i < std::max(5, 4 * s.runs); ++i) {
      std::fill(g.begin(), g.end(), 1.f);
      MPI_Barrier(MPI_COMM_WORLD);
      const auto start = clock_type::now();
      team.sum_gradients(g.data(), g.size(), 1, g.size(), 1, [](std::size_t, std::size_t) {});
      double took = std::chrono::duration<double>(clock_type::now() - start).count();
      MPI_Allreduce(MPI_IN_PLACE, &took, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);  // the slower rank's
      times.push_back(took);
    }
    if (rank == 0) std::printf("reduce_%s %s params %zu %.6f\n", how, name, tn::param_count<Net>, median(times));
    std::fflush(stdout);
  }
}

template <class Net>
void workload(const settings& s, const char* name, std::size_t batch) {
  if (!s.only.empty() && s.only != name) return;
  if (s.mode == "single") single<Net>(s, name, batch);
  else ranks<Net>(s, name, batch);
}
}  // namespace

int main(int argc, char** argv) {
  dist::environment mpi(argc, argv);
  settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--mode") s.mode = v;
    else if (a == "--only") s.only = v;
    else if (a == "--runs") s.runs = std::stoi(v);
    else if (a == "--min-time") s.min_time = std::stod(v);
  }
  if (s.mode != "single" && s.mode != "ranks") {
    std::fprintf(stderr, "usage: distributed --mode single|ranks [--only lenet5|cifar10|resnet18] [--runs N] [--min-time S]\n");
    return 2;
  }
  if (s.mode == "single" && dist::environment::size() != 1) {
    std::fprintf(stderr, "distributed: --mode single runs as one process, without mpirun\n");
    return 2;
  }
  std::printf("# %s, %s, %d process(es)\n", s.mode.c_str(), std::string(tn::simd::isa()).c_str(),
              dist::environment::size());
  workload<tn::models::lenet5>(s, "lenet5", 64);
  workload<tn::models::cifar10>(s, "cifar10", 64);
  workload<tn::models::resnet18<>>(s, "resnet18", 16);
}
