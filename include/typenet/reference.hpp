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

/// The whole network on one sample, in T: each layer's forward<In, Out, T>
/// with its parameters at param_offset<Net, I>.
template <class Net, class T>
constexpr void forward(const T* params, const T* in, T* out) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::forward needs a network that passed its checks");
  if constexpr (meets_contract<Net>) {
    std::vector<T> a(in, in + f.input.size()), b;
    boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
      using B = typename decltype(bound)::type;
      using L = typename B::layer;
      if constexpr (!contract::passes_through<L>) {
        b.assign(B::output.size(), T(0));
        L::template forward<B::input, B::output, T>(params + param_offset<Net, B::position>, a.data(), b.data());
        a.swap(b);
      }
    });
    std::copy(a.begin(), a.end(), out);
  }
}

/// The gradients of the whole network on one sample, in T: given dL/dout
/// (grad_out, one output's values), adds dL/dparams to grad_params (the
/// parameters' layout) and, unless null, writes dL/din to grad_in. Each
/// layer's own backward<In, Out, T>, in reverse order, over a forward pass
/// that keeps every layer's output.
template <class Net, class T>
void backward(const T* params, const T* in, const T* grad_out, T* grad_params, T* grad_in = nullptr) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::backward needs a network that passed its checks");
  if constexpr (trainable<Net>) {
    std::vector<std::vector<T>> outs(f.layer_count + 1);  // outs[0]: the input; outs[i + 1]: layer i's output
    outs[0].assign(in, in + f.input.size());
    boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
      using B = typename decltype(bound)::type;
      using L = typename B::layer;
      std::vector<T>& y = outs[B::position + 1];
      if constexpr (contract::passes_through<L>) {
        y = outs[B::position];
      } else {
        y.assign(B::output.size(), T(0));
        L::template forward<B::input, B::output, T>(params + param_offset<Net, B::position>,
                                                     outs[B::position].data(), y.data());
      }
    });
    std::vector<T> g(grad_out, grad_out + f.output.size()), gin;
    [&]<std::size_t... R>(std::index_sequence<R...>) {
      (
          [&] {
            constexpr std::size_t I = f.layer_count - 1 - R;
            using B = bound_at<Net, I>;
            using L = typename B::layer;
            if constexpr (!contract::passes_through<L>) {
              gin.assign(B::input.size(), T(0));
              L::template backward<B::input, B::output, T>(params + param_offset<Net, I>, outs[I].data(),
                                                            outs[I + 1].data(), g.data(), gin.data(),
                                                            grad_params + param_offset<Net, I>);
              g.swap(gin);
            }
          }(),
          ...);
    }(std::make_index_sequence<f.layer_count>{});
    if (grad_in) std::copy(g.begin(), g.end(), grad_in);
  }
}

/// Evaluates Net in a constant expression: `constexpr auto y = evaluate<Net>(params, x);`
template <class Net, class T, std::size_t P, std::size_t N>
constexpr auto evaluate(const std::array<T, P>& params, const std::array<T, N>& input) {
  constexpr auto& f = facts<Net>;
  static_assert(P == f.params, "typenet: evaluate needs exactly param_count<Net> parameters");
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
