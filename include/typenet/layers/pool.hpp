// max_pool<window<F>, stride<S>, pad<P>> and avg_pool<...>: pooling and its shape rules.
#pragma once

#include <typenet/kernels/pool.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/layers/sliding_window.hpp>

#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <string>

namespace typenet {

/// Pooling acts on each depth slice alone: depth is kept, there are no
/// parameters. Stride defaults to the window (non-overlapping windows);
/// padding defaults to 0 and may be at most half the window. Averages also
/// take count_padding (what they divide by, label::divisor).
template <pool_op Op, class... Options>
struct pooling : sliding_window<label::window, true, Options...> {
  using geometry = sliding_window<label::window, true, Options...>;
  static constexpr pool_op op = Op;
  static constexpr auto accepted = [] {
    if constexpr (Op == pool_op::max)
      return boost::hana::tuple_t<label::window, label::stride, label::pad, label::rounding>;
    else
      return boost::hana::tuple_t<label::window, label::stride, label::pad, label::rounding, label::divisor>;
  }();
  static constexpr auto required = boost::hana::tuple_t<label::window>;

  template <shape In>
  static constexpr auto check() {
    return first_problem(check_volume<In>(),
                         check_pool_padding<geometry::template along_height<In>(), error::along_height>(),
                         check_pool_padding<geometry::template along_width<In>(), error::along_width>(),
                         geometry::template check_geometry<In>());
  }

  template <shape In>
  static constexpr shape output() {
    return volume(geometry::template out_height<In>, geometry::template out_width<In>, In.depth);
  }

  // --- run time (contract.hpp): no parameters -------------------------------

  template <shape In, shape Out, class T>
  static constexpr void forward(const T*, const T* in, T* out) {
    reference::pool<geometry::template window_on<In>, Op, T>(in, out);
  }

  template <shape In, shape Out, class Act>
  static void kernel(const float*, const float* in, float* out, float*, Act) {
    kernels::pool<geometry::template window_on<In>, Op>(in, out);
  }

  /// Output rows share(out_height, part, parts).
  template <shape In, shape Out, class Act>
  static void kernel_part(const float*, const float* in, float* out, float*, Act, std::size_t part,
                          std::size_t parts) {
    constexpr window2d G = geometry::template window_on<In>;
    const window_span rows = share(G.out_height, part, parts);
    kernels::pool_rows<G, Op>(in, out, rows.first, rows.last);
  }

  // --- training: the gradient goes to the first maximum (max) or is shared (average)

  template <shape In, shape Out, class T>
  static constexpr void backward(const T*, const T* in, const T*, const T* grad_out, T* grad_in, T*) {
    if (grad_in) reference::pool_backward<geometry::template window_on<In>, Op, T>(in, grad_out, grad_in);
  }
  template <shape In, shape Out, class Isa>
  static void backward_kernel(const float*, const float* in, const float*, const float* grad_out, float* grad_in,
                              float*, std::size_t samples, float*, Isa) {
    if (grad_in)
      for (std::size_t s = 0; s < samples; ++s)
        kernels::pool_backward<geometry::template window_on<In>, Op>(in + s * In.size(), grad_out + s * Out.size(),
                                                                     grad_in + s * In.size());
  }
};

/// Max pooling: each output is the largest value of its window. Padding
/// counts as -infinity, so it never wins.
template <class... Options>
struct max_pool : pooling<pool_op::max, Options...> {
  static constexpr std::string_view kind = "max_pool";
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, max_pool::template output<In>());
  }
  static std::string describe() { return "max_pool " + max_pool::describe_geometry(); }
};

/// Average pooling: each output is the mean of the input values its window
/// covers. By default the divisor counts only positions inside the input:
/// padding (and the part of a rounded-up window past the input) is never
/// averaged in, as PyTorch's count_include_pad=False. With count_padding the
/// divisor counts the padded positions too, as PyTorch's default
/// count_include_pad=True (average_divisor, kernels/reference.hpp).
template <class... Options>
struct avg_pool : pooling<count_label<label::divisor, Options...> == 0 ? pool_op::average
                                                                        : pool_op::average_counting_padding,
                          Options...> {
  static constexpr std::string_view kind = "avg_pool";
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, avg_pool::template output<In>());
  }
  static std::string describe() {
    return "avg_pool " + avg_pool::describe_geometry() +
           (avg_pool::op == pool_op::average_counting_padding ? " count_padding" : "");
  }
};

/// Is L a pooling layer (max or average)?
template <class L>
inline constexpr bool is_pool = false;
template <class... O>
inline constexpr bool is_pool<max_pool<O...>> = true;
template <class... O>
inline constexpr bool is_pool<avg_pool<O...>> = true;

}  // namespace typenet
