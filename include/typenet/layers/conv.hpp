// conv<filters<K>, kernel<F>, stride<S>, pad<P>>: the convolution layer (grouped, depthwise, without bias) and its shape rules.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/kernels/conv.hpp>
#include <typenet/kernels/conv_backward.hpp>
#include <typenet/kernels/grouped_conv.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/layer.hpp>
#include <typenet/layers/sliding_window.hpp>

#include <boost/hana/tuple.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace typenet {

namespace error {
template <class At, class Channels, class Groups>
struct input_channels_not_divisible_by_groups {
  static_assert(reported<At>,
                "typenet: a grouped convolution splits its input channels into its groups, so C must be a "
                "multiple of groups<G> (the layer, C and G are in the instantiation above). Fix: choose G dividing "
                "C (depthwise: G = C), or change the depth of the layer before.");
};
template <class At, class Filters, class Groups>
struct filters_not_divisible_by_groups {
  static_assert(reported<At>,
                "typenet: a grouped convolution splits its filters into its groups, so K (filters<K>) must be a "
                "multiple of the groups G (depthwise: of the input channels C) (the layer, K and G are in the "
                "instantiation above). Fix: make filters<> a multiple of G.");
};
template <std::size_t V>
struct C {};  ///< input channels (depth)
template <std::size_t V>
struct K {};  ///< filters
template <std::size_t V>
struct G {};  ///< groups
}  // namespace error

/// Rule: a grouped convolution's C input channels and K filters are both multiples of its G groups.
template <std::size_t C, std::size_t K, std::size_t G>
constexpr auto check_groups() {
  if constexpr (C % G != 0)
    return problem<error::input_channels_not_divisible_by_groups, error::C<C>, error::G<G>>{};
  else if constexpr (K % G != 0)
    return problem<error::filters_not_divisible_by_groups, error::K<K>, error::G<G>>{};
  else
    return no_problem{};
}

/// Convolution: K filters, each F_h x F_w x C (a filter spans the input's
/// full depth), sliding with stride S over the zero-padded input. Output
/// (N + 2P - F) / S + 1 per axis, depth K. Defaults: stride<1>, pad<0>,
/// exact_tiling. Weights are stored F_h x F_w x C x K (HWIO), then K biases
/// (PyTorch's Conv2d keeps its weight K x C x F_h x F_w, OIHW).
///
/// Beyond the lecture: `groups<G>` splits channels and filters into G groups,
/// each filter spanning its group's C / G channels (weights F_h x F_w x C/G x K);
/// `depthwise` is one group per input channel; `no_bias` drops the K biases.
template <class... Options>
struct conv : sliding_window<label::kernel, false, Options...> {
  using geometry = sliding_window<label::kernel, false, Options...>;
  static constexpr std::string_view kind = "conv";
  static constexpr auto accepted = boost::hana::tuple_t<label::filters, label::kernel, label::stride, label::pad,
                                                        label::rounding, label::groups, label::bias>;
  static constexpr auto required = boost::hana::tuple_t<label::filters, label::kernel>;
  static constexpr std::size_t filter_count = option_t<label::filters, filters<1>, Options...>::value;
  static constexpr bool has_bias = count_label<label::bias, Options...> == 0;
  /// groups<G>'s G; 0 for depthwise (one group per input channel).
  static constexpr std::size_t groups_option = option_t<label::groups, groups<1>, Options...>::value;
  /// The number of groups on input In.
  template <shape In>
  static constexpr std::size_t group_count = groups_option == 0 ? (In.depth == 0 ? 1 : In.depth) : groups_option;

  template <shape In>
  static constexpr auto check() {
    return first_problem(geometry::template check_geometry<In>(),
                         check_groups<In.depth, filter_count, group_count<In>>());
  }

  template <shape In>
  static constexpr layer_facts facts() {
    constexpr std::size_t oh = geometry::template out_height<In>, ow = geometry::template out_width<In>;
    constexpr checked per_filter =
        checked{geometry::window_size.height} * geometry::window_size.width * (In.depth / group_count<In>);
    return make_facts(kind, In, volume(oh, ow, filter_count), per_filter * filter_count,
                      has_bias ? filter_count : 0, volume_values(oh, ow, filter_count) * per_filter);
  }

  static std::string describe() {
    std::string s = "conv " + std::to_string(filter_count) + "@" + geometry::describe_geometry();
    if constexpr (groups_option == 0) s += " depthwise";
    if constexpr (groups_option > 1) s += " g" + std::to_string(groups_option);
    if constexpr (!has_bias) s += " no_bias";
    return s;
  }

  // --- run time (contract.hpp) ---------------------------------------------

  /// One filter's extent over input In: F_h x F_w x C / G (the fan-in; F_h x F_w x K is the fan-out).
  template <shape In>
  static constexpr std::size_t filter_values =
      geometry::window_size.height * geometry::window_size.width * (In.depth / group_count<In>);
  template <shape In>
  static constexpr std::size_t weight_count_on = filter_values<In> * filter_count;

  /// weight: F_h x F_w x C/G x K (HWIO; PyTorch's OIHW, I = C/G); bias: K, unless no_bias.
  /// (tensors has its type spelled out: clang 16 does not deduce an `auto` variable template's type
  /// inside the contract's requires-expression, and would find no tensors.)
  template <shape In>
  static constexpr auto tensors_on() {
    constexpr param_tensor weight = weight_tensor(
        {geometry::window_size.height, geometry::window_size.width, In.depth / group_count<In>, filter_count}, 4,
        "HWIO", filter_values<In>, geometry::window_size.height * geometry::window_size.width * filter_count, "OIHW");
    if constexpr (has_bias)
      return std::array<param_tensor, 2>{weight, bias_tensor(filter_count)};
    else
      return std::array<param_tensor, 1>{weight};
  }
  template <shape In, shape Out>
  static constexpr std::array<param_tensor, has_bias ? 2 : 1> tensors = tensors_on<In>();

  /// Where the biases are: after the weights, or zeros (no_bias).
  template <shape In, class T>
  static constexpr const T* biases(const T* params) {
    return biases_after<has_bias, filter_count>(params, weight_count_on<In>);
  }
  template <shape In, class T>
  static constexpr T* bias_gradients(T* grad_params) {
    return bias_gradients_after<has_bias>(grad_params, weight_count_on<In>);
  }

  template <shape In, shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    reference::conv<geometry::template window_on<In>, filter_count, T, group_count<In>>(in, params,
                                                                                       biases<In>(params), out);
  }

  /// The kernel's scratch (kernels::conv_scratch_floats: the padded input copy, packed weights or
  /// Winograd's transforms); the grouped kernel needs none.
  template <shape In, shape Out>
  static constexpr std::size_t scratch_floats =
      group_count<In> == 1 ? kernels::conv_scratch_floats<geometry::template window_on<In>, filter_count> : 0;
  static constexpr bool takes_epilogue = true;
  /// Its kernels apply a per-channel epilogue (kernels::channel_affine: a batch norm folded in).
  static constexpr bool takes_channel_epilogue = true;

  template <shape In, shape Out, class Act>
  static void kernel(const float* params, const float* in, float* out, float* scratch, Act act) {
    if constexpr (group_count<In> == 1)
      kernels::conv<geometry::template window_on<In>, filter_count>(in, params, biases<In>(params), out, scratch,
                                                                     act);
    else
      kernels::grouped_conv<geometry::template window_on<In>, filter_count, group_count<In>>(
          in, params, biases<In>(params), out, act);
  }

  /// Output rows share(out_height, part, parts).
  template <shape In, shape Out, class Act>
  static void kernel_part(const float* params, const float* in, float* out, float* scratch, Act act,
                          std::size_t part, std::size_t parts) {
    constexpr window2d G = geometry::template window_on<In>;
    const window_span rows = share(G.out_height, part, parts);
    if constexpr (group_count<In> == 1)
      kernels::conv_rows<G, filter_count>(in, params, biases<In>(params), out, scratch, act, rows.first, rows.last);
    else
      kernels::grouped_conv_rows<G, filter_count, group_count<In>>(in, params, biases<In>(params), out, act,
                                                                   rows.first, rows.last);
  }

  // --- training ------------------------------------------------------------

  template <shape In, shape Out, class T>
  static constexpr void backward(const T* params, const T* in, const T*, const T* grad_out, T* grad_in,
                                 T* grad_params) {
    reference::conv_backward<geometry::template window_on<In>, filter_count, T, group_count<In>>(
        in, params, grad_out, grad_in, grad_params, bias_gradients<In>(grad_params));
  }

  template <shape In, shape Out>
  static constexpr std::size_t backward_scratch_floats =
      group_count<In> == 1
          ? kernels::conv_backward_plan<geometry::template window_on<In>, filter_count>::scratch_floats
          : 0;

  /// Grouped: the reference loop, one sample at a time.
  template <shape In, shape Out, class Isa>
  static void backward_kernel(const float* params, const float* in, const float*, const float* grad_out,
                              float* grad_in, float* grad_params, std::size_t samples, float* scratch, Isa) {
    if constexpr (group_count<In> == 1) {
      kernels::conv_backward<geometry::template window_on<In>, filter_count>(
          in, params, grad_out, grad_in, grad_params, bias_gradients<In>(grad_params), samples, scratch);
    } else {
      for (std::size_t s = 0; s < samples; ++s)
        reference::conv_backward<geometry::template window_on<In>, filter_count, float, group_count<In>>(
            in + s * In.size(), params, grad_out + s * Out.size(), grad_in ? grad_in + s * In.size() : nullptr,
            grad_params, bias_gradients<In>(grad_params));
    }
  }
};

/// Is L a convolution?
template <class L>
inline constexpr bool is_conv = false;
template <class... O>
inline constexpr bool is_conv<conv<O...>> = true;

}  // namespace typenet
