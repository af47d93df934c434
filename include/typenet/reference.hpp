// The reference forward pass of a whole network: each layer's own forward hook, any number type, constexpr.
//
// Tests compute in double with it to check the model's kernels; small
// networks can be evaluated at compile time (reference::evaluate). The leaf
// loops the layers call are in kernels/reference.hpp.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/network.hpp>

#include <boost/hana/for_each.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace typenet::reference {

namespace detail {
/// Every layer's outputs on n samples back to back, in T (outs[i]: layer i's; outs[0]: the
/// input): each layer's hooks on the outputs of the layers it reads, with its parameters at
/// param_offset<Net, I>. Inference (training null): forward. Training: a layer that trains
/// differently runs train_forward, told *training with, for a layer that gathers batch statistics,
/// stats[i] (gathered here over all n samples, as one slice) in its statistics.
template <class Net, class T>
constexpr std::vector<std::vector<T>> outputs(const T* params, const T* in, std::size_t n,
                                              const training_context* training,
                                              std::vector<std::vector<double>>* stats) {
  constexpr auto& f = facts<Net>;
  std::vector<std::vector<T>> outs(f.layer_count);
  outs[0].assign(in, in + n * f.input.size());
  boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
    using B = typename decltype(bound)::type;
    using L = typename B::layer;
    std::vector<T>& y = outs[B::position];
    if constexpr (B::position == 0) {
      return;
    } else if constexpr (contract::joins<L>) {
      y.assign(n * B::output.size(), T(0));
      for (std::size_t s = 0; s < n; ++s) {
        const T* x[B::inputs.size()];
        for (std::size_t k = 0; k < B::inputs.size(); ++k) x[k] = outs[B::sources[k]].data() + s * B::inputs[k].size();
        L::template forward<B::inputs, B::output, T>(x, y.data() + s * B::output.size());
      }
    } else {
      const std::vector<T>& x = outs[B::sources[0]];
      const T* p = params + param_offset<Net, B::position>;
      if constexpr (contract::trains_differently<L, B::input, B::output>) {
        if (training) {
          training_context c = *training;
          if constexpr (contract::gathers<L, B::input, B::output>) {
            std::vector<double>& st = (*stats)[B::position];
            st.assign(L::template statistics<B::input, B::output> + L::template gradient_statistics<B::input, B::output>, 0.0);
            L::template gather<B::input, B::output, T>(p, x.data(), n, st.data());
            c.statistics = st.data();
          }
          y.assign(n * B::output.size(), T(0));
          L::template train_forward<B::input, B::output, T>(p, x.data(), y.data(), n, c);
          return;
        }
      }
      if constexpr (contract::passes_through<L>) {
        y = x;
      } else {
        y.assign(n * B::output.size(), T(0));
        for (std::size_t s = 0; s < n; ++s)
          L::template forward<B::input, B::output, T>(p, x.data() + s * B::input.size(), y.data() + s * B::output.size());
      }
    }
  });
  return outs;
}
}  // namespace detail

/// Every layer's output on one sample, in T (outs[i]: layer i's; outs[0]: the input): inference.
template <class Net, class T>
constexpr std::vector<std::vector<T>> forward_all(const T* params, const T* in) {
  return detail::outputs<Net, T>(params, in, 1, nullptr, nullptr);
}

/// The whole network on one sample, in T: inference (batch_norm's running statistics, no dropout).
template <class Net, class T>
constexpr void forward(const T* params, const T* in, T* out) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::forward needs a network that passed its checks");
  if constexpr (meets_contract<Net>) {
    const std::vector<std::vector<T>> outs = forward_all<Net, T>(params, in);
    std::copy(outs.back().begin(), outs.back().end(), out);
  }
}

/// The whole network on a batch of n samples back to back, in T, in training mode (batch_norm
/// normalizes over these n, dropout drops as c's seed and step draw): what a trainer's step
/// computes going forward.
template <class Net, class T>
void train_forward(const T* params, const T* in, std::size_t n, T* out, training_context c = {}) {
  static_assert(trainable<Net>);
  c.batch = n, c.first = 0;
  std::vector<std::vector<double>> stats(facts<Net>.layer_count);
  const std::vector<std::vector<T>> outs = detail::outputs<Net, T>(params, in, n, &c, &stats);
  std::copy(outs.back().begin(), outs.back().end(), out);
}

/// The gradients of the whole network on a batch of n samples in training mode (as train_forward),
/// in T: given dL/dout (grad_out, n outputs), adds dL/dparams to grad_params (the parameters'
/// layout) and, unless null, writes dL/din (n inputs) to grad_in. Each layer's own backward (or
/// train_backward), in reverse order, over a forward pass that keeps every layer's output; a
/// layer read by several (a residual's input) gets the sum of their gradients.
template <class Net, class T>
void backward_batch(const T* params, const T* in, std::size_t n, const T* grad_out, T* grad_params,
                    T* grad_in = nullptr, training_context c = {}) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::backward needs a network that passed its checks");
  if constexpr (trainable<Net>) {
    c.batch = n, c.first = 0;
    std::vector<std::vector<double>> stats(f.layer_count);
    const std::vector<std::vector<T>> outs = detail::outputs<Net, T>(params, in, n, &c, &stats);
    std::vector<std::vector<T>> grads(f.layer_count);
    for (std::size_t i = 0; i < f.layer_count; ++i) grads[i].assign(n * f.layer[i].output.size(), T(0));
    std::copy(grad_out, grad_out + n * f.output.size(), grads.back().begin());
    auto add_into = [](std::vector<T>& to, const std::vector<T>& g) {
      for (std::size_t i = 0; i < to.size(); ++i) to[i] += g[i];
    };
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      (
          [&] {
            constexpr std::size_t I = f.layer_count - 1 - R;
            using B = bound_at<Net, I>;
            using L = typename B::layer;
            if constexpr (I == 0) {
              return;
            } else if constexpr (contract::joins<L>) {
              std::vector<std::vector<T>> gin(B::inputs.size());
              for (std::size_t k = 0; k < B::inputs.size(); ++k) gin[k].assign(n * B::inputs[k].size(), T(0));
              for (std::size_t s = 0; s < n; ++s) {
                T* g[B::inputs.size()];
                for (std::size_t k = 0; k < B::inputs.size(); ++k) g[k] = gin[k].data() + s * B::inputs[k].size();
                L::template backward<B::inputs, B::output, T>(grads[I].data() + s * B::output.size(), g);
              }
              for (std::size_t k = 0; k < B::inputs.size(); ++k) add_into(grads[B::sources[k]], gin[k]);
            } else if constexpr (contract::trains_differently<L, B::input, B::output>) {
              const T* p = params + param_offset<Net, I>;
              const T* x = outs[B::sources[0]].data();
              training_context ci = c;
              if constexpr (contract::gathers<L, B::input, B::output>) {
                double* st = stats[I].data();
                ci.statistics = st;
                ci.gradient_statistics = st + L::template statistics<B::input, B::output>;
                L::template gather_gradient<B::input, B::output, T>(p, x, grads[I].data(), n, ci,
                                                                   st + L::template statistics<B::input, B::output>);
              }
              std::vector<T> gin(n * B::input.size(), T(0));
              L::template train_backward<B::input, B::output, T>(p, x, outs[I].data(), grads[I].data(), gin.data(),
                                                                 grad_params + param_offset<Net, I>, n, ci);
              add_into(grads[B::sources[0]], gin);
            } else if constexpr (contract::passes_through<L>) {
              add_into(grads[B::sources[0]], grads[I]);
            } else {
              std::vector<T> gin(n * B::input.size(), T(0));
              for (std::size_t s = 0; s < n; ++s)
                L::template backward<B::input, B::output, T>(
                    params + param_offset<Net, I>, outs[B::sources[0]].data() + s * B::input.size(),
                    outs[I].data() + s * B::output.size(), grads[I].data() + s * B::output.size(),
                    gin.data() + s * B::input.size(), grad_params + param_offset<Net, I>);
              add_into(grads[B::sources[0]], gin);
            }
          }(),
          ...);
    }(std::make_index_sequence<f.layer_count>{});
    if (grad_in) std::copy(grads[0].begin(), grads[0].end(), grad_in);
  }
}

/// The gradients on one sample (backward_batch with n = 1).
template <class Net, class T>
void backward(const T* params, const T* in, const T* grad_out, T* grad_params, T* grad_in = nullptr) {
  backward_batch<Net, T>(params, in, 1, grad_out, grad_params, grad_in);
}

/// Evaluates Net in a constant expression: `constexpr auto y = evaluate<Net>(params, x);`
template <class Net, class T, std::size_t P, std::size_t N>
constexpr auto evaluate(const std::array<T, P>& params, const std::array<T, N>& input) {
  constexpr auto& f = facts<Net>;
  static_assert(P == f.params + f.buffers, "typenet: evaluate needs exactly param_count<Net> parameters (and buffers)");
  static_assert(N == f.input.size(), "typenet: evaluate needs exactly input_shape<Net>.size() inputs");
  std::array<T, f.output.size()> out{};
  forward<Net, T>(params.data(), input.data(), out.data());
  return out;
}

/// Evaluates a network without parameters (pooling, activations, flatten):
/// `constexpr auto y = evaluate<Net>(x);`
template <class Net, class T, std::size_t N>
constexpr auto evaluate(const std::array<T, N>& input) {
  return evaluate<Net>(std::array<T, 0>{}, input);
}

}  // namespace typenet::reference
