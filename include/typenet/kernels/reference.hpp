// The scalar reference kernels and forward pass: plain loops, any number type, usable in constant expressions.
//
// Tests compute in double with these to check the xsimd kernels; small
// networks can be evaluated at compile time with them (reference::evaluate).
// Layouts: activations HWC; conv weights F_h x F_w x C x K then K biases;
// dense weights inputs x units then units biases.
#pragma once

#include <typenet/layers/activation.hpp>
#include <typenet/layers/conv.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/layers/flatten.hpp>
#include <typenet/layers/pool.hpp>
#include <typenet/network.hpp>

#include <boost/hana/for_each.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace typenet {

namespace reference {

/// Convolution of one sample: in (In, HWC) -> out (Out, HWC).
template <class L, shape In, shape Out, class T>
constexpr void conv(const T* in, const T* weights, const T* biases, T* out) {
  using G = typename L::geometry;
  constexpr std::size_t K = Out.depth, C = In.depth, KH = G::window_size.height, KW = G::window_size.width;
  for (std::size_t oh = 0; oh < Out.height; ++oh) {
    const window_span rows = covered(oh, G::strides.height, KH, G::pads.top, In.height);
    for (std::size_t ow = 0; ow < Out.width; ++ow) {
      const window_span cols = covered(ow, G::strides.width, KW, G::pads.left, In.width);
      for (std::size_t k = 0; k < K; ++k) {
        T acc = biases[k];
        for (std::size_t ih = rows.first; ih < rows.last; ++ih) {
          const std::size_t kh = ih + G::pads.top - oh * G::strides.height;
          for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
            const std::size_t kw = iw + G::pads.left - ow * G::strides.width;
            for (std::size_t c = 0; c < C; ++c)
              acc += in[(ih * In.width + iw) * C + c] * weights[((kh * KW + kw) * C + c) * K + k];
          }
        }
        out[(oh * Out.width + ow) * K + k] = acc;
      }
    }
  }
}

/// Max or average pooling of one sample. Max: padding never wins (it is
/// skipped, as -infinity would be). Average: divides by the covered input
/// positions only.
template <class L, shape In, shape Out, class T>
constexpr void pool(const T* in, T* out) {
  using G = typename L::geometry;
  constexpr std::size_t C = In.depth;
  for (std::size_t oh = 0; oh < Out.height; ++oh) {
    const window_span rows = covered(oh, L::strides.height, G::window_size.height, G::pads.top, In.height);
    for (std::size_t ow = 0; ow < Out.width; ++ow) {
      const window_span cols = covered(ow, L::strides.width, G::window_size.width, G::pads.left, In.width);
      for (std::size_t c = 0; c < C; ++c) {
        T acc = L::op == pool_op::max ? in[(rows.first * In.width + cols.first) * C + c] : T(0);
        for (std::size_t ih = rows.first; ih < rows.last; ++ih)
          for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
            const T v = in[(ih * In.width + iw) * C + c];
            if constexpr (L::op == pool_op::max)
              acc = v > acc ? v : acc;
            else
              acc += v;
          }
        if constexpr (L::op == pool_op::average)
          acc /= static_cast<T>((rows.last - rows.first) * (cols.last - cols.first));
        out[(oh * Out.width + ow) * C + c] = acc;
      }
    }
  }
}

/// Fully connected: out[u] = b[u] + sum_i in[i] * w[i][u].
template <std::size_t Inputs, std::size_t Units, class T>
constexpr void dense(const T* in, const T* weights, const T* biases, T* out) {
  for (std::size_t u = 0; u < Units; ++u) {
    T acc = biases[u];
    for (std::size_t i = 0; i < Inputs; ++i) acc += in[i] * weights[i * Units + u];
    out[u] = acc;
  }
}

/// Element-wise activations and softmax (over the depth at each position).
template <class L, shape S, class T>
constexpr void activation(const T* in, T* out) {
  if constexpr (std::is_same_v<L, softmax>) {
    for (std::size_t p = 0; p < S.height * S.width; ++p) {
      const T* x = in + p * S.depth;
      T* y = out + p * S.depth;
      const T top = *std::max_element(x, x + S.depth);
      T sum = 0;
      for (std::size_t c = 0; c < S.depth; ++c) sum += (y[c] = std::exp(x[c] - top));
      for (std::size_t c = 0; c < S.depth; ++c) y[c] /= sum;
    }
  } else {
    for (std::size_t i = 0; i < S.size(); ++i) {
      const T x = in[i];
      if constexpr (std::is_same_v<L, relu>)
        out[i] = x > T(0) ? x : T(0);
      else if constexpr (is_leaky_relu<L>)
        out[i] = x > T(0) ? x : static_cast<T>(L::negative_slope) * x;
      else if constexpr (std::is_same_v<L, sigmoid>)
        out[i] = T(1) / (T(1) + std::exp(-x));
      else if constexpr (std::is_same_v<L, typenet::tanh>)
        out[i] = std::tanh(x);
      else
        out[i] = x;  // flatten, input: the values are unchanged (HWC order is the flat order)
    }
  }
}

/// One layer of the reference forward pass.
template <class Net, class B, class T>
constexpr void layer(const T* params, const T* in, T* out) {
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  const T* p = params + param_offset<Net, B::position>;
  if constexpr (is_conv<L>)
    conv<L, In, Out, T>(in, p, p + B::facts.weights, out);
  else if constexpr (is_pool<L>)
    pool<L, In, Out, T>(in, out);
  else if constexpr (is_dense<L>)
    dense<In.size(), Out.size(), T>(in, p, p + B::facts.weights, out);
  else
    activation<L, Out, T>(in, out);
}

/// The whole network on one sample, in T (double in the tests).
template <class Net, class T>
constexpr void forward(const T* params, const T* in, T* out) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: reference::forward needs a network that passed its checks");
  std::vector<T> a(in, in + f.input.size()), b;
  boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
    using B = typename decltype(bound)::type;
    if constexpr (B::position > 0) {
      b.assign(B::output.size(), T(0));
      layer<Net, B, T>(params, a.data(), b.data());
      a.swap(b);
    }
  });
  std::copy(a.begin(), a.end(), out);
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

}  // namespace reference
}  // namespace typenet
