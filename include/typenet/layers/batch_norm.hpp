// batch_norm: batch normalization with learned scale and shift and running statistics (inference).
#pragma once

#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/layer.hpp>

#include <boost/hana/tuple.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>

namespace typenet {

/// Batch normalization of each channel (of a volume's depth, or of a flat vector's values, as
/// PyTorch's BatchNorm2d and BatchNorm1d), with PyTorch's defaults (epsilon 1e-5, momentum 0.1).
/// Tensors, in PyTorch's names: weight (C, starts at 1) and bias (C, 0), learned, and
/// running_mean (C, 0) and running_var (C, 1), buffers: stored with the parameters and in weight
/// files, counted in facts' buffers, not in param_count (as PyTorch's parameters() leaves them
/// out), never touched by an optimizer.
///
/// Inference (the model, PyTorch's eval mode): y = (x - running_mean) / sqrt(running_var + eps)
/// * weight + bias. Its kernel applies an activation after it (relu, relu6) as it stores.
///
/// Training (a trainer, PyTorch's train mode): each channel is normalized by its mean and biased
/// variance over the whole batch (every sample and position), y = (x - mean) / sqrt(var + eps)
/// * weight + bias; the trainer gathers the sums across the batch's slices. After the step,
/// running_mean += 0.1 (mean - running_mean) and running_var += 0.1 (var * m / (m - 1) -
/// running_var), m values per channel (the unbiased variance, as PyTorch). A channel needs m >= 2:
/// a batch of 1 on a 1 x 1 input is refused, as PyTorch refuses it.
template <class... Options>
struct batch_norm {
  static constexpr std::string_view kind = "batch_norm";
  static constexpr auto accepted = boost::hana::tuple_t<>;
  static constexpr auto required = boost::hana::tuple_t<>;
  static constexpr double epsilon = 1e-5;
  static constexpr double momentum = 0.1;

  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    layer_facts f = make_facts(kind, In, In, In.depth, In.depth);
    f.buffers = 2 * In.depth;
    return f;
  }
  static std::string describe() { return std::string(kind); }

  // --- run time (contract.hpp) ---------------------------------------------

  template <shape In, shape Out>
  static constexpr std::array<param_tensor, 4> tensors = {
      param_tensor{"weight", {In.depth, 1, 1, 1}, 1, "O", init_rule::ones, 0, 0},
      bias_tensor(In.depth),
      buffer_tensor("running_mean", In.depth, init_rule::zeros),
      buffer_tensor("running_var", In.depth, init_rule::ones)};

  template <shape In, shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    constexpr std::size_t C = In.depth, positions = In.height * In.width;
    const T *gamma = params, *beta = params + C, *mean = params + 2 * C, *var = params + 3 * C;
    for (std::size_t p = 0; p < positions; ++p)
      for (std::size_t c = 0; c < C; ++c)
        out[p * C + c] = (in[p * C + c] - mean[c]) / std::sqrt(var[c] + T(epsilon)) * gamma[c] + beta[c];
  }

  // --- training (contract.hpp: train_forward, gather, ...) ------------------------------------

  /// Per channel: the sum of its values, then the sum of their squares.
  template <shape In, shape Out>
  static constexpr std::size_t statistics = 2 * In.depth;
  /// Per channel: the sum of the output gradients, then of the output gradients times x-hat.
  template <shape In, shape Out>
  static constexpr std::size_t gradient_statistics = 2 * In.depth;
  /// Samples a batch needs so that a channel has two values.
  template <shape In, shape Out>
  static constexpr std::size_t min_batch = In.height * In.width > 1 ? 1 : 2;

  template <shape In, shape Out, class T>
  static void gather(const T*, const T* in, std::size_t samples, double* stats) {
    constexpr std::size_t C = In.depth;
    for (std::size_t i = 0; i < samples * In.height * In.width; ++i)
      for (std::size_t c = 0; c < C; ++c) {
        const double x = static_cast<double>(in[i * C + c]);
        stats[c] += x;
        stats[C + c] += x * x;
      }
  }

  /// Values per channel in the whole batch.
  template <shape In>
  static double values(const training_context& c) {
    return static_cast<double>(c.batch * In.height * In.width);
  }
  /// Channel ch's batch mean and biased variance from the gathered sums.
  template <shape In>
  static void moments(const training_context& c, std::size_t ch, double& mean, double& var) {
    const double m = values<In>(c);
    mean = c.statistics[ch] / m;
    var = std::max(c.statistics[In.depth + ch] / m - mean * mean, 0.0);
  }

  template <shape In, shape Out, class T>
  static void train_forward(const T* params, const T* in, T* out, std::size_t samples, const training_context& c) {
    constexpr std::size_t C = In.depth;
    std::array<T, C> scale, shift;
    for (std::size_t ch = 0; ch < C; ++ch) {
      double mean, var;
      moments<In>(c, ch, mean, var);
      const double s = static_cast<double>(params[ch]) / std::sqrt(var + epsilon);
      scale[ch] = static_cast<T>(s);
      shift[ch] = static_cast<T>(static_cast<double>(params[C + ch]) - mean * s);
    }
    for (std::size_t i = 0; i < samples * In.height * In.width; ++i)
      for (std::size_t ch = 0; ch < C; ++ch) out[i * C + ch] = in[i * C + ch] * scale[ch] + shift[ch];
  }

  template <shape In, shape Out, class T>
  static void gather_gradient(const T*, const T* in, const T* grad_out, std::size_t samples,
                              const training_context& c, double* stats) {
    constexpr std::size_t C = In.depth;
    std::array<double, C> mean, inv;
    for (std::size_t ch = 0; ch < C; ++ch) {
      double var;
      moments<In>(c, ch, mean[ch], var);
      inv[ch] = 1 / std::sqrt(var + epsilon);
    }
    for (std::size_t i = 0; i < samples * In.height * In.width; ++i)
      for (std::size_t ch = 0; ch < C; ++ch) {
        const double g = static_cast<double>(grad_out[i * C + ch]);
        stats[ch] += g;
        stats[C + ch] += g * (static_cast<double>(in[i * C + ch]) - mean[ch]) * inv[ch];
      }
  }

  /// dx = weight / sqrt(var + eps) * (dy - mean(dy) - x-hat * mean(dy x-hat)), the means over the
  /// batch; the batch's d weight = sum(dy x-hat) and d bias = sum(dy) are added once, by the slice
  /// that starts the batch.
  template <shape In, shape Out, class T>
  static void train_backward(const T* params, const T* in, const T*, const T* grad_out, T* grad_in, T* grad_params,
                             std::size_t samples, const training_context& c) {
    constexpr std::size_t C = In.depth;
    const double m = values<In>(c);
    const double* sums = c.gradient_statistics;
    if (c.first == 0)
      for (std::size_t ch = 0; ch < C; ++ch) {
        grad_params[ch] += static_cast<T>(sums[C + ch]);
        grad_params[C + ch] += static_cast<T>(sums[ch]);
      }
    if (!grad_in) return;
    std::array<T, C> mean, inv, k, a, b;
    for (std::size_t ch = 0; ch < C; ++ch) {
      double mu, var;
      moments<In>(c, ch, mu, var);
      const double i = 1 / std::sqrt(var + epsilon);
      mean[ch] = static_cast<T>(mu);
      inv[ch] = static_cast<T>(i);
      k[ch] = static_cast<T>(static_cast<double>(params[ch]) * i);
      a[ch] = static_cast<T>(sums[ch] / m);
      b[ch] = static_cast<T>(sums[C + ch] / m);
    }
    for (std::size_t i = 0; i < samples * In.height * In.width; ++i)
      for (std::size_t ch = 0; ch < C; ++ch) {
        const T xhat = (in[i * C + ch] - mean[ch]) * inv[ch];
        grad_in[i * C + ch] = k[ch] * (grad_out[i * C + ch] - a[ch] - xhat * b[ch]);
      }
  }

  template <shape In, shape Out, class T>
  static void update_buffers(T* params, const training_context& c) {
    constexpr std::size_t C = In.depth;
    const double m = values<In>(c);
    T *running_mean = params + 2 * C, *running_var = params + 3 * C;
    for (std::size_t ch = 0; ch < C; ++ch) {
      double mean, var;
      moments<In>(c, ch, mean, var);
      running_mean[ch] = static_cast<T>((1 - momentum) * static_cast<double>(running_mean[ch]) + momentum * mean);
      running_var[ch] =
          static_cast<T>((1 - momentum) * static_cast<double>(running_var[ch]) + momentum * var * m / (m - 1));
    }
  }

  // --- inference kernel ------------------------------------------------------------------------

  /// Inference as a per-channel affine map, y = x * scale + shift (computed in double, stored as
  /// float): what its kernel applies, and what a convolution before it applies as it stores when
  /// the plan folds it there (step::folded).
  static constexpr bool folds = true;
  template <shape In>
  static void fold(const float* params, float* scale, float* shift) {
    constexpr std::size_t C = In.depth;
    for (std::size_t c = 0; c < C; ++c) {
      const double s = double(params[c]) / std::sqrt(double(params[3 * C + c]) + epsilon);
      scale[c] = static_cast<float>(s);
      shift[c] = static_cast<float>(double(params[C + c]) - double(params[2 * C + c]) * s);
    }
  }

  /// The affine map (fold), then one multiply-add per value.
  template <shape In, shape Out>
  static constexpr std::size_t scratch_floats = 2 * In.depth + simd::read_slack;
  static constexpr bool takes_epilogue = true;

  template <shape In, shape Out, class Act>
  static void kernel(const float* params, const float* in, float* out, float* scratch, Act act) {
    constexpr std::size_t C = In.depth, positions = In.height * In.width, W = simd::lanes;
    constexpr std::size_t full = simd::available ? C / W * W : 0;
    float* scale = scratch;
    float* shift = scratch + C;
    fold<In>(params, scale, shift);
    for (std::size_t p = 0; p < positions; ++p) {
      const float* x = in + p * C;
      float* y = out + p * C;
      if constexpr (full != 0)
        for (std::size_t c = 0; c < full; c += W)
          act(simd::fma(simd::vec::load_unaligned(x + c), simd::vec::load_unaligned(scale + c),
                        simd::vec::load_unaligned(shift + c)))
              .store_unaligned(y + c);
      for (std::size_t c = full; c < C; ++c) y[c] = act(x[c] * scale[c] + shift[c]);
    }
  }
};

}  // namespace typenet
