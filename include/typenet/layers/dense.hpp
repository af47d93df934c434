// dense<units<N>>: the fully connected layer; it flattens a volume it is given.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/kernels/dense.hpp>
#include <typenet/kernels/dense_backward.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/layer.hpp>

#include <boost/hana/tuple.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace typenet {

/// Fully connected: every output is a dot product with the whole input. A
/// volume input is flattened first (HWC order), as the lecture stretches
/// 32x32x3 into 3072 and multiplies by a 10 x 3072 matrix. Weights are stored
/// input-major (inputs x units), then `units` biases (none with no_bias).
template <class... Options>
struct dense {
  static constexpr std::string_view kind = "dense";
  static constexpr auto accepted = boost::hana::tuple_t<label::units, label::bias>;
  static constexpr auto required = boost::hana::tuple_t<label::units>;
  static constexpr std::size_t unit_count = option_t<label::units, units<1>, Options...>::value;
  static constexpr bool has_bias = count_label<label::bias, Options...> == 0;

  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, flat(unit_count), checked{In.size()} * unit_count, has_bias ? unit_count : 0,
                      checked{In.size()} * unit_count);
  }
  static std::string describe() { return "dense " + std::to_string(unit_count) + (has_bias ? "" : " no_bias"); }

  // --- run time (contract.hpp) ---------------------------------------------

  /// weight: inputs x units (IO; PyTorch's Linear keeps units x inputs, OI), fan-in inputs, fan-out
  /// units; bias: units, unless no_bias.
  /// (tensors has its type spelled out: clang 16 does not deduce an `auto` variable template's type
  /// inside the contract's requires-expression, and would find no tensors.)
  template <shape In>
  static constexpr auto tensors_on() {
    constexpr param_tensor weight = weight_tensor({In.size(), unit_count, 1, 1}, 2, "IO", In.size(), unit_count, "OI");
    if constexpr (has_bias)
      return std::array<param_tensor, 2>{weight, bias_tensor(unit_count)};
    else
      return std::array<param_tensor, 1>{weight};
  }
  template <shape In, shape Out>
  static constexpr std::array<param_tensor, has_bias ? 2 : 1> tensors = tensors_on<In>();

  /// Where the biases are: after the weights, or zeros (no_bias).
  template <shape In, class T>
  static constexpr const T* biases(const T* params) {
    return biases_after<has_bias, unit_count>(params, In.size() * unit_count);
  }
  template <shape In, class T>
  static constexpr T* bias_gradients(T* grad_params) {
    return bias_gradients_after<has_bias>(grad_params, In.size() * unit_count);
  }

  template <shape In, shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    reference::dense<In.size(), unit_count, T>(in, params, biases<In>(params), out);
  }

  static constexpr bool takes_epilogue = true;

  template <shape In, shape Out, class Act>
  static void kernel(const float* params, const float* in, float* out, float*, Act act) {
    kernels::dense<In.size(), unit_count>(in, params, biases<In>(params), out, act);
  }

  /// Blocks of units share(kernels::dense_blocks, part, parts).
  template <shape In, shape Out, class Act>
  static void kernel_part(const float* params, const float* in, float* out, float*, Act act, std::size_t part,
                          std::size_t parts) {
    const window_span blocks = share(kernels::dense_blocks<In.size(), unit_count>, part, parts);
    kernels::dense_part<In.size(), unit_count>(in, params, biases<In>(params), out, act, blocks.first, blocks.last);
  }

  /// Samples together: each weight is loaded once per group of samples.
  template <shape In, shape Out, class Act>
  static void kernel_batch(const float* params, const float* in, std::size_t in_stride, float* out,
                           std::size_t out_stride, std::size_t samples, float*, Act act) {
    kernels::dense_batch<In.size(), unit_count>(in, in_stride, params, biases<In>(params), out, out_stride, samples,
                                                act);
  }

  // --- training ------------------------------------------------------------

  template <shape In, shape Out, class T>
  static constexpr void backward(const T* params, const T* in, const T*, const T* grad_out, T* grad_in,
                                 T* grad_params) {
    reference::dense_backward<In.size(), unit_count, T>(in, params, grad_out, grad_in, grad_params,
                                                        bias_gradients<In>(grad_params));
  }

  template <shape In, shape Out, class Isa>
  static void backward_kernel(const float* params, const float* in, const float*, const float* grad_out,
                              float* grad_in, float* grad_params, std::size_t samples, float*, Isa) {
    kernels::dense_backward<In.size(), unit_count>(in, params, grad_out, grad_in, grad_params,
                                                   bias_gradients<In>(grad_params), samples);
  }
};

/// Is L a dense layer?
template <class L>
inline constexpr bool is_dense = false;
template <class... O>
inline constexpr bool is_dense<dense<O...>> = true;

}  // namespace typenet
