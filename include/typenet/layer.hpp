// What every layer provides (facts, a verdict on its input) and how one layer is checked.
#pragma once

#include <typenet/checked.hpp>
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
  overflow overflowed{};        ///< the first count that did not fit in std::size_t, if any
};

/// Facts of a layer from its shapes and costs, each computed with checked
/// arithmetic (checked.hpp); params, activations and byte sizes follow. The
/// first count that overflowed is recorded, and resolve() reports it.
constexpr layer_facts make_facts(std::string_view kind, shape in, shape out, checked weights = 0,
                                 checked biases = 0, checked macs = 0) {
  const checked values = volume_values(out.height, out.width, out.depth).as("output values (H x W x C)");
  const checked params = (weights.as("weights") + biases.as("biases")).as("params (weights + biases)");
  layer_facts f{kind, in, out, weights.value, biases.value, params.value, macs.value, values.value};
  for (const checked& c : {weights.as("weights"), biases.as("biases"), macs.as("MACs"), values,
                           bytes_as_float(values).as("output bytes as float"), params,
                           bytes_as_float(params).as("param bytes as float")})
    if (!c.ok()) {
      f.overflowed = c.failed;
      break;
    }
  return f;
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
  count_overflows,
};

enum class axis { height, width };

/// A layer's judgement of its input: which rule broke, with the numbers.
struct verdict {
  rule broken = rule::none;
  axis along = axis::height;
  window_axis numbers{};
  shape expected{};
  shape got{};
  overflow too_large{};  ///< for count_overflows
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

/// Text as a fixed_string<Size> (Size - 1 characters), to carry it in a diagnostic's type.
template <std::size_t Size>
constexpr fixed_string<Size> to_fixed(std::string_view text) {
  fixed_string<Size> out;
  for (std::size_t i = 0; i + 1 < Size; ++i) out.chars[i] = text[i];
  return out;
}

/// The diagnostic of an overflow at At: what overflowed and the operation with its operands.
template <class At, char Op, std::size_t Lhs, std::size_t Rhs, auto What>
using overflow_diagnostic = error::count_overflows<
    At, error::what<What>, std::conditional_t<Op == '*', error::product<Lhs, Rhs>, error::sum<Lhs, Rhs>>>;

/// Reports overflow O at layer Pos, L.
template <std::size_t Pos, class L, overflow O>
constexpr void report_overflow() {
  constexpr std::string_view what = O.what_text();
  error::raise<overflow_diagnostic<error::at_layer<Pos, L>, O.op, O.lhs, O.rhs, to_fixed<what.size() + 1>(what)>>();
}

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
  else if constexpr (V.broken == rule::count_overflows)
    report_overflow<Pos, L, V.too_large>();
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
        constexpr layer_facts f = L::template facts<In>();
        if constexpr (f.overflowed.happened()) {
          if constexpr (Report) detail::report_overflow<Pos, L, f.overflowed>();
          return make_facts(L::kind, In, rejected);
        } else {
          return f;
        }
      }
    }
  }
}

}  // namespace typenet
