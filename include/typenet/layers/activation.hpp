// Element-wise activations (relu, leaky_relu, sigmoid, tanh) and softmax: shape-preserving, no parameters.
#pragma once

#include <typenet/layer.hpp>

#include <boost/hana/tuple.hpp>

#include <string>

namespace typenet {

/// What all activations share: any shape in, the same shape out, nothing learned.
template <class Self>
struct shape_preserving {
  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(Self::kind, In, In);
  }
  static std::string describe() { return std::string(Self::kind); }
};

/// max(0, x)
struct relu : shape_preserving<relu> {
  static constexpr std::string_view kind = "relu";
};

/// x for x > 0, slope * x otherwise. Default slope<1, 100> (0.01).
template <class... Options>
struct leaky_relu : shape_preserving<leaky_relu<Options...>> {
  static constexpr std::string_view kind = "leaky_relu";
  static constexpr auto accepted = boost::hana::tuple_t<label::slope>;
  static constexpr auto required = boost::hana::tuple_t<>;
  static constexpr double negative_slope = option_t<label::slope, slope<1, 100>, Options...>::value;
};

/// 1 / (1 + e^-x)
struct sigmoid : shape_preserving<sigmoid> {
  static constexpr std::string_view kind = "sigmoid";
};

/// tanh(x). Spell it typenet::tanh (or tn::tanh): a bare `tanh` also names
/// the C library function.
struct tanh : shape_preserving<tanh> {
  static constexpr std::string_view kind = "tanh";
};

/// e^x_i / sum_j e^x_j over the depth (channel) axis at each position; on a
/// flat vector, over the whole vector.
struct softmax : shape_preserving<softmax> {
  static constexpr std::string_view kind = "softmax";
};

/// Is L a leaky relu?
template <class L>
inline constexpr bool is_leaky_relu = false;
template <class... O>
inline constexpr bool is_leaky_relu<leaky_relu<O...>> = true;

}  // namespace typenet
