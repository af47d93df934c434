// channel_affine: a layer kind written outside the library, in one place (used by examples/custom_layer.cpp
// and tests/custom_layer_test.cpp).
#pragma once

#include <typenet/typenet.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace tn = typenet;

/// y[h, w, c] = scale[c] * x[h, w, c] + shift[c]: a learned per-channel affine map.
struct channel_affine {
  // --- compile time: what it is and what it does to a shape ---
  static constexpr std::string_view kind = "channel_affine";
  template <tn::shape In>
  static constexpr auto check() {
    return tn::verdict{};  // any volume or vector will do
  }
  template <tn::shape In>
  static constexpr tn::layer_facts facts() {  // same shape out; weights, biases, MACs per sample
    return tn::make_facts(kind, In, In, In.depth, In.depth, In.size());
  }
  static std::string describe() { return "channel_affine"; }

  // --- run time: its tensors, in storage order, and its definition in any number type ---
  template <tn::shape In, tn::shape Out>
  static constexpr std::array<tn::param_tensor, 2> tensors = {
      tn::param_tensor{"scale", {In.depth, 1, 1, 1}, 1, "C", tn::init_rule::ones},
      tn::param_tensor{"shift", {In.depth, 1, 1, 1}, 1, "C", tn::init_rule::zeros}};

  template <tn::shape In, tn::shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    const T* scale = params;
    const T* shift = params + In.depth;
    for (std::size_t i = 0; i < In.size(); ++i) out[i] = scale[i % In.depth] * in[i] + shift[i % In.depth];
  }

  // --- training: its derivative, in any number type; parameter gradients are added to ---
  template <tn::shape In, tn::shape Out, class T>
  static constexpr void backward(const T* params, const T* in, const T* /*out*/, const T* grad_out, T* grad_in,
                                 T* grad_params) {
    const T* scale = params;
    T* grad_scale = grad_params;
    T* grad_shift = grad_params + In.depth;
    for (std::size_t i = 0; i < In.size(); ++i) {
      const std::size_t c = i % In.depth;
      grad_scale[c] += grad_out[i] * in[i];
      grad_shift[c] += grad_out[i];
      if (grad_in) grad_in[i] = grad_out[i] * scale[c];
    }
  }
};
