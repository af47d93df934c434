// trainer<Net, Loss, Optimizer>: one training step on a mini-batch (forward, loss, backward, update) on the thread pool.
//
// A batch runs in slices of train_plan<Net>::slice samples; threads take
// slices, each slice adds its gradients into a buffer of its own, and the
// buffers are summed in slice order: the same batch gives bit-identical
// results on any number of threads. Everything a step needs is allocated
// when the trainer is made; a step allocates nothing.
#pragma once

#include <typenet/model.hpp>
#include <typenet/runtime/thread_pool.hpp>
#include <typenet/runtime/workspaces.hpp>
#include <typenet/train/backprop.hpp>
#include <typenet/train/loss.hpp>
#include <typenet/train/optimizer.hpp>
#include <typenet/train/plan.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace typenet::train {
// Keyed on the ISA, as the kernels: every function here is compiled for the unit's instruction set
// (kernels/isa.hpp), so units built for different ISAs never share one.
inline namespace TYPENET_ISA_NAMESPACE {


/// What one step (or an evaluation) measured: the mean loss, the samples
/// whose largest output was their label (classification), and how many samples.
struct step_result {
  double loss = 0;
  std::size_t correct = 0;
  std::size_t samples = 0;
};

struct trainer_options {
  std::size_t batch = 64;   ///< the largest mini-batch a step takes
  std::size_t threads = 0;  ///< 0: every core; never more than the cores nor the slices of a batch
  std::uint64_t seed = 0;   ///< with the step's number, draws dropout's masks (the same on any thread count)
};

namespace detail {
/// A layer whose output is the softmax of its input (softmax says so).
template <class L>
concept gives_probabilities = requires { requires L::probabilities_from_logits; };

/// The processes a step's slices are shared between, and how their sums are made. This one is
/// the process alone; train/distributed.hpp has a team of MPI ranks. A team gives
///   slice_range(slices): the slices [first, last) of a batch this process runs;
///   check(error, n): every member learns of an error any member found before the step (an empty
///     string: none) or of members given batches of other sizes n, and every member throws it;
///   add_up(parts, stride, here, total, count): total[i] = ((0 + p_0[i]) + p_1[i]) + ..., over
///     every slice of the batch in slice order, p_j at parts + j * stride for this process's j;
///   sum_gradients(g, stride, here, count, threads, apply): g[i] = ((g_0[i] + g_1[i]) + ...), the
///     same order, then apply(first, last) over the parameters (on threads).
/// Every member then holds the same bits as one process that ran every slice.
struct local_team {
  static std::pair<std::size_t, std::size_t> slice_range(std::size_t slices) { return {0, slices}; }
  static void check(const std::string& error, std::size_t) {
    if (!error.empty()) throw std::invalid_argument(error);
  }
  static void add_up(const double* parts, std::size_t stride, std::size_t here, double* total, std::size_t count) {
    std::fill(total, total + count, 0.0);
    for (std::size_t j = 0; j < here; ++j)
      for (std::size_t i = 0; i < count; ++i) total[i] += parts[j * stride + i];
  }
  template <class Apply>
  static void sum_gradients(float* g, std::size_t stride, std::size_t here, std::size_t count, std::size_t threads,
                            Apply&& apply) {
    const std::size_t parts = std::min(threads, std::max<std::size_t>(count / 4096, 1));
    runtime::thread_pool::shared().run(parts, [&](std::size_t t) {
      const std::size_t first = count * t / parts, last = count * (t + 1) / parts;
      for (std::size_t j = 1; j < here; ++j)
        for (std::size_t i = first; i < last; ++i) g[i] += g[j * stride + i];
      apply(first, last);
    });
  }
};

template <std::size_t N>
std::size_t argmax(const float* y) {
  std::size_t best = 0;
  for (std::size_t c = 1; c < N; ++c)
    if (y[c] > y[best]) best = c;
  return best;
}
}  // namespace detail

template <class Net, class Loss = cross_entropy, class Optimizer = sgd, storage Where = storage::heap,
          class Isa = simd::isa_tag>
class trainer {
  using P = train_plan<Net>;
  static_assert(P::trainable);
  static constexpr auto& f = P::f;
  static constexpr std::size_t last_run = P::forward_plan::last_run;
  /// Cross-entropy after a softmax: the loss takes the softmax's input, and backward starts below it.
  static constexpr bool fused_softmax = [] {
    if constexpr (!std::is_same_v<Loss, cross_entropy> || last_run >= P::layers) return false;
    else return detail::gives_probabilities<typename bound_at<Net, last_run>::layer>;
  }();
  /// Backward runs through layers [0, backward_layers).
  static constexpr std::size_t backward_layers = fused_softmax ? last_run : P::layers;
  static constexpr std::size_t in_size = f.input.size(), out_size = f.output.size();
  /// Layers that normalize over the batch (batch_norm): the step runs in phases, every slice
  /// stopping at each such layer, so each slice keeps a workspace of its own.
  static constexpr std::size_t G = P::gathering;
  static_assert(G == 0 || P::gatherers[G - 1].position < backward_layers,
                "typenet internal: a layer that gathers batch statistics after the last one trained");
  static_assert(!Loss::takes_labels || f.output.height * f.output.width == 1,
                "typenet: cross_entropy needs a network whose output is one vector of class scores (a flat vector "
                "or 1 x 1 x classes); flatten the output or pool it to 1 x 1 first");

 public:
  using model_type = model<Net, Where, Isa>;
  static constexpr std::size_t param_count = f.params + f.buffers;
  static constexpr std::size_t slice = P::slice;

  trainer(model_type& m, Optimizer settings, trainer_options o = {})
      : model_(&m),
        optimizer_(settings, param_count),
        lr_(settings.lr),
        max_batch_(o.batch),
        max_slices_(std::max<std::size_t>((o.batch + slice - 1) / slice, 1)),
        threads_(std::min({o.threads == 0 ? runtime::thread_pool::cores() : o.threads, runtime::thread_pool::cores(),
                           max_slices_})),
        seed_(o.seed),
        grads_(max_slices_ * P::param_gradient_floats),
        ws_((G == 0 ? threads_ : max_slices_) * P::workspace_floats),
        partials_(G == 0 ? 0 : max_slices_ * P::statistics_doubles),
        totals_(P::statistics_doubles),
        slice_totals_(2 * max_slices_) {
    if (o.batch == 0) throw std::invalid_argument("typenet: trainer_options::batch must be at least 1");
    runtime::thread_pool::shared();  // started now, not in the first step
  }

  /// One step on a batch of n samples (x: n inputs back to back) with class
  /// labels (cross_entropy): forward, loss, backward, optimizer update.
  /// Throws std::invalid_argument, changing nothing, if a size or a label is
  /// wrong, and std::domain_error, before the update, if the loss is NaN or
  /// infinite (the parameters stay as they were; gradients() holds the step's).
  template <class Label>
    requires(Loss::takes_labels && std::is_integral_v<Label>)
  step_result step(std::span<const float> x, std::span<const Label> labels) {
    detail::local_team team;
    return step_in_team(team, labels.size(), x, labels);
  }

  /// One step of a team of processes (train/distributed.hpp): the batch has n samples, and x and
  /// labels hold this process's, those of team.slice_range's slices. Every member gets the batch's
  /// result and makes the same update; a wrong size or label on any member is
  /// std::invalid_argument on every member, before anything changes.
  template <class Team, class Label>
    requires(Loss::takes_labels && std::is_integral_v<Label>)
  step_result step_in_team(Team& team, std::size_t n, std::span<const float> x, std::span<const Label> labels) {
    team.check(check_labels(team, n, x, labels), n);
    return run(team, x.data(), n, [&](std::size_t s, const float* z, float* grad, float scale, const float* y,
                                      std::size_t& correct) {
      correct += detail::argmax<out_size>(y) == static_cast<std::size_t>(labels[s]);
      return Loss::sample(z, logits_size, labels[s], grad, scale);
    });
  }

  /// The samples [first, last) of a batch of n that a team member runs (slice_range in samples).
  template <class Team>
  static std::pair<std::size_t, std::size_t> share(const Team& team, std::size_t n) {
    const auto [lo, hi] = team.slice_range((n + slice - 1) / slice);
    return {std::min(lo * slice, n), std::min(hi * slice, n)};
  }

  /// One step with target outputs (mean_squared_error): targets holds n outputs back to back.
  step_result step(std::span<const float> x, std::span<const float> targets)
    requires(!Loss::takes_labels)
  {
    const std::size_t n = x.size() / in_size;
    if (targets.size() != n * out_size)
      throw std::invalid_argument("typenet: trainer::step: " + std::to_string(n) + " samples need " +
                                  std::to_string(n * out_size) + " target values, got " +
                                  std::to_string(targets.size()));
    check_batch(x, n);
    detail::local_team team;
    return run(team, x.data(), n, [&](std::size_t s, const float* y, float* grad, float scale, const float*,
                                      std::size_t&) {
      return Loss::sample(y, out_size, targets.data() + s * out_size, grad, scale);
    });
  }

  /// The mean loss and the correct answers of the model on n labelled samples
  /// (cross_entropy), without training: forward passes on the thread pool, in
  /// chunks. Throws std::invalid_argument for wrong sizes or labels.
  template <class Label>
    requires(Loss::takes_labels && std::is_integral_v<Label>)
  step_result evaluate(std::span<const float> x, std::span<const Label> labels, std::size_t chunk = 256) const {
    const std::size_t n = labels.size();
    if (x.size() != n * in_size)
      throw std::invalid_argument("typenet: trainer::evaluate: " + std::to_string(n) + " samples need an input of " +
                                  std::to_string(n * in_size) + " floats, got " + std::to_string(x.size()));
    std::vector<float> y(std::min(chunk, n) * out_size);
    step_result r{0, 0, n};
    for (std::size_t first = 0; first < n; first += chunk) {
      const std::size_t count = std::min(chunk, n - first);
      model_->forward_batch(x.subspan(first * in_size, count * in_size), std::span<float>(y).first(count * out_size),
                            threads_);
      for (std::size_t s = 0; s < count; ++s) {
        const float* ys = y.data() + s * out_size;
        const auto label = labels[first + s];
        if (label < 0 || static_cast<std::size_t>(label) >= out_size)
          throw std::invalid_argument("typenet: trainer::evaluate: sample " + std::to_string(first + s) +
                                      " has label " + std::to_string(label) + ", but the network has " +
                                      std::to_string(out_size) + " classes");
        const std::size_t c = static_cast<std::size_t>(label);
        r.correct += detail::argmax<out_size>(ys) == c;
        if constexpr (fused_softmax) {
          r.loss -= std::log(std::max(static_cast<double>(ys[c]), 1e-300));
        } else {
          float grad[out_size];
          r.loss += static_cast<double>(Loss::sample(ys, out_size, c, grad, 1.f));
        }
      }
    }
    if (n) r.loss /= static_cast<double>(n);
    return r;
  }

  /// The gradient of the last step's mean loss, in the parameters' layout.
  std::span<const float> gradients() const { return {grads_.data(), param_count}; }

  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr) {
    if (!(lr >= 0) || !std::isfinite(lr))
      throw std::invalid_argument("typenet: the learning rate must be a finite number >= 0");
    lr_ = lr;
  }
  const optimizer<Optimizer>& optimizer_state() const { return optimizer_; }
  optimizer<Optimizer>& optimizer_state() { return optimizer_; }
  std::size_t threads() const { return threads_; }
  std::size_t max_batch() const { return max_batch_; }
  model_type& trained_model() { return *model_; }

 private:
  /// The loss's view of the output: the softmax's input when fused.
  static constexpr std::size_t logits_size = backward_layers == 0 ? in_size : f.layer[backward_layers - 1].output.size();

  /// Checks a batch of n samples of which x holds `count` (all of them, unless a team shares it).
  template <class Size>
  std::size_t check_batch(std::span<const float> x, Size samples, std::size_t batch = 0) {
    const std::size_t count = static_cast<std::size_t>(samples), n = batch ? batch : count;
    if (n == 0) throw std::invalid_argument("typenet: trainer::step: the batch is empty");
    if (n < P::min_batch)
      throw std::invalid_argument("typenet: trainer::step: a batch of " + std::to_string(n) +
                                  " sample is too small: batch_norm on a 1 x 1 input needs " +
                                  std::to_string(P::min_batch) + " samples to have two values per channel");
    if (count > max_batch_)
      throw std::invalid_argument("typenet: trainer::step: a batch of " + std::to_string(count) +
                                  " samples is larger than this trainer's trainer_options::batch, " +
                                  std::to_string(max_batch_));
    if (x.size() != count * in_size)
      throw std::invalid_argument("typenet: trainer::step: " + std::to_string(count) + " samples of " +
                                  std::to_string(in_size) + " floats need an input of " +
                                  std::to_string(count * in_size) + " floats, got " + std::to_string(x.size()));
    return n;
  }

  /// The error (empty if none) of a step on a team member's share of a batch of n samples: x and
  /// labels must hold exactly the share's samples.
  template <class Team, class Label>
  std::string check_labels(const Team& team, std::size_t n, std::span<const float> x, std::span<const Label> labels) {
    try {
      if (n == 0) throw std::invalid_argument("typenet: trainer::step: the batch is empty");
      const auto [first, last] = share(team, n);
      if (labels.size() != last - first)
        throw std::invalid_argument("typenet: trainer::step: this process runs samples " + std::to_string(first) +
                                    " to " + std::to_string(last) + " of the batch of " + std::to_string(n) +
                                    ", but was given " + std::to_string(labels.size()) + " labels");
      check_batch(x, labels.size(), n);
      for (std::size_t s = 0; s < labels.size(); ++s)
        if (labels[s] < 0 || static_cast<std::size_t>(labels[s]) >= out_size)
          throw std::invalid_argument("typenet: trainer::step: sample " + std::to_string(first + s) + " has label " +
                                      std::to_string(labels[s]) + ", but the network has " +
                                      std::to_string(out_size) + " classes (labels 0 to " +
                                      std::to_string(out_size - 1) + ")");
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return {};
  }

  /// One step: this process runs its team's slices of the batch of n samples (x: theirs).
  template <class Team, class SampleLoss>
  step_result run(Team& team, const float* x, std::size_t n, SampleLoss&& sample_loss) {
    float* params = model_->parameters().data();
    const auto [lo, hi] = team.slice_range((n + slice - 1) / slice);
    const std::size_t here = hi - lo;  // this process's slices, lo to hi - 1 of the batch
    const std::size_t threads = std::min(threads_, here);
    const float scale = 1.f / static_cast<float>(Loss::takes_labels ? n : n * out_size);
    const training_context base{n, 0, seed_, optimizer_.steps(), totals_.data(), nullptr};
    // Runs task(j, count, buffers, context) for every slice j of this process (j counted from lo) on the pool.
    auto each_slice = [&](auto&& task) {
      if (here == 0) return;
      runtime::thread_pool::shared().run(threads, [&](std::size_t t) {
        for (std::size_t j = t; j < here; j += threads) {
          training_context c = base;
          c.first = (lo + j) * slice;
          slice_buffers<Net> buf{x + j * slice * in_size, ws_.data() + (G == 0 ? t : j) * P::workspace_floats};
          task(j, std::min(slice, n - c.first), buf, c);
        }
      });
    };
    if constexpr (G == 0) {
      each_slice([&](std::size_t j, std::size_t count, slice_buffers<Net>& buf, const training_context& c) {
        forward_slice<Net>(params, buf, count, c);
        slice_loss(j, count, buf, scale, sample_loss);
        backward_slice<Net, backward_layers>(params, buf, grads_.data() + j * P::param_gradient_floats, count, c);
      });
    } else {
      run_phases(team, params, here, each_slice, scale, sample_loss);
    }
    // The batch's loss and correct answers, added up in slice order.
    double totals[2];
    team.add_up(slice_totals_.data(), 2, here, totals, 2);
    step_result r{totals[0], static_cast<std::size_t>(totals[1]), n};
    r.loss /= static_cast<double>(Loss::takes_labels ? n : n * out_size);
    if (!std::isfinite(r.loss))
      throw std::domain_error("typenet: trainer::step: the batch's loss is " + std::to_string(r.loss) +
                              " (an input, a target or a parameter is NaN or infinite, or the loss overflowed); "
                              "the parameters were not updated");
    // Sum the slices' gradients in slice order (so the thread count does not matter) and update the
    // parameters, each thread a range of them.
    const auto k = optimizer_.start(lr_);
    const std::span<float> all = model_->parameters();
    const std::span<const float> total = gradients();
    team.sum_gradients(grads_.data(), P::param_gradient_floats, here, param_count, threads_,
                       [&](std::size_t first, std::size_t last) {
                         for (const auto& learned : P::learned)  // the buffers (running statistics) are not the optimizer's
                           if (std::max(first, learned.first) < std::min(last, learned.last))
                             optimizer_.apply(k, all, total, std::max(first, learned.first),
                                              std::min(last, learned.last));
                       });
    if constexpr (G > 0) update_buffers(params, base, std::make_index_sequence<G>{});
    return r;
  }

  /// The loss of slice j's outputs (in buf; j counted from this process's first), and the gradient
  /// it starts backward from; clears the slice's parameter-gradient buffer.
  template <class SampleLoss>
  void slice_loss(std::size_t j, std::size_t count, slice_buffers<Net>& buf, float scale, SampleLoss& sample_loss) {
    const std::size_t first = j * slice;
    const float* z = buf.read(P::block_of[backward_layers]);
    const float* y = buf.read(P::block_of[P::layers]);
    float* g = logits_gradient<Net, backward_layers>(buf);
    double loss = 0;
    std::size_t correct = 0;
    for (std::size_t s = 0; s < count; ++s)
      loss += static_cast<double>(
          sample_loss(first + s, z + s * logits_size, g + s * logits_size, scale, y + s * out_size, correct));
    slice_totals_[2 * j] = loss;
    slice_totals_[2 * j + 1] = static_cast<double>(correct);
    std::memset(grads_.data() + j * P::param_gradient_floats, 0, P::param_gradient_floats * sizeof(float));
  }

  /// A step of a network with layers that normalize over the batch, in 2G + 1 runs on the pool.
  /// Going forward, run k (k < G) takes every slice up to gathering layer k and gathers its
  /// statistics; run G finishes the forward pass, takes the loss and goes back down to gathering
  /// layer G - 1, gathering its gradient statistics; the G runs after it go down to the next such
  /// layer, and the last to the input. Between runs, the slices' statistics are added up in slice
  /// order, so the totals (and the step) do not depend on the thread count.
  template <class Team, class EachSlice, class SampleLoss>
  void run_phases(Team& team, const float* params, std::size_t here, EachSlice& each_slice, float scale,
                  SampleLoss& sample_loss) {
    constexpr auto& gl = P::gatherers;
    auto add_up = [&](std::size_t offset, std::size_t count) {
      team.add_up(partials_.data() + offset, P::statistics_doubles, here, totals_.data() + offset, count);
    };
    auto partial = [&](std::size_t j, std::size_t offset, std::size_t count) {
      double* part = partials_.data() + j * P::statistics_doubles + offset;
      std::fill(part, part + count, 0.0);
      return part - offset;
    };
    // Forward, up to each gathering layer.
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            constexpr std::size_t from = K == 0 ? 1 : gl[K == 0 ? 0 : K - 1].position;
            each_slice([&](std::size_t j, std::size_t count, slice_buffers<Net>& buf, const training_context& c) {
              forward_slice<Net, from, gl[K].position>(params, buf, count, c);
              gather_slice<Net, K>(params, buf, count, partial(j, gl[K].statistics_offset, gl[K].statistics));
            });
            add_up(gl[K].statistics_offset, gl[K].statistics);
          }(),
          ...);
    }(std::make_index_sequence<G>{});
    // The rest forward, the loss, and back to the last gathering layer.
    each_slice([&](std::size_t j, std::size_t count, slice_buffers<Net>& buf, const training_context& c) {
      forward_slice<Net, gl[G - 1].position>(params, buf, count, c);
      slice_loss(j, count, buf, scale, sample_loss);
      backward_slice<Net, backward_layers, gl[G - 1].position + 1>(
          params, buf, grads_.data() + j * P::param_gradient_floats, count, c);
      gather_gradient_slice<Net, backward_layers, G - 1>(
          params, buf, count, c, partial(j, gl[G - 1].gradient_offset, gl[G - 1].gradient_statistics));
    });
    add_up(gl[G - 1].gradient_offset, gl[G - 1].gradient_statistics);
    // Back down, from each gathering layer to the one below it (the last run: to the input).
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      (
          [&] {
            constexpr std::size_t K = G - 1 - R;  // this run starts at gathering layer K
            constexpr std::size_t lo = K == 0 ? 1 : gl[K == 0 ? 0 : K - 1].position + 1;
            each_slice([&](std::size_t j, std::size_t count, slice_buffers<Net>& buf, const training_context& c) {
              backward_slice<Net, backward_layers, lo, gl[K].position + 1>(
                  params, buf, grads_.data() + j * P::param_gradient_floats, count, c);
              if constexpr (K > 0)
                gather_gradient_slice<Net, backward_layers, K - 1>(
                    params, buf, count, c, partial(j, gl[K - 1].gradient_offset, gl[K - 1].gradient_statistics));
            });
            if constexpr (K > 0) add_up(gl[K - 1].gradient_offset, gl[K - 1].gradient_statistics);
          }(),
          ...);
    }(std::make_index_sequence<G>{});
  }

  /// After the optimizer's step: each gathering layer's buffers (running averages) from the batch's totals.
  template <std::size_t... K>
  void update_buffers(float* params, const training_context& base, std::index_sequence<K...>) {
    (
        [&] {
          constexpr std::size_t I = P::gatherers[K].position;
          using B = bound_at<Net, I>;
          B::layer::template update_buffers<B::input, B::output, float>(params + param_offset<Net, I>,
                                                                        context_of<Net, I>(base));
        }(),
        ...);
  }

  model_type* model_;
  optimizer<Optimizer> optimizer_;
  double lr_;
  std::size_t max_batch_, max_slices_, threads_;
  std::uint64_t seed_;
  runtime::aligned_floats grads_, ws_;
  std::vector<double> partials_, totals_;  ///< gathered statistics: each slice's, and the batch's
  std::vector<double> slice_totals_;  ///< each slice's loss and correct answers
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
