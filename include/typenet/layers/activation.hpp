// Element-wise activations (relu, relu6, leaky_relu, sigmoid, tanh) and softmax: shape-preserving, no parameters.
#pragma once

#include <typenet/kernels/activation.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/layer.hpp>

#include <boost/hana/tuple.hpp>

#include <cmath>
#include <string>
#include <type_traits>

namespace typenet {

/// What all activations share: any shape in, the same shape out, nothing learned.
template <class Self>
struct shape_preserving {
  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(Self::kind, In, In);
  }
  static std::string describe() { return std::string(Self::kind); }
};

/// An activation that is one function applied to every value: Self::fusion,
/// callable on a scalar of any number type and on a simd::vec. It runs on its
/// own through the elementwise kernel, or fused into the conv or dense kernel
/// before it.
template <class Self>
struct elementwise : shape_preserving<Self> {
  template <shape In, shape Out, class T>
  static constexpr void forward(const T*, const T* in, T* out) {
    reference::map<Out.size()>(in, out, Self::fusion);
  }
  template <shape In, shape Out, class Act>
  static void kernel(const float*, const float* in, float* out, float*, Act) {
    kernels::map<Out.size()>(in, out, Self::fusion);
  }

  /// Training: grad_in = grad_out * f'(x), with f' given by Self::fusion.derivative(x, y).
  template <shape In, shape Out, class T>
  static constexpr void backward(const T*, const T* in, const T* out, const T* grad_out, T* grad_in, T*)
    requires requires { Self::fusion.derivative(T(0), T(0)); }
  {
    if (grad_in) reference::map_backward<Out.size()>(in, out, grad_out, grad_in, derivative_of_f);
  }
  template <shape In, shape Out, class Isa>
  static void backward_kernel(const float*, const float* in, const float* out, const float* grad_out,
                              float* grad_in, float*, std::size_t samples, float*, Isa)
    requires requires { Self::fusion.derivative(0.f, 0.f); }
  {
    if (grad_in)
      for (std::size_t s = 0; s < samples; ++s)
        kernels::map_backward<Out.size()>(in + s * Out.size(), out + s * Out.size(), grad_out + s * Out.size(),
                                          grad_in + s * Out.size(), derivative_of_f);
  }

 private:
  struct derivative_function {
    template <class V>
    constexpr V operator()(V x, V y) const {
      return Self::fusion.derivative(x, y);
    }
  };
  static constexpr derivative_function derivative_of_f{};
};

/// The functions. NaN goes through each as PyTorch lets it (relu(NaN) is NaN).
namespace ops {
template <class V>
inline constexpr bool is_scalar = std::is_arithmetic_v<V>;

struct relu {
  template <class V>
  constexpr V operator()(V x) const {
    if constexpr (is_scalar<V>) return x < V(0) ? V(0) : x;
    else return xsimd::select(x < V(0.f), V(0.f), x);
  }
  /// 0 where the output is 0 (or less), 1 elsewhere (NaN included), as PyTorch's threshold_backward.
  template <class V>
  constexpr V derivative(V, V y) const {
    if constexpr (is_scalar<V>) return y <= V(0) ? V(0) : V(1);
    else return xsimd::select(y <= V(0.f), V(0.f), V(1.f));
  }
};
struct relu6 {
  template <class V>
  constexpr V operator()(V x) const {
    if constexpr (is_scalar<V>) return x < V(0) ? V(0) : (x > V(6) ? V(6) : x);
    else return xsimd::select(x < V(0.f), V(0.f), xsimd::select(x > V(6.f), V(6.f), x));
  }
  /// 0 for x <= 0 or x >= 6, 1 elsewhere (NaN included), as PyTorch's hardtanh_backward.
  template <class V>
  constexpr V derivative(V x, V) const {
    if constexpr (is_scalar<V>) return x <= V(0) || x >= V(6) ? V(0) : V(1);
    else return xsimd::select(x <= V(0.f) || x >= V(6.f), V(0.f), V(1.f));
  }
};
struct leaky_relu {
  double slope;
  template <class V>
  constexpr V operator()(V x) const {
    if constexpr (is_scalar<V>) return x < V(0) ? static_cast<V>(slope) * x : x;
    else return xsimd::select(x < V(0.f), x * V(static_cast<float>(slope)), x);
  }
  /// 1 for x > 0, the slope otherwise, as PyTorch.
  template <class V>
  constexpr V derivative(V x, V) const {
    if constexpr (is_scalar<V>) return x > V(0) ? V(1) : static_cast<V>(slope);
    else return xsimd::select(x > V(0.f), V(1.f), V(static_cast<float>(slope)));
  }
};
struct sigmoid {
  template <class V>
  V operator()(V x) const {
    if constexpr (is_scalar<V>) return V(1) / (V(1) + std::exp(-x));
    else return V(1.f) / (V(1.f) + xsimd::exp(-x));
  }
  /// y (1 - y)
  template <class V>
  constexpr V derivative(V, V y) const {
    return y * (V(1.f) - y);
  }
};
struct tanh {
  template <class V>
  V operator()(V x) const {
    if constexpr (is_scalar<V>) return std::tanh(x);
    else return xsimd::tanh(x);
  }
  /// 1 - y^2
  template <class V>
  constexpr V derivative(V, V y) const {
    return V(1.f) - y * y;
  }
};
}  // namespace ops

/// max(0, x)
struct relu : elementwise<relu> {
  static constexpr std::string_view kind = "relu";
  static constexpr ops::relu fusion{};
};

/// min(max(0, x), 6): MobileNet's activation (PyTorch's nn.ReLU6).
struct relu6 : elementwise<relu6> {
  static constexpr std::string_view kind = "relu6";
  static constexpr ops::relu6 fusion{};
};

/// x for x > 0, slope * x otherwise. Default slope<1, 100> (0.01).
template <class... Options>
struct leaky_relu : elementwise<leaky_relu<Options...>> {
  static constexpr std::string_view kind = "leaky_relu";
  static constexpr auto accepted = boost::hana::tuple_t<label::slope>;
  static constexpr auto required = boost::hana::tuple_t<>;
  static constexpr double negative_slope = option_t<label::slope, slope<1, 100>, Options...>::value;
  static constexpr ops::leaky_relu fusion{negative_slope};
};

/// 1 / (1 + e^-x)
struct sigmoid : elementwise<sigmoid> {
  static constexpr std::string_view kind = "sigmoid";
  static constexpr ops::sigmoid fusion{};
};

/// tanh(x). Spell it typenet::tanh (or tn::tanh): a bare `tanh` also names
/// the C library function.
struct tanh : elementwise<tanh> {
  static constexpr std::string_view kind = "tanh";
  static constexpr ops::tanh fusion{};
};

/// e^x_i / sum_j e^x_j over the depth (channel) axis at each position; on a
/// flat vector, over the whole vector.
struct softmax : shape_preserving<softmax> {
  static constexpr std::string_view kind = "softmax";
  /// Its output is the softmax of its input: cross-entropy after it is fused with it (train/loss.hpp).
  static constexpr bool probabilities_from_logits = true;
  /// Run time: the reference loop, also as its kernel (a few exp per output vector).
  template <shape In, shape Out, class T>
  static void forward(const T*, const T* in, T* out) {
    reference::softmax<Out.height * Out.width, Out.depth, T>(in, out);
  }
  template <shape In, shape Out, class Act>
  static void kernel(const float*, const float* in, float* out, float*, Act) {
    reference::softmax<Out.height * Out.width, Out.depth, float>(in, out);
  }
  /// Training: from the output alone. (A trainer with cross-entropy after a
  /// softmax skips this and takes the softmax's input as the logits.)
  template <shape In, shape Out, class T>
  static constexpr void backward(const T*, const T*, const T* out, const T* grad_out, T* grad_in, T*) {
    if (grad_in) reference::softmax_backward<Out.height * Out.width, Out.depth, T>(out, grad_out, grad_in);
  }
};

}  // namespace typenet
