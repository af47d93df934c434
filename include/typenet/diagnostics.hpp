// Every compile-time diagnostic typenet gives: one template per broken rule.
//
// Each diagnostic is a class template whose arguments carry the facts (which
// layer, which numbers); instantiating it fails a static_assert whose message
// states the rule and the fix, and the compiler prints the arguments in its
// "in instantiation of" note. docs/errors.md lists them with examples.
#pragma once

#include <cstddef>

namespace typenet::error {

/// Always false, but only once instantiated: keeps the static_asserts below
/// from firing until a rule is actually broken.
template <class...>
inline constexpr bool reported = false;

/// Reports Diagnostic: naming its size instantiates it, so its static_assert
/// fires, but in an unevaluated operand, so the reporting constexpr function
/// stays a constant expression. The fold then goes on with `rejected` and the
/// compiler adds no follow-up errors; a `sizeof` evaluated in the caller made
/// clang reject every constexpr variable the fold feeds, and fold on after a
/// network that does not start with an input.
template <class Diagnostic>
constexpr void raise() {
  using instantiated [[maybe_unused]] = decltype(sizeof(Diagnostic));
}

/// Where: the layer's position in the network (input = 0, blocks counted
/// layer by layer) and the layer as declared.
template <std::size_t Position, class Layer>
struct at_layer {};

// The numbers, named as the lecture names them.
template <std::size_t V>
struct N {};  ///< input extent along the axis
template <std::size_t V>
struct F {};  ///< window (kernel) extent
template <std::size_t Before, std::size_t After>
struct P {};  ///< zero padding before and after
template <std::size_t V>
struct S {};  ///< stride
template <std::size_t V>
struct left_over {};  ///< (N + 2P - F) mod S
template <std::size_t H, std::size_t W, std::size_t C, bool Flat>
struct volume_shape {};  ///< an H x W x C volume (Flat: a vector of C)
template <std::size_t V>
struct index {};
template <std::size_t V>
struct layer_count {};
template <auto Text>
struct what {};  ///< what was being computed, e.g. what<"MACs">
template <std::size_t A, std::size_t B>
struct product {};  ///< A * B
template <std::size_t A, std::size_t B>
struct sum {};  ///< A + B
struct along_height {};
struct along_width {};

// --- rules of sliding windows (convolution and pooling) -------------------

template <class At, class Axis, class N, class F, class P, class S, class LeftOver>
struct windows_must_tile_the_padded_input {
  static_assert(reported<At>,
                "typenet: the windows of this layer do not tile its padded input: (N + 2P - F) must be a multiple "
                "of S, and left_over = (N + 2P - F) mod S is not 0 (the layer, N, F, P, S and left_over are in the "
                "instantiation above). Fix: change kernel<>, stride<> or pad<> so that the windows fit, or add "
                "round_down (or round_up) to this layer to accept a partial last window.");
};

template <class At, class Axis, class N, class F, class P>
struct window_larger_than_padded_input {
  static_assert(reported<At>,
                "typenet: the window of this layer is larger than its padded input: F > N + 2P (the layer, N, F "
                "and P are in the instantiation above). Fix: use a smaller kernel<> or window<>, more pad<>, or "
                "move the layer before the input shrinks.");
};

template <class At, class Axis, class F, class P>
struct pool_padding_exceeds_half_window {
  static_assert(reported<At>,
                "typenet: pooling may pad at most half its window on each side, P <= F / 2 (the layer, F and P are "
                "in the instantiation above); more padding makes windows that see only padding. Fix: use less "
                "pad<> or a larger window<>.");
};

template <class At, class Axis, class F>
struct same_padding_needs_an_odd_kernel {
  static_assert(reported<At>,
                "typenet: pad_same means P = (F - 1) / 2, which needs an odd kernel (F is in the instantiation "
                "above). Fix: use an odd kernel<>, or give pad<> or pad_sides<> explicitly.");
};

// --- arithmetic ----------------------------------------------------------------

template <class At, class What, class Operation>
struct count_overflows {
  static_assert(reported<At>,
                "typenet: a count of this layer (or a network total, once this layer is added to it) does not fit "
                "in 64 bits (std::size_t), where it would wrap to a wrong, small number (the layer, what "
                "overflowed and the operation that overflowed, product<a, b> = a * b or sum<a, b> = a + b, are in "
                "the instantiation above). Fix: make the input, the filter or unit count, or the padding smaller.");
};

// --- what a layer accepts --------------------------------------------------

template <class At, class Got>
struct layer_needs_a_volume {
  static_assert(reported<At>,
                "typenet: this layer slides a window over an H x W x C volume, but it is given a flat vector "
                "(the layer and the shape it got are in the instantiation above). Fix: move it before flatten / "
                "dense, or give the network a volume input<H, W, C>.");
};

template <class At, class Expected, class Got>
struct input_shape_mismatch {
  static_assert(reported<At>,
                "typenet: this input<> (or a nested network's input) expects a different shape than the layer "
                "before it produces (expected and got are in the instantiation above). Fix: make the shapes "
                "agree, or nest the layers as a block<> that takes any input.");
};

template <class At>
struct input_needs_three_extents_or_one {
  static_assert(reported<At>,
                "typenet: input<> takes H, W, C (a volume, as in input<32, 32, 3>) or a single length N (a flat "
                "vector, as in input<3072>). Fix: give three extents or one.");
};

template <class At>
struct input_extents_must_be_positive {
  static_assert(reported<At>,
                "typenet: an input extent is 0; every extent of input<> must be at least 1. Fix: give the real "
                "H, W, C.");
};

template <class At, class Thing>
struct not_a_layer {
  static_assert(reported<At>,
                "typenet: this is not a layer (the type is in the instantiation above). A network lists layers "
                "such as input<>, conv<>, max_pool<>, avg_pool<>, relu, leaky_relu<>, sigmoid, tanh, softmax, "
                "flatten, dense<>, block<> and network<>. Fix: pass options inside the layer that takes them, "
                "e.g. conv<filters<8>, kernel<3>>.");
};

// --- labelled options ---------------------------------------------------------

template <class At, class Option>
struct option_not_accepted {
  static_assert(reported<At>,
                "typenet: this layer does not take this option (both are in the instantiation above). Fix: remove "
                "it, or use the layer's own label (convolution: filters, kernel, stride, pad, round_down / "
                "round_up; pooling: window, stride, pad, round_down / round_up; dense: units; leaky_relu: "
                "slope).");
};

template <class At, class Label>
struct option_given_twice {
  static_assert(reported<At>,
                "typenet: this layer is given the same option twice (its label is in the instantiation above; "
                "pad<>, pad_sides<> and pad_same are all padding). Fix: keep one.");
};

template <class At, class Label>
struct option_required {
  static_assert(reported<At>,
                "typenet: this layer needs an option it was not given (its label is in the instantiation above): "
                "conv needs filters<K> and kernel<F>, pooling needs window<F>, dense needs units<N>. Fix: add it.");
};

template <class At, class Option>
struct option_must_be_positive {
  static_assert(reported<At>,
                "typenet: sizes, strides, filter and unit counts must be at least 1, and this option has a 0 "
                "(the option is in the instantiation above). Fix: give it a positive value.");
};

// --- networks ------------------------------------------------------------

template <class Net>
struct network_is_empty {
  static_assert(reported<Net>,
                "typenet: this network has no layers. Fix: start it with input<H, W, C> and list its layers in "
                "data-flow order.");
};

template <class Net, class First>
struct network_must_start_with_input {
  static_assert(reported<Net>,
                "typenet: a network must start with input<H, W, C> (or input<N>) so that every shape can be "
                "computed; this one starts with the layer in the instantiation above. Fix: add the input, or "
                "use block<...> for a group of layers that is only nested inside networks.");
};

template <class Block>
struct block_is_empty {
  static_assert(reported<Block>, "typenet: block<> has no layers. Fix: list its layers, or remove it.");
};

template <class Net, class Index, class Count>
struct layer_index_out_of_range {
  static_assert(reported<Net>,
                "typenet: there is no layer at this position (the index and the network's layer count are in the "
                "instantiation above; the input is layer 0). Fix: use an index below the layer count.");
};

template <class Net, class Name, class First, class Second>
struct layer_name_used_twice {
  static_assert(reported<Net>,
                "typenet: two layers of this network have the same full name (the name and both positions are "
                "in the instantiation above; a name inside a named block<> or network<> is prefixed with the "
                "group's name and a dot). Fix: rename one of them, or name the groups that hold them.");
};

template <class Net, class Name>
struct no_layer_named {
  static_assert(reported<Net>,
                "typenet: no layer of this network has this name (the network and the name are in the "
                "instantiation above; a layer inside a named block<> or network<> is called group.layer, and "
                "a layer without name<> is reached by its position only). Fix: use a name the network gives, "
                "or the layer's position.");
};

}  // namespace typenet::error
