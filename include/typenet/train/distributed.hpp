// Data-parallel training on MPI ranks: each rank runs its share of every batch, the ranks add up
// the gradients, and every rank makes the same update.
//
// Needs MPI (Debian: libopenmpi-dev; meson: dependency('mpi', language: 'cpp')). Nothing else in
// typenet includes this header, so the library builds and runs without MPI.
//
// A batch is cut into the trainer's slices (train_plan<Net>::slice samples) as on one process;
// rank r of R runs slices [S r / R, S (r + 1) / R) of the batch's S. With reduction::ordered (the
// default) the gradients are added up in slice order, as one process adds them: rank 0 adds its
// slices' gradients, passes the running sum to rank 1, which adds its own and passes it on, in
// chunks so that the ranks work at once; the last rank broadcasts the total. A run on any number
// of ranks then gives the weights of one process, bit for bit. reduction::allreduce adds each
// rank's slices first and then calls MPI_Allreduce in place: MPI's order, faster on many ranks,
// equal to one process within rounding.
#pragma once

#include <typenet/io/checkpoint.hpp>
#include <typenet/train/fit.hpp>
#include <typenet/train/trainer.hpp>

// MPI's C API only: Open MPI 4's C++ bindings (deprecated since MPI 2.2) do not compile with -Wextra -Werror.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace typenet::distributed {

/// How the ranks add up a step's gradients.
enum class reduction {
  ordered,    ///< in slice order, rank after rank: the same bits as one process, on any number of ranks
  allreduce,  ///< each rank's sum, then MPI_Allreduce in place: MPI's order, within rounding of one process
};

/// MPI for the program's lifetime: MPI_Init_thread (unless MPI was started already) and MPI_Finalize.
class environment {
 public:
  environment(int& argc, char**& argv) {
    int started = 0;
    MPI_Initialized(&started);
    if (!started) {
      int provided = 0;
      MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
      owner_ = true;
    }
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment() {
    int finished = 0;
    MPI_Finalized(&finished);
    if (owner_ && !finished) MPI_Finalize();
  }
  static int rank(MPI_Comm comm = MPI_COMM_WORLD) {
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
  }
  static int size(MPI_Comm comm = MPI_COMM_WORLD) {
    int s = 1;
    MPI_Comm_size(comm, &s);
    return s;
  }

 private:
  bool owner_ = false;
};

/// Ends every rank: prints "typenet: rank R: <what>" and calls MPI_Abort. For an error one rank
/// meets alone (a file it cannot read, an exception out of its own code): the other ranks would
/// otherwise wait for it for ever.
[[noreturn]] inline void abort_all(const std::string& what, int code = 1, MPI_Comm comm = MPI_COMM_WORLD) {
  std::fprintf(stderr, "typenet: rank %d of %d: %s\n", environment::rank(comm), environment::size(comm),
               what.c_str());
  std::fflush(stderr);
  MPI_Abort(comm, code);
  std::abort();
}

struct options {
  std::size_t batch = 64;    ///< the global batch: the samples of one step over all ranks
  std::size_t threads = 1;   ///< threads per rank (0: every core of the machine)
  std::uint64_t seed = 0;    ///< dropout's masks, as trainer_options::seed (the same on any number of ranks)
  reduction reduce = reduction::ordered;
  std::size_t chunk = std::size_t{1} << 16;  ///< floats per message of the ordered sum (256 KiB)
};

namespace detail {
template <class T>
MPI_Datatype type_of() {
  if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<T, char>) return MPI_CHAR;
  else return MPI_UINT64_T;
}
/// MPI counts are int: big buffers go in pieces.
template <class T, class Call>
void in_pieces(T* data, std::size_t count, Call&& call) {
  constexpr std::size_t most = std::size_t{1} << 30;
  for (std::size_t at = 0; at < count; at += most) call(data + at, static_cast<int>(std::min(most, count - at)));
}
template <class T>
void broadcast(T* data, std::size_t count, int root, MPI_Comm comm) {
  in_pieces(data, count, [&](T* p, int n) { MPI_Bcast(p, n, type_of<T>(), root, comm); });
}

/// The ranks of a communicator as a trainer's team (train::detail::local_team says what a team does).
class rank_team {
 public:
  rank_team(MPI_Comm comm, reduction r, std::size_t chunk)
      : comm_(comm), rank_(started_rank(comm)), size_(environment::size(comm)), reduce_(r),
        chunk_(std::max<std::size_t>(chunk, 1)) {}

  /// comm's rank of this process; std::logic_error if MPI is not running (MPI itself would abort).
  static int started_rank(MPI_Comm comm) {
    int started = 0, finished = 0;
    MPI_Initialized(&started);
    MPI_Finalized(&finished);
    if (!started || finished)
      throw std::logic_error(std::string("typenet: distributed::trainer: MPI is ") +
                             (finished ? "finalized already" : "not initialized") +
                             "; make a distributed::environment at the start of main and keep it to the end");
    return environment::rank(comm);
  }

  int rank() const { return rank_; }
  int size() const { return size_; }
  MPI_Comm comm() const { return comm_; }

  /// Rank r's first slice of a batch of `slices`.
  std::size_t first_slice(int r, std::size_t slices) const {
    return slices * static_cast<std::size_t>(r) / static_cast<std::size_t>(size_);
  }
  std::pair<std::size_t, std::size_t> slice_range(std::size_t slices) const {
    lo_ = first_slice(rank_, slices);
    hi_ = first_slice(rank_ + 1, slices);
    return {lo_, hi_};
  }

  /// One small all-reduce: the lowest rank with an error, and the batch sizes' range. Every rank
  /// throws the same std::invalid_argument if any rank found an error or the sizes differ.
  void check(const std::string& error, std::size_t n) const {
    long long v[3] = {error.empty() ? 0 : size_ - rank_, static_cast<long long>(n), -static_cast<long long>(n)};
    MPI_Allreduce(MPI_IN_PLACE, v, 3, MPI_LONG_LONG, MPI_MAX, comm_);
    if (v[1] != -v[2])
      throw std::invalid_argument("typenet: distributed::trainer::step: the ranks were given batches of " +
                                  std::to_string(-v[2]) + " to " + std::to_string(v[1]) +
                                  " samples; every rank must step with the same batch size");
    if (v[0] == 0) return;
    const int from = size_ - static_cast<int>(v[0]);
    throw std::invalid_argument(message_from(from, error));
  }

  /// `text` on rank `from`, on every rank.
  std::string text_from(int from, const std::string& text) const {
    unsigned long long length = rank_ == from ? text.size() : 0;
    MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, from, comm_);
    std::string m(length, '\0');
    if (rank_ == from) m = text;
    broadcast(m.data(), m.size(), from, comm_);
    return m;
  }
  /// The same, prefixed with the rank.
  std::string message_from(int from, const std::string& text) const {
    return "typenet: rank " + std::to_string(from) + " of " + std::to_string(size_) + ": " + text_from(from, text);
  }

  /// total = ((0 + p_0) + p_1) + ... over every rank's slices in order, rank after rank.
  void add_up(const double* parts, std::size_t stride, std::size_t here, double* total, std::size_t count) {
    const auto start = clock::now();
    if (lo_ > 0) MPI_Recv(total, static_cast<int>(count), MPI_DOUBLE, rank_ - 1, tag, comm_, MPI_STATUS_IGNORE);
    else std::fill(total, total + count, 0.0);
    for (std::size_t j = 0; j < here; ++j)
      for (std::size_t i = 0; i < count; ++i) total[i] += parts[j * stride + i];
    if (hi_ > 0 && rank_ + 1 < size_) MPI_Send(total, static_cast<int>(count), MPI_DOUBLE, rank_ + 1, tag, comm_);
    broadcast(total, count, size_ - 1, comm_);
    seconds_ += std::chrono::duration<double>(clock::now() - start).count();
  }

  /// g_0 = g_0 + g_1 + ... over every rank's slices (see reduction), then apply on threads.
  template <class Apply>
  void sum_gradients(float* g, std::size_t stride, std::size_t here, std::size_t count, std::size_t threads,
                     Apply&& apply) {
    const auto start = clock::now();
    if (reduce_ == reduction::ordered) ordered_sum(g, stride, here, count);
    else {
      if (here == 0) std::fill(g, g + count, 0.f);
      for (std::size_t j = 1; j < here; ++j)
        for (std::size_t i = 0; i < count; ++i) g[i] += g[j * stride + i];
      in_pieces(g, count, [&](float* p, int n) { MPI_Allreduce(MPI_IN_PLACE, p, n, MPI_FLOAT, MPI_SUM, comm_); });
    }
    seconds_ += std::chrono::duration<double>(clock::now() - start).count();
    const std::size_t parts = std::min(threads, std::max<std::size_t>(count / 4096, 1));
    runtime::thread_pool::shared().run(parts, [&](std::size_t t) { apply(count * t / parts, count * (t + 1) / parts); });
  }

  /// Seconds spent adding up across ranks (waiting included) since the last call.
  double take_seconds() { return std::exchange(seconds_, 0.0); }

 private:
  using clock = std::chrono::steady_clock;
  static constexpr int tag = 7;

  /// The running sum goes from rank to rank in chunks: a rank receives chunk c while it adds
  /// its slices into chunk c - 1, and sends each on as soon as it is done.
  void ordered_sum(float* g, std::size_t stride, std::size_t here, std::size_t count) {
    const std::size_t chunks = (count + chunk_ - 1) / chunk_;
    const bool receives = lo_ > 0, sends = hi_ > 0 && rank_ + 1 < size_;
    if (receives && here > 0 && incoming_.size() < count) incoming_.resize(count);
    float* into = here > 0 ? incoming_.data() : g;  // a rank without slices passes the sum on as it is
    requests_.assign(2 * chunks, MPI_REQUEST_NULL);
    if (receives)
      for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t b = c * chunk_, e = std::min(count, b + chunk_);
        MPI_Irecv(into + b, static_cast<int>(e - b), MPI_FLOAT, rank_ - 1, tag, comm_, &requests_[c]);
      }
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t b = c * chunk_, e = std::min(count, b + chunk_);
      if (receives) MPI_Wait(&requests_[c], MPI_STATUS_IGNORE);
      if (here > 0) {
        if (receives)
          for (std::size_t i = b; i < e; ++i) g[i] = into[i] + g[i];
        for (std::size_t j = 1; j < here; ++j)
          for (std::size_t i = b; i < e; ++i) g[i] += g[j * stride + i];
      }
      if (sends) MPI_Isend(g + b, static_cast<int>(e - b), MPI_FLOAT, rank_ + 1, tag, comm_, &requests_[chunks + c]);
    }
    MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
    broadcast(g, count, size_ - 1, comm_);
  }

  MPI_Comm comm_;
  int rank_, size_;
  reduction reduce_;
  std::size_t chunk_;
  mutable std::size_t lo_ = 0, hi_ = 0;  ///< this rank's slices of the step's batch (slice_range's last answer)
  std::vector<float> incoming_;
  std::vector<MPI_Request> requests_;
  double seconds_ = 0;
};

/// Runs f on rank 0 of comm. If f throws, every rank throws: rank 0 its own exception, the others a
/// std::runtime_error with its message.
template <class F>
void on_rank_zero(MPI_Comm comm, F&& f) {
  std::exception_ptr error;
  std::string text;
  if (environment::rank(comm) == 0) try {
      f();
    } catch (const std::exception& e) {
      error = std::current_exception();
      text = e.what();
    } catch (...) {
      error = std::current_exception();
      text = "an exception that is not a std::exception";
    }
  unsigned long long length[2] = {error ? 1ull : 0ull, text.size()};
  MPI_Bcast(length, 2, MPI_UNSIGNED_LONG_LONG, 0, comm);
  if (length[0] == 0) return;
  text.resize(length[1]);
  broadcast(text.data(), text.size(), 0, comm);
  if (error) std::rethrow_exception(error);
  throw std::runtime_error("typenet: rank 0 of " + std::to_string(environment::size(comm)) + ": " + text);
}

}  // namespace detail

inline namespace TYPENET_ISA_NAMESPACE {

/// A trainer on every rank of an MPI communicator: train::trainer's interface, with a global batch.
/// Made on every rank with the same network, loss, optimizer and options (checked: a rank that
/// differs is a std::runtime_error on every rank); rank 0's parameters are broadcast to all.
template <class Net, class Loss = train::cross_entropy, class Optimizer = train::sgd>
class trainer {
  using local = train::trainer<Net, Loss, Optimizer>;

 public:
  using model_type = typename local::model_type;
  static constexpr std::size_t param_count = local::param_count;
  static constexpr std::size_t slice = local::slice;

  trainer(model_type& m, Optimizer settings, options o = {}, MPI_Comm comm = MPI_COMM_WORLD)
      : team_(comm, o.reduce, o.chunk),
        batch_(o.batch),
        trainer_(m, settings,
                 {.batch = most_samples(o.batch, environment::size(comm)), .threads = o.threads, .seed = o.seed}) {
    if (o.batch == 0) throw std::invalid_argument("typenet: distributed::options::batch must be at least 1");
    check_builds(o, settings);
    synchronize();
  }

  /// The samples [first, last) of a batch of n that this rank runs: its share.
  std::pair<std::size_t, std::size_t> share(std::size_t n) { return local::share(team_, n); }

  /// One step on a batch of n samples (n <= options::batch), of which this rank holds its share
  /// (share(n)): x and labels hold those samples. Called on every rank with the same n. Returns
  /// the batch's mean loss and correct answers (the same on every rank). A wrong size or label on
  /// any rank is std::invalid_argument on every rank, and a NaN or infinite loss
  /// std::domain_error on every rank, before anything changes.
  template <class Label>
    requires(Loss::takes_labels && std::is_integral_v<Label>)
  train::step_result step(std::span<const float> x, std::span<const Label> labels, std::size_t n) {
    if (n > batch_) {
      team_.check("typenet: distributed::trainer::step: a batch of " + std::to_string(n) +
                      " samples is larger than this trainer's options::batch, " + std::to_string(batch_),
                  n);
    }
    const auto start = std::chrono::steady_clock::now();
    train::step_result r = trainer_.step_in_team(team_, n, x, labels);
    last_reduce_ = team_.take_seconds();
    last_step_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    reduce_total_ += last_reduce_;
    step_total_ += last_step_;
    ++steps_;
    return r;
  }

  /// The mean loss and correct answers on n labelled samples (every rank holds them all): each
  /// rank evaluates a contiguous share, and the ranks add up their sums in rank order.
  template <class Label>
    requires(Loss::takes_labels && std::is_integral_v<Label>)
  train::step_result evaluate(std::span<const float> x, std::span<const Label> labels, std::size_t chunk = 256) const {
    constexpr std::size_t in = model_type::input_shape.size();
    const std::size_t n = labels.size();
    const auto r = static_cast<std::size_t>(team_.rank()), R = static_cast<std::size_t>(team_.size());
    const std::size_t first = n * r / R, last = n * (r + 1) / R;
    std::string error;
    train::step_result mine{};
    try {
      if (x.size() != n * in)
        throw std::invalid_argument("typenet: trainer::evaluate: " + std::to_string(n) +
                                    " samples need an input of " + std::to_string(n * in) + " floats, got " +
                                    std::to_string(x.size()));
      if (last > first) mine = trainer_.evaluate(x.subspan(first * in, (last - first) * in), labels.subspan(first, last - first), chunk);
    } catch (const std::invalid_argument& e) {
      error = e.what();
    }
    team_.check(error, n);
    std::vector<double> sums(2 * R);
    double own[2] = {mine.loss * static_cast<double>(mine.samples), static_cast<double>(mine.correct)};
    MPI_Allgather(own, 2, MPI_DOUBLE, sums.data(), 2, MPI_DOUBLE, team_.comm());
    train::step_result total{0, 0, n};
    double correct = 0;
    for (std::size_t k = 0; k < R; ++k) total.loss += sums[2 * k], correct += sums[2 * k + 1];
    total.correct = static_cast<std::size_t>(correct);
    if (n) total.loss /= static_cast<double>(n);
    return total;
  }

  /// Rank 0's parameters, optimizer state, step count and learning rate, on every rank.
  void synchronize() {
    detail::broadcast(trainer_.trained_model().parameters().data(), param_count, 0, team_.comm());
    for (auto [name, values] : trainer_.optimizer_state().state_tensors())
      detail::broadcast(values.data(), values.size(), 0, team_.comm());
    std::uint64_t steps = trainer_.optimizer_state().steps();
    double lr = trainer_.learning_rate();
    MPI_Bcast(&steps, 1, MPI_UINT64_T, 0, team_.comm());
    MPI_Bcast(&lr, 1, MPI_DOUBLE, 0, team_.comm());
    trainer_.optimizer_state().restore_steps(steps);
    trainer_.set_learning_rate(lr);
  }

  std::span<const float> gradients() const { return trainer_.gradients(); }
  double learning_rate() const { return trainer_.learning_rate(); }
  void set_learning_rate(double lr) { trainer_.set_learning_rate(lr); }
  const train::optimizer<Optimizer>& optimizer_state() const { return trainer_.optimizer_state(); }
  train::optimizer<Optimizer>& optimizer_state() { return trainer_.optimizer_state(); }
  model_type& trained_model() { return trainer_.trained_model(); }
  std::size_t threads() const { return trainer_.threads(); }
  /// The global batch (options::batch).
  std::size_t max_batch() const { return batch_; }
  int rank() const { return team_.rank(); }
  int ranks() const { return team_.size(); }
  MPI_Comm comm() const { return team_.comm(); }
  /// Rank 0 reports (train::fit prints and writes its CSV there only).
  bool reports() const { return team_.rank() == 0; }
  /// The last step's wall time, and the part of it spent adding up across ranks (waits included).
  double last_step_seconds() const { return last_step_; }
  double last_reduce_seconds() const { return last_reduce_; }
  /// The same, added up over every step this trainer took (steps_taken() of them).
  double step_seconds() const { return step_total_; }
  double reduce_seconds() const { return reduce_total_; }
  std::size_t steps_taken() const { return steps_; }

 private:
  /// The most samples one rank runs of a batch of `batch`, in whole slices.
  static std::size_t most_samples(std::size_t batch, int ranks) {
    const std::size_t slices = (batch + slice - 1) / slice, R = static_cast<std::size_t>(std::max(ranks, 1));
    return std::max<std::size_t>((slices + R - 1) / R * slice, 1);
  }

  /// Every rank must run the same build: the network, its parameter count, the loss and
  /// optimizer with their settings, the global batch and the reduction. Rank 0's are the reference.
  void check_builds(const options& o, const Optimizer& settings) {
    std::string settings_text;
    for (const auto& [k, v] : train::checkpoint_detail::settings(settings)) settings_text += k + "=" + v + ";";
    const std::string arch = architecture<Net>();
    const std::uint64_t mine[6] = {io_detail::fnv1a(arch), param_count, o.batch, static_cast<std::uint64_t>(o.reduce),
                                   io_detail::fnv1a(settings_text), Loss::takes_labels ? 1u : 2u};
    const auto R = static_cast<std::size_t>(team_.size());
    std::vector<std::uint64_t> all(6 * R);
    MPI_Allgather(mine, 6, MPI_UINT64_T, all.data(), 6, MPI_UINT64_T, team_.comm());
    static constexpr const char* what[6] = {"network", "parameter count", "global batch (options::batch)",
                                            "reduction", "optimizer settings", "loss"};
    for (std::size_t r = 1; r < R; ++r)
      for (std::size_t k = 0; k < 6; ++k)
        if (all[6 * r + k] != all[k]) {
          std::string m = "typenet: distributed::trainer: rank " + std::to_string(r) + " has another " + what[k] +
                          " than rank 0";
          if (k == 0 || k == 1)
            m += ": " + std::to_string(all[6 * r + 1]) + " parameters (network signature " + hex(all[6 * r]) +
                 ") against " + std::to_string(all[1]) + " (" + hex(all[0]) + ")";
          else if (k == 2)
            m += ": " + std::to_string(all[6 * r + 2]) + " against " + std::to_string(all[2]);
          m += "; every rank must run the same build with the same options. Rank 0 runs " + arch_of(0, arch) +
               "; rank " + std::to_string(r) + " runs " + arch_of(static_cast<int>(r), arch);
          throw std::runtime_error(m);
        }
  }
  static std::string hex(std::uint64_t v) {
    char t[17];
    std::snprintf(t, sizeof t, "%016llx", static_cast<unsigned long long>(v));
    return t;
  }
  /// Rank r's architecture text (up to 200 characters), on every rank.
  std::string arch_of(int r, const std::string& arch) const { return team_.text_from(r, arch.substr(0, 200)); }

  mutable detail::rank_team team_;
  std::size_t batch_;
  local trainer_;
  double last_step_ = 0, last_reduce_ = 0, step_total_ = 0, reduce_total_ = 0;
  std::size_t steps_ = 0;
};

/// Writes t's checkpoint (io/checkpoint.hpp) from rank 0; every rank throws if rank 0 could not.
template <class Net, class Loss, class Optimizer>
void save_checkpoint(trainer<Net, Loss, Optimizer>& t, const std::filesystem::path& path, train::checkpoint_info at) {
  detail::on_rank_zero(t.comm(), [&] { train::save_checkpoint(t, path, at); });
}

/// Restores t from a checkpoint that rank 0 reads (the other ranks need not see the file), on
/// every rank; returns where it stands. If rank 0 cannot, every rank throws and t is unchanged.
template <class Net, class Loss, class Optimizer>
train::checkpoint_info load_checkpoint(trainer<Net, Loss, Optimizer>& t, const std::filesystem::path& path) {
  train::checkpoint_info at{};
  detail::on_rank_zero(t.comm(), [&] { at = train::load_checkpoint(t, path); });
  std::uint64_t v[2] = {at.epochs, at.seed};
  MPI_Bcast(v, 2, MPI_UINT64_T, 0, t.comm());
  t.synchronize();
  return {v[0], v[1]};
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::distributed
