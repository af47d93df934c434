// network<input<...>, layers...> and block<layers...>: the fold of the input shape through the layers.
#pragma once

#include <typenet/layer.hpp>
#include <typenet/layers/input.hpp>
#include <typenet/layers/join.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/concat.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/front.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
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

/// A residual block: `residual<layers...>` is layers(x) + x (an identity shortcut), and
/// `residual<layers..., shortcut<projection...>>` is layers(x) + projection(x). The branch's output
/// must have the shortcut's shape (error::residual_shapes_differ). Its name<>, if any, prefixes
/// every layer inside it, the shortcut's too; an activation after the sum is a layer after the
/// residual (ResNet: `residual<...>, relu`), which the sum's kernel applies as it stores.
template <class... Layers>
struct residual {};

/// A residual block's projection shortcut, as a group of its own (it may take name<>, as
/// torchvision's `downsample`): `shortcut<name<"downsample">, conv<filters<128>, kernel<1>, stride<2>>>`.
template <class... Layers>
struct shortcut {};

/// Parallel branches from one input, joined along the channels:
/// `concat<branch<conv<filters<64>, kernel<1>>, relu>, branch<conv<filters<64>, kernel<3>, pad<1>>, relu>>`
/// (SqueezeNet's fire module, Inception). Every branch must give the same H x W
/// (error::concat_extents_differ); the output's channels are the first branch's, then the second's...
template <class... Branches>
struct concat {};

/// One branch of a concat<>: a group of layers from the concat's input (it may take name<>).
template <class... Layers>
struct branch {};

/// Options every layer of a network or block (nested groups included) takes
/// unless it is given its own: `network<defaults<round_down>, input<224, 224, 3>, ...>`
/// floors every window as PyTorch does, written once. Each option goes to the
/// layers that accept its label and lack one (round_down: conv and pooling;
/// count_padding: avg_pool; no_bias: conv and dense); a group's own defaults
/// take precedence over those around it.
template <class... Options>
struct defaults {
  using label = label::defaults;
  static constexpr bool positive = true;
  static_assert((!std::is_same_v<typename label_of<Options>::type, not_an_option> && ...),
                "typenet: defaults<...> takes layer options (round_down, round_up, count_padding, no_bias, ...); "
                "one of its arguments is not an option (it is in the instantiation above).");
};

/// Names a layer that takes no options (`named<"act1", relu>`, `named<"in", input<8, 8, 3>>`):
/// in a network it stands for Layer, with the name Text.
template <fixed_string Text, class Layer>
struct named {};

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
  std::size_t buffers = 0;  ///< running statistics, stored after each layer's parameters
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

/// Where an entry's inputs come from: the entries Offsets... places before it
/// (1: the one just before, the default). A join layer (add, concat) has several.
template <std::size_t... Offsets>
struct back {};

/// A layer as the splice lists it: the layer as declared and its full name,
/// the names of the enclosing named groups and its own, joined by dots ("" when
/// the layer has no name of its own); where its inputs come from (Sources, a
/// back<...>); and how many residual or concat groups hold it (Depth, for the
/// summary's indentation).
template <class L, fixed_string FullName, class Sources = back<1>, std::size_t Depth = 0>
struct entry {
  using layer = L;
  using sources = Sources;
  static constexpr auto text = FullName;
  static constexpr std::string_view name = FullName.view();
  static constexpr std::size_t depth = Depth;
};

/// Entry E, the J-th of a sequence now placed so that its input (what an offset
/// past its start meant: the entry before it) is Shift entries further back;
/// and Deeper groups deeper.
template <class E, std::size_t J, std::size_t Shift, std::size_t Deeper>
struct rebased;
template <class L, fixed_string N, std::size_t... O, std::size_t D, std::size_t J, std::size_t Shift,
          std::size_t Deeper>
struct rebased<entry<L, N, back<O...>, D>, J, Shift, Deeper> {
  using type = entry<L, N, back<(O > J ? O + Shift : O)...>, D + Deeper>;
};

/// A spliced sequence of entries, rebased (see rebased).
template <std::size_t Shift, std::size_t Deeper, class Entries>
constexpr auto rebase(Entries entries) {
  namespace hana = boost::hana;
  return [&]<std::size_t... J>(std::index_sequence<J...>) {
    return hana::tuple_t<
        typename rebased<typename std::remove_cvref_t<decltype(hana::at_c<J>(entries))>::type, J, Shift, Deeper>::type...>;
  }(std::make_index_sequence<decltype(hana::length(entries))::value>{});
}

template <class Entries>
inline constexpr std::size_t count_of = decltype(boost::hana::length(std::declval<Entries>()))::value;

/// A layer's own name<> option ("" without one).
template <class L>
struct own_name {
  static constexpr fixed_string text{""};
};
template <template <class...> class Layer, class... Options>
struct own_name<Layer<Options...>> {
  static constexpr auto text = option_t<label::name, name<"">, Options...>::text;
};

/// "a.b": A and B joined by a dot, either alone when the other is empty.
template <fixed_string A, fixed_string B>
constexpr auto join() {
  if constexpr (A.size() == 0) {
    return B;
  } else if constexpr (B.size() == 0) {
    return A;
  } else {
    fixed_string<A.size() + B.size() + 2> out;
    for (std::size_t i = 0; i < A.size(); ++i) out.chars[i] = A.chars[i];
    out.chars[A.size()] = '.';
    for (std::size_t i = 0; i < B.size(); ++i) out.chars[A.size() + 1 + i] = B.chars[i];
    return out;
  }
}

/// Rule: a network's layers (nesting spliced) are not empty and start with
/// input<>. Holds for nested networks too. The diagnostic of the broken rule,
/// or void.
template <class Net, class Entries>
constexpr auto start_problem(Entries entries) {
  namespace hana = boost::hana;
  if constexpr (decltype(hana::length(entries))::value == 0) {
    return hana::type_c<error::network_is_empty<Net>>;
  } else {
    using first = typename std::remove_cvref_t<decltype(hana::front(entries))>::type::layer;
    if constexpr (!is_input<first>::value)
      return hana::type_c<error::network_must_start_with_input<Net, first>>;
    else
      return hana::type_c<void>;
  }
}

/// Rule: no two layers of a network share a full name. The diagnostic (the
/// name and both positions), or void.
template <class Net, class Entries>
constexpr auto name_problem(Entries entries) {
  namespace hana = boost::hana;
  constexpr auto pair = hana::unpack(entries, [](auto... e) {
    constexpr std::string_view names[] = {decltype(e)::type::name..., ""};
    for (std::size_t j = 0; j < sizeof...(e); ++j)
      for (std::size_t i = 0; i < j; ++i)
        if (!names[j].empty() && names[i] == names[j]) return std::pair<std::size_t, std::size_t>{i, j};
    return std::pair<std::size_t, std::size_t>{0, 0};
  });
  if constexpr (pair.second == 0) {
    return hana::type_c<void>;
  } else {
    using second = typename std::remove_cvref_t<decltype(hana::at_c<pair.second>(entries))>::type;
    return hana::type_c<error::layer_name_used_twice<Net, name<second::text>, error::index<pair.first>,
                                                     error::index<pair.second>>>;
  }
}

/// Whether layer L declares that it takes options with label Label.
template <class L, class Label>
constexpr bool accepts_label() {
  return decltype(boost::hana::contains(option_labels<L>::accepted, boost::hana::type_c<Label>))::value;
}

/// L with the default option D appended, if L takes D's label and was given none.
template <class L, class D>
struct add_default {
  using type = L;
};
template <template <class...> class Layer, class... Options, class D>
  requires(typenet::Layer<Layer<Options...>> && accepts_label<Layer<Options...>, typename label_of<D>::type>() &&
           count_label<typename label_of<D>::type, Options...> == 0)
struct add_default<Layer<Options...>, D> {
  using type = Layer<Options..., D>;
};

/// L with each option of Defaults (a defaults<...>) it takes and lacks appended, in order.
template <class L, class Defaults>
struct with_defaults {
  using type = L;
};
template <class L, class D, class... Ds>
struct with_defaults<L, defaults<D, Ds...>> {
  using type = typename with_defaults<typename add_default<L, D>::type, defaults<Ds...>>::type;
};

/// Is T a defaults<...>? (Matched by its template, not its label, so that a defaults<> whose
/// static_assert failed is still one, and reports nothing more.)
template <class T>
inline constexpr bool is_defaults = false;
template <class... Os>
inline constexpr bool is_defaults<defaults<Os...>> = true;

/// The options of every defaults<> among a group's elements, in order.
template <class... Ls>
struct own_defaults {
  using type = defaults<>;
};
template <class L, class... Ls>
struct own_defaults<L, Ls...> {
  using type = typename own_defaults<Ls...>::type;
};
template <class... Os, class... Ls>
struct own_defaults<defaults<Os...>, Ls...> {
  template <class Rest>
  struct prepend;
  template <class... Rs>
  struct prepend<defaults<Rs...>> {
    using type = defaults<Os..., Rs...>;
  };
  using type = typename prepend<typename own_defaults<Ls...>::type>::type;
};

/// The defaults of a group: its own defaults<> options, then those of the groups around it
/// (Outer): the first of each label wins.
template <class Outer, class... Ls>
struct group_defaults;
template <class... Outer, class... Ls>
struct group_defaults<defaults<Outer...>, Ls...> {
  template <class D>
  struct options_of;
  template <class... Own>
  struct options_of<defaults<Own...>> {
    using type = defaults<Own..., Outer...>;
  };
  using type = typename options_of<typename own_defaults<Ls...>::type>::type;
};

/// The entries a declared element stands for under the name prefix Prefix
/// and the enclosing groups' Defaults: a layer (with the defaults it takes),
/// nothing for a group's name<> or defaults<> option, or a nested group's layers.
template <fixed_string Prefix, class Defaults, class Declared>
struct expand {
  using L = typename with_defaults<Declared, Defaults>::type;
  static constexpr auto layers = [] {
    if constexpr (has_label<Declared, label::name> || is_defaults<Declared>)
      return boost::hana::tuple_t<>;
    else if constexpr (own_name<L>::text.size() == 0)
      return boost::hana::tuple_t<entry<L, fixed_string{""}>>;
    else
      return boost::hana::tuple_t<entry<L, join<Prefix, own_name<L>::text>()>>;
  }();
};

/// The entries of a group's elements Ls, whose names start with Prefix.
template <fixed_string Prefix, class Defaults, class... Ls>
constexpr auto splice() {
  namespace hana = boost::hana;
  if constexpr (sizeof...(Ls) == 0) {
    return hana::tuple_t<>;
  } else {
    return hana::flatten(hana::make_tuple(expand<Prefix, Defaults, Ls>::layers...));
  }
}

/// The prefix of a group's layers: the enclosing prefix and the group's own name<>.
template <fixed_string Prefix, class... Ls>
inline constexpr auto group_prefix = join<Prefix, option_t<label::name, name<"">, Ls...>::text>();

/// The entries of a group's elements: its prefix and its defaults applied.
template <fixed_string Prefix, class Defaults, class... Ls>
constexpr auto splice_group() {
  return splice<group_prefix<Prefix, Ls...>, typename group_defaults<Defaults, Ls...>::type, Ls...>();
}

// A group that breaks a rule (an empty block, a nested network without an
// input) becomes a group_problem in its place, which the fold reports at that
// position like any rejected layer.
template <fixed_string Prefix, class Defaults, class... Ls>
struct expand<Prefix, Defaults, block<Ls...>> {
  static constexpr auto layers = [] {
    if constexpr (sizeof...(Ls) == count_label<label::name, Ls...> + (std::size_t{is_defaults<Ls>} + ... + 0))
      return boost::hana::tuple_t<entry<group_problem<error::block_is_empty<block<Ls...>>>, fixed_string{""}>>;
    else
      return splice_group<Prefix, Defaults, Ls...>();
  }();
};

/// A residual<>'s shortcut<> (shortcut<> when it has none).
template <class... Ls>
struct shortcut_of {
  using type = shortcut<>;
};
template <class L, class... Ls>
struct shortcut_of<L, Ls...> {
  using type = typename shortcut_of<Ls...>::type;
};
template <class... Ss, class... Ls>
struct shortcut_of<shortcut<Ss...>, Ls...> {
  using type = shortcut<Ss...>;
};

/// How many of Ls are not options (name<>, defaults<>) and not a shortcut<>: a group's layers.
template <class T>
inline constexpr bool is_shortcut = false;
template <class... Ss>
inline constexpr bool is_shortcut<shortcut<Ss...>> = true;
template <class... Ls>
inline constexpr std::size_t member_count =
    ((has_label<Ls, label::name> || is_defaults<Ls> || is_shortcut<Ls> ? std::size_t{0} : std::size_t{1}) + ... +
     std::size_t{0});

/// A group that cannot be spliced: its diagnostic in its place, reported where it stands.
template <class Diagnostic>
constexpr auto problem_entry() {
  return boost::hana::tuple_t<entry<group_problem<Diagnostic>, fixed_string{""}>>;
}

// A shortcut<> is spliced by its residual, not where it is written.
template <fixed_string Prefix, class Defaults, class... Ss>
struct expand<Prefix, Defaults, shortcut<Ss...>> {
  static constexpr auto layers = boost::hana::tuple_t<>;
};

/// The entries of a residual's shortcut<> (none: the identity shortcut; a shortcut<> that holds
/// only options is a problem).
template <fixed_string Prefix, class Defaults, class S>
struct shortcut_entries;
template <fixed_string Prefix, class Defaults, class... Ss>
struct shortcut_entries<Prefix, Defaults, shortcut<Ss...>> {
  static constexpr auto value = [] {
    if constexpr (sizeof...(Ss) == 0)
      return boost::hana::tuple_t<>;
    else if constexpr (member_count<Ss...> == 0)
      return problem_entry<error::group_has_no_layers<shortcut<Ss...>>>();
    else
      return splice_group<Prefix, Defaults, Ss...>();
  }();
};

/// residual<branch layers..., shortcut<...>?>: the branch's entries (the first reads the residual's
/// input), the shortcut's (the first reads the residual's input too), then the add that reads the
/// last of each (or, with no shortcut, the last of the branch and the residual's input).
template <fixed_string Prefix, class Defaults, class... Ls>
struct expand<Prefix, Defaults, residual<Ls...>> {
  using D = typename group_defaults<Defaults, Ls...>::type;
  static constexpr auto prefix = group_prefix<Prefix, Ls...>;
  static constexpr auto branch_entries = splice<prefix, D, Ls...>();
  static constexpr auto cut = shortcut_entries<prefix, D, typename shortcut_of<Ls...>::type>::value;
  static constexpr std::size_t nb = count_of<decltype(branch_entries)>, ns = count_of<decltype(cut)>;
  using join = std::conditional_t<ns == 0, entry<add, fixed_string{""}, back<1, nb + 1>>,
                                  entry<add, fixed_string{""}, back<ns + 1, 1>>>;
  static constexpr auto layers = [] {
    namespace hana = boost::hana;
    if constexpr (member_count<Ls...> == 0)
      return problem_entry<error::group_has_no_layers<residual<Ls...>>>();
    else
      return hana::concat(hana::concat(rebase<0, 1>(branch_entries), rebase<nb, 1>(cut)), hana::tuple_t<join>);
  }();
};

template <class T>
inline constexpr bool is_branch = false;
template <class... Xs>
inline constexpr bool is_branch<branch<Xs...>> = true;

/// concat<branch<...>...>: each branch's entries in turn (the first of each reads the concat's
/// input), then the concat that reads the last entry of each.
template <fixed_string Prefix, class Defaults, class... Bs>
struct expand<Prefix, Defaults, concat<Bs...>> {
  using D = typename group_defaults<Defaults, Bs...>::type;
  static constexpr auto prefix = group_prefix<Prefix, Bs...>;
  /// The entries of one element: a branch's, or none (the concat's own name<> and defaults<>).
  template <class B>
  struct part {
    static constexpr auto value = boost::hana::tuple_t<>;
  };
  template <class... Xs>
  struct part<branch<Xs...>> {
    static constexpr auto value = [] {
      if constexpr (member_count<Xs...> == 0)
        return problem_entry<error::group_has_no_layers<branch<Xs...>>>();
      else
        return splice_group<prefix, D, Xs...>();
    }();
  };
  static constexpr std::size_t parts = sizeof...(Bs);
  static constexpr std::size_t branches = (std::size_t{is_branch<Bs>} + ... + std::size_t{0});
  static constexpr std::array<std::size_t, parts> lengths{count_of<decltype(part<Bs>::value)>...};
  static constexpr std::size_t before(std::size_t k) {
    std::size_t n = 0;
    for (std::size_t j = 0; j < k; ++j) n += lengths[j];
    return n;
  }
  static constexpr std::size_t after(std::size_t k) {
    std::size_t n = 0;
    for (std::size_t j = k + 1; j < parts; ++j) n += lengths[j];
    return n;
  }
  /// The concat's sources: each branch's last entry, counted back from the concat.
  static constexpr std::array<std::size_t, branches> offsets = [] {
    std::array<std::size_t, branches> o{};
    std::size_t i = 0;
    for (std::size_t k = 0; k < parts; ++k)
      if (lengths[k] != 0) o[i++] = after(k) + 1;
    return o;
  }();
  template <class I>
  struct join_of;
  template <std::size_t... I>
  struct join_of<std::index_sequence<I...>> {
    using type = entry<concat_join, fixed_string{""}, back<offsets[I]...>>;
  };
  template <std::size_t... K>
  static constexpr auto spliced(std::index_sequence<K...>) {
    namespace hana = boost::hana;
    return hana::concat(hana::flatten(hana::make_tuple(rebase<before(K), 1>(part<Bs>::value)...)),
                        hana::tuple_t<typename join_of<std::make_index_sequence<branches>>::type>);
  }
  static constexpr auto layers = [] {
    if constexpr (branches == 0)
      return problem_entry<error::group_has_no_layers<concat<Bs...>>>();
    else if constexpr (branches != member_count<Bs...>)
      return problem_entry<error::concat_takes_branches<concat<Bs...>>>();
    else
      return spliced(std::make_index_sequence<parts>{});
  }();
};

template <fixed_string Prefix, class Defaults, fixed_string Text, class Declared>
struct expand<Prefix, Defaults, named<Text, Declared>> {
  static constexpr auto layers =
      boost::hana::tuple_t<entry<typename with_defaults<Declared, Defaults>::type, join<Prefix, Text>()>>;
};

template <fixed_string Prefix, class Defaults, class... Ls>
struct expand<Prefix, Defaults, network<Ls...>> {
  // A nested network keeps the rules of a network (a group without an input is a block<>).
  static constexpr auto layers = [] {
    constexpr auto spliced = splice_group<Prefix, Defaults, Ls...>();
    using problem = typename decltype(start_problem<network<Ls...>>(spliced))::type;
    if constexpr (std::is_void_v<problem>)
      return spliced;
    else
      return boost::hana::tuple_t<entry<group_problem<problem>, fixed_string{""}>>;
  }();
};

/// The offsets of a back<...> as an array.
template <class Sources>
struct offsets_of;
template <std::size_t... O>
struct offsets_of<back<O...>> {
  static constexpr std::array<std::size_t, sizeof...(O)> value{O...};
};

/// One layer bound to its position, input shape(s) and name: the fold's element.
/// `input` is the shape it reads (a join layer's first); `inputs` and `sources`
/// are every shape it reads and the positions of the layers that give them (a
/// join layer reads several; layer 0 reads the caller's input).
/// Report: raise the diagnostic of a broken rule (false: only record it).
template <std::size_t Pos, class L, shape In, bool Report = true, class Entry = entry<L, fixed_string{""}>,
          auto Inputs = std::array<shape, 1>{In}, auto Sources = std::array<std::size_t, 1>{Pos == 0 ? 0 : Pos - 1}>
struct bound {
  using layer = L;
  static constexpr std::size_t position = Pos;
  static constexpr std::string_view name = Entry::name;  ///< full (dotted) name, "" when unnamed
  static constexpr std::size_t depth = Entry::depth;     ///< residual and concat groups around it
  static constexpr shape input = In;
  static constexpr auto inputs = Inputs;
  static constexpr auto sources = Sources;
  static constexpr layer_facts facts = [] {
    layer_facts f;
    if constexpr (contract::joins<L>)
      f = resolve_join<Pos, L, Inputs, Report>();
    else
      f = resolve<Pos, L, In, Report>();
    f.name = name;
    return f;
  }();
  static constexpr shape output = facts.output;
};

/// The fold of the input shape through the layers, one position at a time:
/// layer I is bound to the outputs of the layers its entry names (the one
/// before it, unless it is the first of a branch or shortcut, or a join);
/// layer 0, the input, to the placeholder that input<> replaces with its own
/// shape. Each step names only its own layer and the shapes it reads, so L
/// layers cost L instantiations; a hana::fold_left appending to a growing
/// tuple costs O(L^2) of them (2 s of compile time for VGG-16, out of memory
/// at 200 layers).
template <class Layers, std::size_t I, bool Report>
struct fold_step {
  using at = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(std::declval<Layers>()))>::type;
  using layer = typename at::layer;
  static constexpr auto offsets = offsets_of<typename at::sources>::value;
  static constexpr std::size_t arity = offsets.size();
  static constexpr std::array<std::size_t, arity> sources = [] {
    std::array<std::size_t, arity> s{};
    for (std::size_t k = 0; k < arity; ++k) s[k] = I >= offsets[k] ? I - offsets[k] : 0;
    return s;
  }();
  static_assert(I == 0 || [] {
    for (std::size_t o : offsets)
      if (o == 0 || o > I) return false;
    return true;
  }(), "typenet internal: an entry reads a layer that is not before it");
  static constexpr std::array<shape, arity> inputs = [] {
    if constexpr (I == 0) {
      std::array<shape, arity> r{};
      return r;  // rejected: the placeholder input<> replaces
    } else {
      return []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<shape, arity>{fold_step<Layers, sources[K], Report>::type::output...};
      }(std::make_index_sequence<arity>{});
    }
  }();
  using type = bound<I, layer, inputs[0], Report, at, inputs, sources>;
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
  // The outermost network's own name<>, if any, is not part of its layers' names.
  static constexpr auto layers =
      splice<fixed_string{""}, typename group_defaults<defaults<>, Ls...>::type, Ls...>();
  using start = typename decltype(start_problem<net>(layers))::type;
  using problem = std::conditional_t<std::is_void_v<start>, typename decltype(name_problem<net>(layers))::type, start>;
  static constexpr auto bound_layers = [] {
    if constexpr (std::is_void_v<problem>) {
      return bind_layers<Report>(layers, std::make_index_sequence<decltype(boost::hana::length(layers))::value>{});
    } else {
      if constexpr (Report) error::raise<problem>();
      return boost::hana::tuple_t<>;
    }
  }();
};

/// The totals of facts f, each summed with checked arithmetic. On an overflow,
/// `at` is the layer whose count did not fit into the running total and
/// `failed` says what and the numbers.
template <std::size_t L>
struct network_totals {
  network_facts<L> facts;
  std::size_t at = 0;
  overflow failed{};
};

template <std::size_t L>
constexpr network_totals<L> sum_facts(network_facts<L> n) {
  checked weights, biases, macs, activations, buffers;
  for (std::size_t i = 0; i < L; ++i) {
    const layer_facts& l = n.layer[i];
    buffers = (buffers + l.buffers).as("total buffers");
    weights = (weights + l.weights).as("total weights");
    biases = (biases + l.biases).as("total biases");
    macs = (macs + l.macs).as("total MACs");
    activations = (activations + l.activations).as("total activations");
    const checked params = (weights + biases).as("total params");
    const checked pair = (checked{l.input.size()} + l.output.size()).as("input + output values");
    for (const checked& c : {weights, biases, macs, activations, params, buffers,
                             bytes_as_float(params + buffers).as("total param bytes as float"), pair})
      if (!c.ok()) return {n, i, c.failed};
    n.largest_activation = std::max(n.largest_activation, l.activations);
    n.largest_in_out_pair = std::max(n.largest_in_out_pair, pair.value);
  }
  n.weights = weights.value;
  n.biases = biases.value;
  n.params = weights.value + biases.value;
  n.buffers = buffers.value;
  n.macs = macs.value;
  n.activations = activations.value;
  return {n, 0, {}};
}

template <class Bound, std::size_t At, char Op, std::size_t Lhs, std::size_t Rhs, auto What>
constexpr void report_total() {
  using at = typename std::remove_cvref_t<decltype(boost::hana::at_c<At>(Bound{}))>::type;
  error::raise<overflow_diagnostic<error::at_layer<At, typename at::layer>, Op, Lhs, Rhs, What>>();
}

/// The facts of the bound layers and their totals; a total that overflows is
/// reported (if Report) at the layer that made it overflow, and the network is
/// not valid.
template <bool Report, class Bound>
constexpr auto collect_facts(Bound bound_layers) {
  return boost::hana::unpack(bound_layers, [](auto... b) {
    constexpr std::size_t count = sizeof...(b);
    constexpr network_totals<count> totals = [] {
      network_facts<count> n{{decltype(b)::type::facts...}};
      if constexpr (count > 0) {
        n.input = n.layer.front().output;
        n.output = n.layer.back().output;
        n.valid = n.output.valid();
      }
      return sum_facts(n);
    }();
    if constexpr (totals.failed.happened()) {
      if constexpr (Report) report_total<Bound, totals.at, totals.failed.op, totals.failed.lhs, totals.failed.rhs,
                                         to_fixed<totals.failed.what_text().size() + 1>(totals.failed.what_text())>();
      network_facts<count> n = totals.facts;
      n.valid = false;
      return n;
    } else {
      return totals.facts;
    }
  });
}

}  // namespace detail

/// Every compile-time fact of network Net: `facts<Net>.params`,
/// `facts<Net>.layer[1].output`, ... Checking the network happens here.
template <class Net>
inline constexpr auto facts = detail::collect_facts<true>(detail::analysis<Net>::bound_layers);

/// Whether Net is a network whose every layer accepts its input, without a
/// diagnostic: `static_assert(!fits<network<input<7, 7, 3>, conv<filters<1>, kernel<3>, stride<3>>>>);`
template <class Net>
inline constexpr bool fits = detail::collect_facts<false>(detail::analysis<Net, false>::bound_layers).valid;

/// The layers of Net, nesting spliced, each bound to its position and input
/// shape (a hana tuple of hana types of detail::bound).
template <class Net>
inline constexpr auto bound_layers = detail::analysis<Net>::bound_layers;

/// Number of layers of Net, input included, nested groups spliced.
template <class Net>
inline constexpr std::size_t layer_count = facts<Net>.layer_count;

/// Selects the whole network in the queries below.
inline constexpr std::size_t whole = static_cast<std::size_t>(-1);

/// Which layer a per-layer query is about: a position (`1`; the input is 0) or
/// a full name (`"conv1"`, `"stage1.c1"`), both converting implicitly, so that
/// `param_count<Net, 1>` and `param_count<Net, "conv1">` both read as written.
struct layer_key {
  static constexpr std::size_t capacity = 128;  ///< longest name, in characters
  std::size_t position = whole;
  bool by_name = false;
  std::size_t length = 0;
  char text[capacity]{};

  constexpr layer_key(std::size_t p) : position(p) {}  // NOLINT: implicit by design
  template <std::size_t N>
  constexpr layer_key(const char (&s)[N]) : by_name(true), length(N - 1) {  // NOLINT: implicit by design
    static_assert(N <= capacity, "typenet: a layer name used as a key is at most 127 characters long");
    for (std::size_t i = 0; i + 1 < N; ++i) text[i] = s[i];
  }
  constexpr std::string_view name() const { return {text, length}; }
};

namespace detail {
/// Key's name as a fixed_string of its own length, for diagnostics.
template <layer_key Key>
constexpr auto key_text() {
  fixed_string<Key.length + 1> out;
  for (std::size_t i = 0; i < Key.length; ++i) out.chars[i] = Key.text[i];
  return out;
}

/// The position Key selects, or layer_count after reporting that there is none
/// (a network that was rejected as a whole has no layers and reports nothing more).
template <class Net, layer_key Key>
constexpr std::size_t find_position() {
  constexpr auto& all = facts<Net>;
  if constexpr (!Key.by_name) {
    if constexpr (Key.position >= all.layer_count && all.layer_count > 0)
      error::raise<error::layer_index_out_of_range<Net, error::index<Key.position>,
                                                   error::layer_count<all.layer_count>>>();
    return Key.position < all.layer_count ? Key.position : all.layer_count;
  } else {
    constexpr std::size_t found = [] {
      for (std::size_t i = 0; i < all.layer_count; ++i)
        if (all.layer[i].name == Key.name()) return i;
      return all.layer_count;
    }();
    if constexpr (found == all.layer_count && all.layer_count > 0)
      error::raise<error::no_layer_named<Net, name<key_text<Key>()>>>();
    return found;
  }
}
}  // namespace detail

/// The position of the layer Key names in Net: `position_of<Net, "conv1">`. An
/// unknown name or a position past the end is a compile error.
template <class Net, layer_key Key>
inline constexpr std::size_t position_of = detail::find_position<Net, Key>();

/// Where layer Key's weights (then biases) start in Net's parameter block.
template <class Net, layer_key Key>
inline constexpr std::size_t param_offset = [] {
  std::size_t offset = 0;
  for (std::size_t i = 0; i < position_of<Net, Key>; ++i) offset += facts<Net>.layer[i].params + facts<Net>.layer[i].buffers;
  return offset;
}();

namespace detail {
template <class Net, layer_key Key>
constexpr auto facts_of() {
  constexpr auto& all = facts<Net>;
  if constexpr (!Key.by_name && Key.position == whole) {
    return all;
  } else {
    constexpr std::size_t i = position_of<Net, Key>;
    if constexpr (i >= all.layer_count)
      return layer_facts{};
    else
      return all.layer[i];
  }
}
}  // namespace detail

/// Input shape of Net, or of its layer I.
template <class Net, layer_key I = whole>
inline constexpr shape input_shape = detail::facts_of<Net, I>().input;
/// Output shape of Net, or of its layer I.
template <class Net, layer_key I = whole>
inline constexpr shape output_shape = detail::facts_of<Net, I>().output;
/// Weights + biases of Net, or of its layer I.
template <class Net, layer_key I = whole>
inline constexpr std::size_t param_count = detail::facts_of<Net, I>().params;
/// Learned weights (no biases) of Net, or of its layer I.
template <class Net, layer_key I = whole>
inline constexpr std::size_t weight_count = detail::facts_of<Net, I>().weights;
/// Learned biases of Net, or of its layer I.
template <class Net, layer_key I = whole>
inline constexpr std::size_t bias_count = detail::facts_of<Net, I>().biases;
/// Multiply-accumulates per sample of Net, or of its layer I.
template <class Net, layer_key I = whole>
inline constexpr std::size_t mac_count = detail::facts_of<Net, I>().macs;
/// Output values per sample: of layer I, or summed over every layer of Net.
template <class Net, layer_key I = whole>
inline constexpr std::size_t activation_count = detail::facts_of<Net, I>().activations;
/// The largest single activation of Net (values per sample).
template <class Net>
inline constexpr std::size_t largest_activation = facts<Net>.largest_activation;

}  // namespace typenet
