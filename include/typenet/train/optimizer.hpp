// Optimizers (SGD with momentum, Nesterov and weight decay; Adam; AdamW) and learning-rate schedules.
//
// Each update is PyTorch 1.13's, operation for operation, in float; the
// state (momentum, first and second moments) has the parameters' layout.
#pragma once

#include <typenet/kernels/isa.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace typenet::train {
// Keyed on the ISA, as the kernels: every function here is compiled for the unit's instruction set
// (kernels/isa.hpp), so units built for different ISAs never share one.
inline namespace TYPENET_ISA_NAMESPACE {


/// Stochastic gradient descent: with weight decay wd, momentum m and Nesterov,
///   g = grad + wd * p;  b = m * b + g (b = g at the first step);
///   p -= lr * (nesterov ? g + m * b : b)   (plain g when m = 0).
struct sgd {
  double lr = 0.01;
  double momentum = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

/// Adam (Kingma and Ba) with L2 weight decay added to the gradient, as torch.optim.Adam:
///   g = grad + wd * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
struct adam {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

/// AdamW (Loshchilov and Hutter): decoupled weight decay, p *= 1 - lr * wd,
/// then Adam without the L2 term, as torch.optim.AdamW.
struct adamw {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

/// An optimizer's settings with its state for n parameters. update() applies
/// one step at learning rate lr (the schedule's, for this epoch).
template <class Settings>
class optimizer;

namespace detail {
inline void check_settings(double lr, double weight_decay) {
  if (!(lr >= 0) || !std::isfinite(lr))
    throw std::invalid_argument("typenet: the learning rate must be a finite number >= 0, not " + std::to_string(lr));
  if (!(weight_decay >= 0) || !std::isfinite(weight_decay))
    throw std::invalid_argument("typenet: weight decay must be a finite number >= 0, not " +
                                std::to_string(weight_decay));
}
}  // namespace detail

template <>
class optimizer<sgd> {
 public:
  optimizer(sgd s, std::size_t n) : s_(s), buf_(s.momentum != 0 ? n : 0) {
    detail::check_settings(s.lr, s.weight_decay);
    if (!(s.momentum >= 0) || !std::isfinite(s.momentum))
      throw std::invalid_argument("typenet: sgd momentum must be a finite number >= 0");
    if (s.nesterov && s.momentum == 0)
      throw std::invalid_argument("typenet: sgd with nesterov needs a momentum > 0 (as PyTorch requires)");
  }
  const sgd& settings() const { return s_; }
  std::size_t steps() const { return steps_; }

  /// The state as tensors in the parameters' layout, by PyTorch's names (for checkpoints):
  /// "momentum_buffer" when there is momentum, nothing otherwise.
  std::vector<std::pair<std::string_view, std::span<float>>> state_tensors() {
    if (buf_.empty()) return {};
    return {{"momentum_buffer", std::span<float>(buf_)}};
  }
  /// Sets the step count (a checkpoint's): the first step starts the momentum buffer.
  void restore_steps(std::size_t n) { steps_ = n; }

  /// One step on all parameters.
  void update(std::span<float> p, std::span<const float> grad, double lr) { apply(start(lr), p, grad, 0, p.size()); }

  /// A step in parts (threads may apply disjoint ranges at once): start() counts the step and
  /// fixes its constants, apply() updates parameters [first, last).
  struct step_constants {
    float rate, momentum, decay;
    bool first;
  };
  step_constants start(double lr) {
    return {static_cast<float>(lr), static_cast<float>(s_.momentum), static_cast<float>(s_.weight_decay), steps_++ == 0};
  }
  void apply(const step_constants& k, std::span<float> p, std::span<const float> grad, std::size_t first,
             std::size_t last) {
    for (std::size_t i = first; i < last; ++i) {
      float g = grad[i];
      if (k.decay != 0) g = g + k.decay * p[i];
      if (k.momentum != 0) {
        buf_[i] = k.first ? g : buf_[i] * k.momentum + g;
        g = s_.nesterov ? g + k.momentum * buf_[i] : buf_[i];
      }
      p[i] = p[i] - k.rate * g;
    }
  }

 private:
  sgd s_;
  std::vector<float> buf_;
  std::size_t steps_ = 0;
};

namespace detail {
/// The Adam family: Decoupled selects AdamW's weight decay.
template <class Settings, bool Decoupled>
class adam_family {
 public:
  adam_family(Settings s, std::size_t n) : s_(s), m_(n), v_(n) {
    check_settings(s.lr, s.weight_decay);
    if (!(s.beta1 >= 0 && s.beta1 < 1) || !(s.beta2 >= 0 && s.beta2 < 1))
      throw std::invalid_argument("typenet: adam's betas must be in [0, 1)");
    if (!(s.eps >= 0)) throw std::invalid_argument("typenet: adam's eps must be >= 0");
  }
  const Settings& settings() const { return s_; }
  std::size_t steps() const { return steps_; }

  /// The state as tensors in the parameters' layout, by PyTorch's names (for checkpoints).
  std::vector<std::pair<std::string_view, std::span<float>>> state_tensors() {
    return {{"exp_avg", std::span<float>(m_)}, {"exp_avg_sq", std::span<float>(v_)}};
  }
  /// Sets the step count (a checkpoint's): the bias corrections depend on it.
  void restore_steps(std::size_t n) { steps_ = n; }

  /// One step on all parameters.
  void update(std::span<float> p, std::span<const float> grad, double lr) { apply(start(lr), p, grad, 0, p.size()); }

  /// A step in parts, as optimizer<sgd>'s.
  struct step_constants {
    float b1, b2, keep1, keep2, wd, eps, step_size, root2, decay;
  };
  step_constants start(double lr) {
    ++steps_;
    const double t = static_cast<double>(steps_);
    const double correction1 = 1 - std::pow(s_.beta1, t), correction2 = 1 - std::pow(s_.beta2, t);
    return {static_cast<float>(s_.beta1),        static_cast<float>(s_.beta2),
            static_cast<float>(1 - s_.beta1),    static_cast<float>(1 - s_.beta2),
            static_cast<float>(s_.weight_decay), static_cast<float>(s_.eps),
            static_cast<float>(lr / correction1), static_cast<float>(std::sqrt(correction2)),
            static_cast<float>(1 - lr * s_.weight_decay)};
  }
  void apply(const step_constants& k, std::span<float> p, std::span<const float> grad, std::size_t first,
             std::size_t last) {
    for (std::size_t i = first; i < last; ++i) {
      float g = grad[i];
      if constexpr (Decoupled) {
        p[i] = p[i] * k.decay;
      } else if (k.wd != 0) {
        g = g + k.wd * p[i];
      }
      m_[i] = m_[i] * k.b1 + k.keep1 * g;
      v_[i] = v_[i] * k.b2 + k.keep2 * g * g;
      const float denom = std::sqrt(v_[i]) / k.root2 + k.eps;
      p[i] = p[i] - k.step_size * (m_[i] / denom);
    }
  }

 private:
  Settings s_;
  std::vector<float> m_, v_;
  std::size_t steps_ = 0;
};
}  // namespace detail

template <>
class optimizer<adam> : public detail::adam_family<adam, false> {
  using detail::adam_family<adam, false>::adam_family;
};
template <>
class optimizer<adamw> : public detail::adam_family<adamw, true> {
  using detail::adam_family<adamw, true>::adam_family;
};

/// Learning-rate schedules: the rate for an epoch (counted from 0) from the optimizer's base rate.
struct constant_lr {
  double operator()(double base, std::size_t) const { return base; }
};
/// base * gamma^(epoch / step_size), as torch.optim.lr_scheduler.StepLR stepped once per epoch.
struct step_lr {
  std::size_t step_size = 1;
  double gamma = 0.1;
  double operator()(double base, std::size_t epoch) const {
    return base * std::pow(gamma, static_cast<double>(epoch / (step_size ? step_size : 1)));
  }
};
/// min_lr + (base - min_lr) (1 + cos(pi epoch / epochs)) / 2, as CosineAnnealingLR with T_max = epochs.
struct cosine_lr {
  std::size_t epochs = 1;
  double min_lr = 0;
  double operator()(double base, std::size_t epoch) const {
    const double pi = 3.14159265358979323846;
    return min_lr + (base - min_lr) * (1 + std::cos(pi * static_cast<double>(epoch) / static_cast<double>(epochs ? epochs : 1))) / 2;
  }
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
