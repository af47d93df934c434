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
        slice_loss_(max_slices_),
        slice_correct_(max_slices_) {
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
    const std::size_t n = check_batch(x, labels.size());
    for (std::size_t s = 0; s < n; ++s)
      if (labels[s] < 0 || static_cast<std::size_t>(labels[s]) >= out_size)
        throw std::invalid_argument("typenet: trainer::step: sample " + std::to_string(s) + " has label " +
                                    std::to_string(labels[s]) + ", but the network has " + std::to_string(out_size) +
                                    " classes (labels 0 to " + std::to_string(out_size - 1) + ")");
    return run(x.data(), n, [&](std::size_t s, const float* z, float* grad, float scale, const float* y,
                                std::size_t& correct) {
      correct += detail::argmax<out_size>(y) == static_cast<std::size_t>(labels[s]);
      return Loss::sample(z, logits_size, labels[s], grad, scale);
    });
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
    return run(x.data(), n, [&](std::size_t s, const float* y, float* grad, float scale, const float*,
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

  template <class Size>
  std::size_t check_batch(std::span<const float> x, Size count) {
    const std::size_t n = static_cast<std::size_t>(count);
    if (n == 0) throw std::invalid_argument("typenet: trainer::step: the batch is empty");
    if (n < P::min_batch)
      throw std::invalid_argument("typenet: trainer::step: a batch of " + std::to_string(n) +
                                  " sample is too small: batch_norm on a 1 x 1 input needs " +
                                  std::to_string(P::min_batch) + " samples to have two values per channel");
    if (n > max_batch_)
      throw std::invalid_argument("typenet: trainer::step: a batch of " + std::to_string(n) +
                                  " samples is larger than this trainer's trainer_options::batch, " +
                                  std::to_string(max_batch_));
    if (x.size() != n * in_size)
      throw std::invalid_argument("typenet: trainer::step: " + std::to_string(n) + " samples of " +
                                  std::to_string(in_size) + " floats need an input of " + std::to_string(n * in_size) +
                                  " floats, got " + std::to_string(x.size()));
    return n;
  }

  template <class SampleLoss>
  step_result run(const float* x, std::size_t n, SampleLoss&& sample_loss) {
    float* params = model_->parameters().data();
    const std::size_t slices = (n + slice - 1) / slice;
    const std::size_t threads = std::min(threads_, slices);
    const float scale = 1.f / static_cast<float>(Loss::takes_labels ? n : n * out_size);
    const training_context base{n, 0, seed_, optimizer_.steps(), totals_.data(), nullptr};
    // Runs task(j, count, buffers, context) for every slice j on the pool.
    auto each_slice = [&](auto&& task) {
      runtime::thread_pool::shared().run(threads, [&](std::size_t t) {
        for (std::size_t j = t; j < slices; j += threads) {
          training_context c = base;
          c.first = j * slice;
          slice_buffers<Net> buf{x + c.first * in_size, ws_.data() + (G == 0 ? t : j) * P::workspace_floats};
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
      run_phases(params, slices, each_slice, scale, sample_loss);
    }
    step_result r{0, 0, n};
    for (std::size_t j = 0; j < slices; ++j) r.loss += slice_loss_[j], r.correct += slice_correct_[j];
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
    const std::size_t parts = std::min(threads_, std::max<std::size_t>(param_count / 4096, 1));
    runtime::thread_pool::shared().run(parts, [&](std::size_t t) {
      const std::size_t first = param_count * t / parts, last = param_count * (t + 1) / parts;
      float* sum = grads_.data();
      for (std::size_t j = 1; j < slices; ++j) {
        const float* g = grads_.data() + j * P::param_gradient_floats;
        for (std::size_t i = first; i < last; ++i) sum[i] += g[i];
      }
      for (const auto& learned : P::learned)  // the buffers (running statistics) are not the optimizer's
        if (std::max(first, learned.first) < std::min(last, learned.last))
          optimizer_.apply(k, all, total, std::max(first, learned.first), std::min(last, learned.last));
    });
    if constexpr (G > 0) update_buffers(params, base, std::make_index_sequence<G>{});
    return r;
  }

  /// The loss of slice j's outputs (in buf), and the gradient it starts backward from; clears the
  /// slice's parameter-gradient buffer.
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
    slice_loss_[j] = loss;
    slice_correct_[j] = correct;
    std::memset(grads_.data() + j * P::param_gradient_floats, 0, P::param_gradient_floats * sizeof(float));
  }

  /// A step of a network with layers that normalize over the batch, in 2G + 1 runs on the pool.
  /// Going forward, run k (k < G) takes every slice up to gathering layer k and gathers its
  /// statistics; run G finishes the forward pass, takes the loss and goes back down to gathering
  /// layer G - 1, gathering its gradient statistics; the G runs after it go down to the next such
  /// layer, and the last to the input. Between runs, the slices' statistics are added up in slice
  /// order, so the totals (and the step) do not depend on the thread count.
  template <class EachSlice, class SampleLoss>
  void run_phases(const float* params, std::size_t slices, EachSlice& each_slice, float scale,
                  SampleLoss& sample_loss) {
    constexpr auto& gl = P::gatherers;
    auto add_up = [&](std::size_t offset, std::size_t count) {
      double* total = totals_.data() + offset;
      std::fill(total, total + count, 0.0);
      for (std::size_t j = 0; j < slices; ++j) {
        const double* part = partials_.data() + j * P::statistics_doubles + offset;
        for (std::size_t i = 0; i < count; ++i) total[i] += part[i];
      }
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
  std::vector<double> slice_loss_;
  std::vector<std::size_t> slice_correct_;
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
