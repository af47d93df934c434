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
  std::size_t buffers = 0; ///< values stored with the parameters but not learned (batch norm's running statistics)
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
  layer_facts f{kind, in, out, weights.value, biases.value, params.value, 0, macs.value, values.value};
  for (const checked& c : {weights.as("weights"), biases.as("biases"), macs.as("MACs"), values,
                           bytes_as_float(values).as("output bytes as float"), params,
                           bytes_as_float(params).as("param bytes as float")})
    if (!c.ok()) {
      f.overflowed = c.failed;
      break;
    }
  return f;
}

/// What a check returning `verdict{}` means: every rule holds (no_problem's older name).
using verdict = no_problem;

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

/// Rule: each option of layer L carries a label L accepts (name<> is accepted
/// by every layer), no label twice, no 0 size; then every required label is given.
template <class L, class O>
constexpr auto check_option() {
  namespace hana = boost::hana;
  using Label = typename label_of<O>::type;
  constexpr auto given = layer_options<L>::given;
  if constexpr (!std::is_same_v<Label, label::name> &&
                !decltype(hana::contains(option_labels<L>::accepted, hana::type_c<Label>))::value) {
    using accepts = typename decltype(hana::unpack(option_labels<L>::accepted, [](auto... l) {
      return hana::type_c<error::accepts<typename decltype(l)::type...>>;
    }))::type;
    return problem<error::option_not_accepted, O, accepts>{};
  } else if constexpr (decltype(hana::count_if(given, labelled<Label>{}))::value > 1) {
    return problem<error::option_given_twice, Label>{};
  } else if constexpr (!O::positive) {
    return problem<error::option_must_be_positive, O>{};
  } else {
    return no_problem{};
  }
}

template <class L, class Label>
constexpr auto check_required() {
  if constexpr (decltype(boost::hana::count_if(layer_options<L>::given, labelled<Label>{}))::value == 0)
    return problem<error::option_required, Label>{};
  else
    return no_problem{};
}

/// The first broken option rule of layer L: unknown, repeated, zero (in the
/// order written), then missing.
template <class L>
constexpr auto check_options() {
  namespace hana = boost::hana;
  return hana::unpack(layer_options<L>::given, [](auto... o) {
    return hana::unpack(option_labels<L>::required, [](auto... r) {
      return first_problem(check_option<L, typename decltype(o)::type>()...,
                           check_required<L, typename decltype(r)::type>()...);
    });
  });
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
    using A = error::at_layer<Pos, L>;
    using options = decltype(detail::check_options<L>());
    if constexpr (is_problem<options>) {
      if constexpr (Report) error::raise<typename options::template at<A>>();
      return make_facts(L::kind, In, rejected);
    } else {
      using checked_rules = decltype(L::template check<In>());
      static_assert(is_problem<checked_rules> || std::is_same_v<checked_rules, no_problem>,
                    "typenet: a layer's check<In>() returns no_problem{} or a problem<Diagnostic, Facts...>{}");
      if constexpr (is_problem<checked_rules>) {
        if constexpr (Report) error::raise<typename checked_rules::template at<A>>();
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
