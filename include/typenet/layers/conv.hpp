// conv<filters<K>, kernel<F>, stride<S>, pad<P>>: the convolution layer and its shape rules.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/kernels/conv.hpp>
#include <typenet/kernels/conv_backward.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/layer.hpp>
#include <typenet/layers/sliding_window.hpp>

#include <boost/hana/tuple.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace typenet {

/// Convolution: K filters, each F_h x F_w x C (a filter spans the input's
/// full depth), sliding with stride S over the zero-padded input. Output
/// (N + 2P - F) / S + 1 per axis, depth K. Defaults: stride<1>, pad<0>,
/// exact_tiling. Weights are stored F_h x F_w x C x K (HWIO), then K biases
/// (PyTorch's Conv2d keeps its weight K x C x F_h x F_w, OIHW).
template <class... Options>
struct conv : sliding_window<label::kernel, false, Options...> {
  using geometry = sliding_window<label::kernel, false, Options...>;
  static constexpr std::string_view kind = "conv";
  static constexpr auto accepted =
      boost::hana::tuple_t<label::filters, label::kernel, label::stride, label::pad, label::rounding>;
  static constexpr auto required = boost::hana::tuple_t<label::filters, label::kernel>;
  static constexpr std::size_t filter_count = option_t<label::filters, filters<1>, Options...>::value;

  template <shape In>
  static constexpr auto check() {
    return geometry::template check_geometry<In>();
  }

  template <shape In>
  static constexpr layer_facts facts() {
    constexpr std::size_t oh = geometry::template out_height<In>, ow = geometry::template out_width<In>;
    constexpr checked per_filter = checked{geometry::window_size.height} * geometry::window_size.width * In.depth;
    return make_facts(kind, In, volume(oh, ow, filter_count), per_filter * filter_count, filter_count,
                      volume_values(oh, ow, filter_count) * per_filter);
  }

  static std::string describe() {
    return "conv " + std::to_string(filter_count) + "@" + geometry::describe_geometry();
  }

  // --- run time (contract.hpp) ---------------------------------------------

  /// One filter's extent over input In: F_h x F_w x C (the fan-in; F_h x F_w x K is the fan-out).
  template <shape In>
  static constexpr std::size_t filter_values = geometry::window_size.height * geometry::window_size.width * In.depth;
  template <shape In>
  static constexpr std::size_t weight_count_on = filter_values<In> * filter_count;

  /// weight: F_h x F_w x C x K (HWIO); bias: K.
  template <shape In, shape Out>
  static constexpr std::array<param_tensor, 2> tensors = {
      weight_tensor({geometry::window_size.height, geometry::window_size.width, In.depth, filter_count}, 4, "HWIO",
                    filter_values<In>, geometry::window_size.height * geometry::window_size.width * filter_count,
                    "OIHW"),
      bias_tensor(filter_count)};

  template <shape In, shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    reference::conv<geometry::template window_on<In>, filter_count, T>(in, params, params + weight_count_on<In>, out);
  }

  /// The padded input copy of the kernel.
  template <shape In, shape Out>
  static constexpr std::size_t scratch_floats =
      kernels::conv_plan<geometry::template window_on<In>, filter_count>::scratch_floats;
  static constexpr bool takes_epilogue = true;

  template <shape In, shape Out, class Act>
  static void kernel(const float* params, const float* in, float* out, float* scratch, Act act) {
    kernels::conv<geometry::template window_on<In>, filter_count>(in, params, params + weight_count_on<In>, out,
                                                                   scratch, act);
  }

  // --- training ------------------------------------------------------------

  template <shape In, shape Out, class T>
  static constexpr void backward(const T* params, const T* in, const T*, const T* grad_out, T* grad_in,
                                 T* grad_params) {
    reference::conv_backward<geometry::template window_on<In>, filter_count, T>(
        in, params, grad_out, grad_in, grad_params, grad_params + weight_count_on<In>);
  }

  template <shape In, shape Out>
  static constexpr std::size_t backward_scratch_floats =
      kernels::conv_backward_plan<geometry::template window_on<In>, filter_count>::scratch_floats;

  template <shape In, shape Out, class Isa>
  static void backward_kernel(const float* params, const float* in, const float*, const float* grad_out,
                              float* grad_in, float* grad_params, std::size_t samples, float* scratch, Isa) {
    kernels::conv_backward<geometry::template window_on<In>, filter_count>(
        in, params, grad_out, grad_in, grad_params, grad_params + weight_count_on<In>, samples, scratch);
  }
};

/// Is L a convolution?
template <class L>
inline constexpr bool is_conv = false;
template <class... O>
inline constexpr bool is_conv<conv<O...>> = true;

}  // namespace typenet
