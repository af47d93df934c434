// network<input<...>, layers...> and block<layers...>: the fold of the input shape through the layers.
#pragma once

#include <typenet/layer.hpp>
#include <typenet/layers/input.hpp>

#include <boost/hana/append.hpp>
#include <boost/hana/back.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/front.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

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
/// input<>. Reports the broken rule; holds for nested networks too.
template <class Net, class Layers>
constexpr bool starts_with_input(Layers layers) {
  namespace hana = boost::hana;
  if constexpr (decltype(hana::length(layers))::value == 0) {
    error::raise<error::network_is_empty<Net>>();
    return false;
  } else {
    using first = typename std::remove_cvref_t<decltype(hana::front(layers))>::type;
    if constexpr (!is_input<first>::value) {
      error::raise<error::network_must_start_with_input<Net, first>>();
      return false;
    } else {
      return true;
    }
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

template <class... Ls>
  requires(sizeof...(Ls) == 0)
struct expand<block<Ls...>> {
  static constexpr auto layers = [] {
    error::raise<error::block_is_empty<block<Ls...>>>();
    return boost::hana::tuple_t<>;
  }();
};

template <class... Ls>
struct expand<network<Ls...>> {
  // A nested network keeps the rules of a network (a group without an input
  // is a block<>); its layers are spliced either way, so the fold goes on.
  static constexpr auto layers = [] {
    constexpr auto spliced = splice<network<Ls...>, Ls...>();
    static_cast<void>(starts_with_input<network<Ls...>>(spliced));
    return spliced;
  }();
};

/// One layer bound to its position and input shape: the fold's element.
template <std::size_t Pos, class L, shape In>
struct bound {
  using layer = L;
  static constexpr std::size_t position = Pos;
  static constexpr shape input = In;
  static constexpr layer_facts facts = resolve<Pos, L, In>();
  static constexpr shape output = facts.output;
};

/// What the next layer is given: the last bound layer's output, or, for the
/// first layer, the placeholder that input<> replaces with its own shape.
template <class Done>
constexpr shape incoming() {
  if constexpr (decltype(boost::hana::length(std::declval<Done>()))::value == 0)
    return rejected;
  else
    return std::remove_cvref_t<decltype(boost::hana::back(std::declval<Done>()))>::type::output;
}

/// Folds the input shape through the layers, left to right.
struct bind_next {
  template <class Done, class LayerType>
  constexpr auto operator()(Done done, LayerType) const {
    constexpr std::size_t pos = decltype(boost::hana::length(done))::value;
    return boost::hana::append(done, boost::hana::type_c<bound<pos, typename LayerType::type, incoming<Done>()>>);
  }
};

template <class Net>
struct analysis {
  // Not a network: report as a network that does not start with an input.
  static_assert((error::raise<error::network_must_start_with_input<Net, Net>>(), true));
  static constexpr auto bound_layers = boost::hana::tuple_t<>;
};

template <class... Ls>
struct analysis<network<Ls...>> {
  using net = network<Ls...>;
  static constexpr auto layers = splice<net, Ls...>();
  static constexpr bool starts_well = starts_with_input<net>(layers);
  static constexpr auto bound_layers = [] {
    if constexpr (starts_well)
      return boost::hana::fold_left(layers, boost::hana::make_tuple(), bind_next{});
    else
      return boost::hana::tuple_t<>;
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

/// The layers of Net, nesting spliced, each bound to its position and input
/// shape (a hana tuple of hana types of detail::bound).
template <class Net>
inline constexpr auto bound_layers = detail::analysis<Net>::bound_layers;

/// Number of layers of Net, input included, nested groups spliced.
template <class Net>
inline constexpr std::size_t layer_count = facts<Net>.layer_count;

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
