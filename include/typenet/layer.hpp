// What every layer provides (facts, a verdict on its input) and how one layer is checked.
#pragma once

#include <typenet/diagnostics.hpp>
#include <typenet/options.hpp>
#include <typenet/rules.hpp>
#include <typenet/shape.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/count_if.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <array>
#include <cstddef>
#include <concepts>
#include <string_view>
#include <type_traits>
#include <utility>

namespace typenet {

/// The compile-time facts of one layer, given its input.
struct layer_facts {
  std::string_view kind;   ///< "conv", "max_pool", "dense", ...
  shape input;             ///< what it takes
  shape output;            ///< what it gives
  std::size_t weights = 0; ///< learned weights
  std::size_t biases = 0;  ///< learned biases
  std::size_t params = 0;  ///< weights + biases
  std::size_t macs = 0;    ///< multiply-accumulates per sample
  std::size_t activations = 0;  ///< output values per sample
  std::string_view name{};      ///< the full (dotted) name, "" when unnamed
};

/// Facts of a layer from its shapes and costs; params and activations follow.
constexpr layer_facts make_facts(std::string_view kind, shape in, shape out, std::size_t weights = 0,
                                 std::size_t biases = 0, std::size_t macs = 0) {
  return {kind, in, out, weights, biases, weights + biases, macs, out.size()};
}

/// The rules a layer's input can break (options are checked before these).
enum class rule {
  none,
  needs_volume,
  window_larger_than_padded_input,
  windows_must_tile,
  pool_padding_exceeds_half_window,
  same_padding_needs_odd_kernel,
  input_shape_mismatch,
  input_needs_three_extents_or_one,
  input_extents_must_be_positive,
};

enum class axis { height, width };

/// A layer's judgement of its input: which rule broke, with the numbers.
struct verdict {
  rule broken = rule::none;
  axis along = axis::height;
  window_axis numbers{};
  shape expected{};
  shape got{};
  constexpr bool ok() const { return broken == rule::none; }
};

/// The first broken rule of a sliding window along both axes, if any.
constexpr verdict check_window(window_axis h, window_axis w, rounding r) {
  for (auto [a, along] : {std::pair{h, axis::height}, std::pair{w, axis::width}}) {
    if (!window_fits(a)) return {rule::window_larger_than_padded_input, along, a};
    if (r == rounding::exact && !windows_tile(a)) return {rule::windows_must_tile, along, a};
  }
  return {};
}

/// Layers list their accepted and required option labels; plain layers take none.
template <class Layer>
struct layer_options {
  static constexpr auto given = boost::hana::tuple_t<>;
};
template <template <class...> class Layer, class... Options>
struct layer_options<Layer<Options...>> {
  static constexpr auto given = boost::hana::tuple_t<Options...>;
};

/// Option labels a layer accepts and requires; a layer without options takes none.
template <class L>
struct option_labels {
  static constexpr auto accepted = boost::hana::tuple_t<>;
  static constexpr auto required = boost::hana::tuple_t<>;
};
template <class L>
  requires requires { L::accepted; }
struct option_labels<L> {
  static constexpr auto accepted = L::accepted;
  static constexpr auto required = L::required;
};

/// A layer is a type with a `kind` and the `check` / `facts` pair.
template <class T>
concept Layer = requires {
  { T::kind } -> std::convertible_to<std::string_view>;
};

namespace detail {

template <std::size_t Pos, class L, shape In, verdict V>
constexpr void report() {
  using A = error::at_layer<Pos, L>;
  using Along = std::conditional_t<V.along == axis::height, error::along_height, error::along_width>;
  constexpr window_axis a = V.numbers;
  using Pad = error::P<a.pad_before, a.pad_after>;
  using Got = error::volume_shape<V.got.height, V.got.width, V.got.depth, V.got.flat>;
  using Expected = error::volume_shape<V.expected.height, V.expected.width, V.expected.depth, V.expected.flat>;
  if constexpr (V.broken == rule::needs_volume)
    error::raise<error::layer_needs_a_volume<A, Got>>();
  else if constexpr (V.broken == rule::window_larger_than_padded_input)
    error::raise<error::window_larger_than_padded_input<A, Along, error::N<a.n>, error::F<a.f>, Pad>>();
  else if constexpr (V.broken == rule::windows_must_tile)
    error::raise<error::windows_must_tile_the_padded_input<A, Along, error::N<a.n>, error::F<a.f>, Pad,
                                                           error::S<a.s>, error::left_over<left_over(a)>>>();
  else if constexpr (V.broken == rule::pool_padding_exceeds_half_window)
    error::raise<error::pool_padding_exceeds_half_window<A, Along, error::F<a.f>, Pad>>();
  else if constexpr (V.broken == rule::same_padding_needs_odd_kernel)
    error::raise<error::same_padding_needs_an_odd_kernel<A, Along, error::F<a.f>>>();
  else if constexpr (V.broken == rule::input_shape_mismatch)
    error::raise<error::input_shape_mismatch<A, Expected, Got>>();
  else if constexpr (V.broken == rule::input_needs_three_extents_or_one)
    error::raise<error::input_needs_three_extents_or_one<A>>();
  else if constexpr (V.broken == rule::input_extents_must_be_positive)
    error::raise<error::input_extents_must_be_positive<A>>();
}

enum class option_rule { none, not_accepted, given_twice, not_positive, missing };

struct option_verdict {
  option_rule broken = option_rule::none;
  std::size_t index = 0;  ///< into the given options, or into the required labels when missing
};

/// The first broken option rule of layer L: unknown, repeated, zero, missing.
template <class L>
constexpr option_verdict check_options() {
  namespace hana = boost::hana;
  constexpr auto given = layer_options<L>::given;
  constexpr std::size_t n = hana::length(given);
  std::array<option_verdict, n + 1> found{};
  std::size_t i = 0;
  bool bad = false;
  hana::for_each(given, [&](auto option) {
    using O = typename decltype(option)::type;
    using Label = typename label_of<O>::type;
    if (bad) return;
    // Every layer takes a name; the others must be listed in L::accepted.
    if constexpr (!std::is_same_v<Label, label::name> &&
                  !decltype(hana::contains(option_labels<L>::accepted, hana::type_c<Label>))::value) {
      found[0] = {option_rule::not_accepted, i};
      bad = true;
    } else if constexpr (decltype(hana::count_if(given, labelled<Label>{}))::value > 1) {
      found[0] = {option_rule::given_twice, i};
      bad = true;
    } else if constexpr (!O::positive) {
      found[0] = {option_rule::not_positive, i};
      bad = true;
    }
    ++i;
  });
  if (bad) return found[0];
  std::size_t j = 0;
  hana::for_each(option_labels<L>::required, [&](auto required_label) {
    using Label = typename decltype(required_label)::type;
    if (!bad && decltype(hana::count_if(given, labelled<Label>{}))::value == 0) {
      found[0] = {option_rule::missing, j};
      bad = true;
    }
    ++j;
  });
  return found[0];
}

template <std::size_t Pos, class L, option_verdict V>
constexpr void report_options() {
  namespace hana = boost::hana;
  using A = error::at_layer<Pos, L>;
  if constexpr (V.broken == option_rule::missing) {
    using Label = typename decltype(+hana::at_c<V.index>(option_labels<L>::required))::type;
    error::raise<error::option_required<A, Label>>();
  } else {
    using O = typename decltype(+hana::at_c<V.index>(layer_options<L>::given))::type;
    if constexpr (V.broken == option_rule::not_accepted)
      error::raise<error::option_not_accepted<A, O>>();
    else if constexpr (V.broken == option_rule::given_twice)
      error::raise<error::option_given_twice<A, typename label_of<O>::type>>();
    else if constexpr (V.broken == option_rule::not_positive)
      error::raise<error::option_must_be_positive<A, O>>();
  }
}

}  // namespace detail

/// Stands in a network for a group (block or nested network) that broke a
/// rule of groups; the fold reports Diagnostic at its position.
template <class Diagnostic>
struct group_problem {
  using diagnostic = Diagnostic;
  static constexpr std::string_view kind = "group";
};

template <class T>
inline constexpr bool is_group_problem = false;
template <class D>
inline constexpr bool is_group_problem<group_problem<D>> = true;

/// Facts of layer L at position Pos given input In, after checking every rule
/// it owns. A broken rule reports its diagnostic (if Report) and yields
/// `rejected`, which later layers pass through silently, so one bad layer
/// gives one error.
template <std::size_t Pos, class L, shape In, bool Report = true>
constexpr layer_facts resolve() {
  if constexpr (Pos > 0 && !In.valid()) {
    if constexpr (Layer<L>) return make_facts(L::kind, In, rejected);
    else return make_facts("?", In, rejected);
  } else if constexpr (!Layer<L>) {
    if constexpr (Report) error::raise<error::not_a_layer<error::at_layer<Pos, L>, L>>();
    return make_facts("?", In, rejected);
  } else if constexpr (is_group_problem<L>) {
    if constexpr (Report) error::raise<typename L::diagnostic>();
    return make_facts(L::kind, In, rejected);
  } else {
    constexpr detail::option_verdict options = detail::check_options<L>();
    if constexpr (options.broken != detail::option_rule::none) {
      if constexpr (Report) detail::report_options<Pos, L, options>();
      return make_facts(L::kind, In, rejected);
    } else {
      constexpr verdict v = L::template check<In>();
      if constexpr (!v.ok()) {
        if constexpr (Report) detail::report<Pos, L, In, v>();
        return make_facts(L::kind, In, rejected);
      } else {
        return L::template facts<In>();
      }
    }
  }
}

}  // namespace typenet
