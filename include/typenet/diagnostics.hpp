// How typenet reports a broken rule (raise, problem, at_layer, the numbers) and the diagnostics of networks and options.
//
// Each diagnostic is a class template whose arguments carry the facts (which
// layer, which numbers); instantiating it fails a static_assert whose message
// states the rule and the fix, and the compiler prints the arguments in its
// "in instantiation of" note. A shape rule's diagnostic lives next to its
// predicate (rules.hpp, and each layer's own rules in its header); the ones
// here belong to no single layer. docs/errors.md lists them all with examples.
#pragma once

#include <cstddef>
#include <type_traits>

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

}  // namespace typenet::error

namespace typenet {

/// What a layer's check returns when every rule holds.
struct no_problem {};

/// What a check returns when a rule broke: the diagnostic to raise and the
/// facts it carries (the numbers); the fold supplies where, error::at_layer<Pos, L>,
/// as the diagnostic's first argument. A rule returns this next to its
/// predicate, so the rule and its message live in one place.
template <template <class...> class Diagnostic, class... Facts>
struct problem {
  template <class At>
  using at = Diagnostic<At, Facts...>;
};

template <class T>
inline constexpr bool is_problem = false;
template <template <class...> class D, class... Facts>
inline constexpr bool is_problem<problem<D, Facts...>> = true;

template <class... Checks>
struct first_problem_of {
  using type = no_problem;
};
template <class Check, class... Checks>
struct first_problem_of<Check, Checks...> {
  using type = std::conditional_t<is_problem<Check>, Check, typename first_problem_of<Checks...>::type>;
};

/// The first of the checks' results that is a problem, or no_problem:
/// `return first_problem(rule_a<...>(), rule_b<...>());` reports rule_a before rule_b.
template <class... Checks>
constexpr auto first_problem(Checks...) {
  return typename first_problem_of<Checks...>::type{};
}

}  // namespace typenet

namespace typenet::error {

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
template <class... Labels>
struct accepts {};  ///< the option labels a layer takes (label::name, taken by every layer, aside)
struct along_height {};
struct along_width {};

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

template <class At, class Thing>
struct not_a_layer {
  static_assert(reported<At>,
                "typenet: this is not a layer (the type is in the instantiation above): a layer has a kind, "
                "check<In>() and facts<In>() (the Layer concept, layer.hpp), and networks also take block<> and "
                "network<> groups. Fix: pass options inside the layer that takes them, e.g. "
                "conv<filters<8>, kernel<3>>.");
};

// --- labelled options ---------------------------------------------------------

template <class At, class Option, class Accepts>
struct option_not_accepted {
  static_assert(reported<At>,
                "typenet: this layer does not take this option (the layer, the option and accepts<...>, the labels "
                "the layer takes, are in the instantiation above; every layer also takes name<>). Fix: remove it, "
                "or use one of the layer's own labels.");
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
                "typenet: this layer needs an option it was not given (the layer and the missing option's label "
                "are in the instantiation above). Fix: add an option with that label.");
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

template <class Group>
struct group_has_no_layers {
  static_assert(reported<Group>,
                "typenet: this residual<>, shortcut<>, concat<> or branch<> has no layers (the group is in the "
                "instantiation above). Fix: list its layers; a residual with an identity shortcut needs no "
                "shortcut<> at all.");
};

template <class Group>
struct concat_takes_branches {
  static_assert(reported<Group>,
                "typenet: concat<> takes branch<...> groups (and name<> or defaults<>), one per path from its "
                "input (the concat is in the instantiation above). Fix: wrap each path's layers in branch<...>, "
                "even a path of one layer.");
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
