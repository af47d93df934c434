// network<input<...>, layers...> and block<layers...>: the fold of the input shape through the layers.
#pragma once

#include <typenet/layer.hpp>
#include <typenet/layers/input.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/front.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace typenet {

/// A network: layers in data-flow order, starting with input<...>. A network
/// can also be nested in another one; its input then checks the shape it is
/// given.
template <class... Layers>
struct network {};

/// A reusable group of layers without an input: it takes whatever shape the
/// layer before it gives. Nested blocks and networks are spliced into the
/// enclosing network, so layer positions count their layers one by one.
template <class... Layers>
struct block {};

/// The compile-time facts of a whole network: per layer (by position, input =
/// 0) and in total.
template <std::size_t L>
struct network_facts {
  std::array<layer_facts, L> layer{};
  std::size_t layer_count = L;
  shape input{};
  shape output{};
  std::size_t weights = 0;
  std::size_t biases = 0;
  std::size_t params = 0;
  std::size_t macs = 0;
  std::size_t activations = 0;         ///< sum of every layer's output values, input included
  std::size_t largest_activation = 0;  ///< the largest single layer output (values)
  std::size_t largest_in_out_pair = 0; ///< the largest input + output of one layer (values)
  bool valid = false;                  ///< every layer accepted its input
};

namespace detail {

template <class T>
struct is_input : std::false_type {};
template <std::size_t... E>
struct is_input<input<E...>> : std::true_type {};

/// Rule: a network's layers (nesting spliced) are not empty and start with
/// input<>. Holds for nested networks too. The diagnostic of the broken rule,
/// or void.
template <class Net, class Layers>
constexpr auto start_problem(Layers layers) {
  namespace hana = boost::hana;
  if constexpr (decltype(hana::length(layers))::value == 0) {
    return hana::type_c<error::network_is_empty<Net>>;
  } else {
    using first = typename std::remove_cvref_t<decltype(hana::front(layers))>::type;
    if constexpr (!is_input<first>::value)
      return hana::type_c<error::network_must_start_with_input<Net, first>>;
    else
      return hana::type_c<void>;
  }
}

/// The layers a declared element stands for: itself, or a nested group's layers.
template <class L>
struct expand {
  static constexpr auto layers = boost::hana::tuple_t<L>;
};

template <class Group, class... Ls>
constexpr auto splice() {
  namespace hana = boost::hana;
  if constexpr (sizeof...(Ls) == 0) {
    return hana::tuple_t<>;
  } else {
    return hana::flatten(hana::make_tuple(expand<Ls>::layers...));
  }
}

template <class... Ls>
struct expand<block<Ls...>> {
  static constexpr auto layers = splice<block<Ls...>, Ls...>();
};

// A group that breaks a rule (an empty block, a nested network without an
// input) becomes a group_problem in its place, which the fold reports at that
// position like any rejected layer.
template <class... Ls>
  requires(sizeof...(Ls) == 0)
struct expand<block<Ls...>> {
  static constexpr auto layers = boost::hana::tuple_t<group_problem<error::block_is_empty<block<Ls...>>>>;
};

template <class... Ls>
struct expand<network<Ls...>> {
  // A nested network keeps the rules of a network (a group without an input is a block<>).
  static constexpr auto layers = [] {
    constexpr auto spliced = splice<network<Ls...>, Ls...>();
    using problem = typename decltype(start_problem<network<Ls...>>(spliced))::type;
    if constexpr (std::is_void_v<problem>)
      return spliced;
    else
      return boost::hana::tuple_t<group_problem<problem>>;
  }();
};

/// One layer bound to its position and input shape: the fold's element.
/// Report: raise the diagnostic of a broken rule (false: only record it).
template <std::size_t Pos, class L, shape In, bool Report = true>
struct bound {
  using layer = L;
  static constexpr std::size_t position = Pos;
  static constexpr shape input = In;
  static constexpr layer_facts facts = resolve<Pos, L, In, Report>();
  static constexpr shape output = facts.output;
};

/// The fold of the input shape through the layers, one position at a time:
/// layer I is bound to the output of layer I - 1 (layer 0, the input, to the
/// placeholder that input<> replaces with its own shape). Each step names only
/// its own layer and the shape before it, so L layers cost L instantiations;
/// a hana::fold_left appending to a growing tuple costs O(L^2) of them (2 s of
/// compile time for VGG-16, out of memory at 200 layers).
template <class Layers, std::size_t I, bool Report>
struct fold_step {
  using layer = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(std::declval<Layers>()))>::type;
  static constexpr shape incoming = [] {
    if constexpr (I == 0)
      return rejected;
    else
      return fold_step<Layers, I - 1, Report>::type::output;
  }();
  using type = bound<I, layer, incoming, Report>;
};

/// Every layer bound, left to right (the steps are instantiated in order, so
/// the recursion in fold_step never goes deeper than one step).
template <bool Report, class Layers, std::size_t... I>
constexpr auto bind_layers(Layers, std::index_sequence<I...>) {
  return boost::hana::tuple_t<typename fold_step<Layers, I, Report>::type...>;
}

/// The checked, bound layers of Net; Report: raise the first broken rule's diagnostic.
template <class Net, bool Report = true>
struct analysis {
  // Not a network: report as a network that does not start with an input.
  static constexpr auto bound_layers = [] {
    if constexpr (Report) error::raise<error::network_must_start_with_input<Net, Net>>();
    return boost::hana::tuple_t<>;
  }();
};

template <class... Ls, bool Report>
struct analysis<network<Ls...>, Report> {
  using net = network<Ls...>;
  static constexpr auto layers = splice<net, Ls...>();
  using problem = typename decltype(start_problem<net>(layers))::type;
  static constexpr auto bound_layers = [] {
    if constexpr (std::is_void_v<problem>) {
      return bind_layers<Report>(layers, std::make_index_sequence<decltype(boost::hana::length(layers))::value>{});
    } else {
      if constexpr (Report) error::raise<problem>();
      return boost::hana::tuple_t<>;
    }
  }();
};

template <class Bound>
constexpr auto collect_facts(Bound bound_layers) {
  return boost::hana::unpack(bound_layers, [](auto... b) {
    constexpr std::size_t count = sizeof...(b);
    network_facts<count> n{{decltype(b)::type::facts...}};
    if constexpr (count > 0) {
      n.input = n.layer.front().output;
      n.output = n.layer.back().output;
      n.valid = n.output.valid();
    }
    for (const layer_facts& l : n.layer) {
      n.weights += l.weights;
      n.biases += l.biases;
      n.macs += l.macs;
      n.activations += l.activations;
      n.largest_activation = std::max(n.largest_activation, l.activations);
      n.largest_in_out_pair = std::max(n.largest_in_out_pair, l.input.size() + l.output.size());
    }
    n.params = n.weights + n.biases;
    return n;
  });
}

}  // namespace detail

/// Every compile-time fact of network Net: `facts<Net>.params`,
/// `facts<Net>.layer[1].output`, ... Checking the network happens here.
template <class Net>
inline constexpr auto facts = detail::collect_facts(detail::analysis<Net>::bound_layers);

/// Whether Net is a network whose every layer accepts its input, without a
/// diagnostic: `static_assert(!fits<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>>>>);`
template <class Net>
inline constexpr bool fits = detail::collect_facts(detail::analysis<Net, false>::bound_layers).valid;

/// The layers of Net, nesting spliced, each bound to its position and input
/// shape (a hana tuple of hana types of detail::bound).
template <class Net>
inline constexpr auto bound_layers = detail::analysis<Net>::bound_layers;

/// Number of layers of Net, input included, nested groups spliced.
template <class Net>
inline constexpr std::size_t layer_count = facts<Net>.layer_count;

/// Where layer I's weights (then biases) start in Net's parameter block.
template <class Net, std::size_t I>
inline constexpr std::size_t param_offset = [] {
  std::size_t offset = 0;
  for (std::size_t i = 0; i < I; ++i) offset += facts<Net>.layer[i].params;
  return offset;
}();

/// Selects the whole network in the queries below.
inline constexpr std::size_t whole = static_cast<std::size_t>(-1);

namespace detail {
template <class Net, std::size_t I>
constexpr auto facts_of() {
  constexpr auto& all = facts<Net>;
  if constexpr (I == whole) {
    return all;
  } else if constexpr (I >= all.layer_count) {
    error::raise<error::layer_index_out_of_range<Net, error::index<I>, error::layer_count<all.layer_count>>>();
    return layer_facts{};
  } else {
    return all.layer[I];
  }
}
}  // namespace detail

/// Input shape of Net, or of its layer I.
template <class Net, std::size_t I = whole>
inline constexpr shape input_shape = detail::facts_of<Net, I>().input;
/// Output shape of Net, or of its layer I.
template <class Net, std::size_t I = whole>
inline constexpr shape output_shape = detail::facts_of<Net, I>().output;
/// Weights + biases of Net, or of its layer I.
template <class Net, std::size_t I = whole>
inline constexpr std::size_t param_count = detail::facts_of<Net, I>().params;
/// Learned weights (no biases) of Net, or of its layer I.
template <class Net, std::size_t I = whole>
inline constexpr std::size_t weight_count = detail::facts_of<Net, I>().weights;
/// Learned biases of Net, or of its layer I.
template <class Net, std::size_t I = whole>
inline constexpr std::size_t bias_count = detail::facts_of<Net, I>().biases;
/// Multiply-accumulates per sample of Net, or of its layer I.
template <class Net, std::size_t I = whole>
inline constexpr std::size_t mac_count = detail::facts_of<Net, I>().macs;
/// Output values per sample: of layer I, or summed over every layer of Net.
template <class Net, std::size_t I = whole>
inline constexpr std::size_t activation_count = detail::facts_of<Net, I>().activations;
/// The largest single activation of Net (values per sample).
template <class Net>
inline constexpr std::size_t largest_activation = facts<Net>.largest_activation;

}  // namespace typenet
