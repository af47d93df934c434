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
/// input-major (inputs x units), then `units` biases.
template <class... Options>
struct dense {
  static constexpr std::string_view kind = "dense";
  static constexpr auto accepted = boost::hana::tuple_t<label::units>;
  static constexpr auto required = boost::hana::tuple_t<label::units>;
  static constexpr std::size_t unit_count = option_t<label::units, units<1>, Options...>::value;

  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, flat(unit_count), checked{In.size()} * unit_count, unit_count,
                      checked{In.size()} * unit_count);
  }
  static std::string describe() { return "dense " + std::to_string(unit_count); }

  // --- run time (contract.hpp) ---------------------------------------------

  /// weight: inputs x units (IO; PyTorch's Linear keeps units x inputs, OI), fan-in inputs, fan-out units; bias: units.
  template <shape In, shape Out>
  static constexpr std::array<param_tensor, 2> tensors = {
      weight_tensor({In.size(), unit_count, 1, 1}, 2, "IO", In.size(), unit_count, "OI"), bias_tensor(unit_count)};

  template <shape In, shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    reference::dense<In.size(), unit_count, T>(in, params, params + In.size() * unit_count, out);
  }

  static constexpr bool takes_epilogue = true;

  template <shape In, shape Out, class Act>
  static void kernel(const float* params, const float* in, float* out, float*, Act act) {
    kernels::dense<In.size(), unit_count>(in, params, params + In.size() * unit_count, out, act);
  }

  /// Samples together: each weight is loaded once per group of samples.
  template <shape In, shape Out, class Act>
  static void kernel_batch(const float* params, const float* in, std::size_t in_stride, float* out,
                           std::size_t out_stride, std::size_t samples, float*, Act act) {
    kernels::dense_batch<In.size(), unit_count>(in, in_stride, params, params + In.size() * unit_count, out,
                                                out_stride, samples, act);
  }

  // --- training ------------------------------------------------------------

  template <shape In, shape Out, class T>
  static constexpr void backward(const T* params, const T* in, const T*, const T* grad_out, T* grad_in,
                                 T* grad_params) {
    reference::dense_backward<In.size(), unit_count, T>(in, params, grad_out, grad_in, grad_params,
                                                        grad_params + In.size() * unit_count);
  }

  template <shape In, shape Out, class Isa>
  static void backward_kernel(const float* params, const float* in, const float*, const float* grad_out,
                              float* grad_in, float* grad_params, std::size_t samples, float*, Isa) {
    kernels::dense_backward<In.size(), unit_count>(in, params, grad_out, grad_in, grad_params,
                                                   grad_params + In.size() * unit_count, samples);
  }
};

/// Is L a dense layer?
template <class L>
inline constexpr bool is_dense = false;
template <class... O>
inline constexpr bool is_dense<dense<O...>> = true;

}  // namespace typenet
