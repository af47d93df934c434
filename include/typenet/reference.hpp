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

/// Every layer's output on one sample, in T (outs[i]: layer i's; outs[0]: the input): each
/// layer's forward<In, Out, T> on the outputs of the layers it reads, with its parameters at
/// param_offset<Net, I>.
template <class Net, class T>
constexpr std::vector<std::vector<T>> forward_all(const T* params, const T* in) {
  constexpr auto& f = facts<Net>;
  std::vector<std::vector<T>> outs(f.layer_count);
  outs[0].assign(in, in + f.input.size());
  boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
    using B = typename decltype(bound)::type;
    using L = typename B::layer;
    std::vector<T>& y = outs[B::position];
    if constexpr (B::position == 0) {
      return;
    } else if constexpr (contract::passes_through<L>) {
      y = outs[B::sources[0]];
    } else if constexpr (contract::joins<L>) {
      const T* x[B::inputs.size()];
      for (std::size_t k = 0; k < B::inputs.size(); ++k) x[k] = outs[B::sources[k]].data();
      y.assign(B::output.size(), T(0));
      L::template forward<B::inputs, B::output, T>(x, y.data());
    } else {
      y.assign(B::output.size(), T(0));
      L::template forward<B::input, B::output, T>(params + param_offset<Net, B::position>,
                                                   outs[B::sources[0]].data(), y.data());
    }
  });
  return outs;
}

/// The whole network on one sample, in T.
template <class Net, class T>
constexpr void forward(const T* params, const T* in, T* out) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::forward needs a network that passed its checks");
  if constexpr (meets_contract<Net>) {
    const std::vector<std::vector<T>> outs = forward_all<Net, T>(params, in);
    std::copy(outs.back().begin(), outs.back().end(), out);
  }
}

/// The gradients of the whole network on one sample, in T: given dL/dout
/// (grad_out, one output's values), adds dL/dparams to grad_params (the
/// parameters' layout) and, unless null, writes dL/din to grad_in. Each
/// layer's own backward<In, Out, T>, in reverse order, over a forward pass
/// that keeps every layer's output; a layer read by several (a residual's
/// input) gets the sum of their gradients.
template <class Net, class T>
void backward(const T* params, const T* in, const T* grad_out, T* grad_params, T* grad_in = nullptr) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::backward needs a network that passed its checks");
  if constexpr (trainable<Net>) {
    const std::vector<std::vector<T>> outs = forward_all<Net, T>(params, in);
    std::vector<std::vector<T>> grads(f.layer_count);
    for (std::size_t i = 0; i < f.layer_count; ++i) grads[i].assign(f.layer[i].output.size(), T(0));
    std::copy(grad_out, grad_out + f.output.size(), grads.back().begin());
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
            } else if constexpr (contract::passes_through<L>) {
              add_into(grads[B::sources[0]], grads[I]);
            } else if constexpr (contract::joins<L>) {
              std::vector<std::vector<T>> gin(B::inputs.size());
              T* g[B::inputs.size()];
              for (std::size_t k = 0; k < B::inputs.size(); ++k)
                gin[k].assign(B::inputs[k].size(), T(0)), g[k] = gin[k].data();
              L::template backward<B::inputs, B::output, T>(grads[I].data(), g);
              for (std::size_t k = 0; k < B::inputs.size(); ++k) add_into(grads[B::sources[k]], gin[k]);
            } else {
              std::vector<T> gin(B::input.size(), T(0));
              L::template backward<B::input, B::output, T>(params + param_offset<Net, I>, outs[B::sources[0]].data(),
                                                            outs[I].data(), grads[I].data(), gin.data(),
                                                            grad_params + param_offset<Net, I>);
              add_into(grads[B::sources[0]], gin);
            }
          }(),
          ...);
    }(std::make_index_sequence<f.layer_count>{});
    if (grad_in) std::copy(grads[0].begin(), grads[0].end(), grad_in);
  }
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
