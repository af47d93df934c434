// dense<units<N>>: the fully connected layer; it flattens a volume it is given.
#pragma once

#include <typenet/layer.hpp>

#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <string>

namespace typenet {

/// Fully connected: every output is a dot product with the whole input. A
/// volume input is flattened first (HWC order), as the lecture stretches
/// 32x32x3 into 3072 and multiplies by a 10 x 3072 matrix. Weights are stored
/// input-major (inputs x units), then `units` biases.
template <class... Options>
struct dense {
  static constexpr std::string_view kind = "dense";
  static constexpr auto accepted = boost::hana::tuple_t<label::units>;
  static constexpr auto required = boost::hana::tuple_t<label::units>;
  static constexpr std::size_t unit_count = option_t<label::units, units<1>, Options...>::value;

  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, flat(unit_count), checked{In.size()} * unit_count, unit_count,
                      checked{In.size()} * unit_count);
  }
  static std::string describe() { return "dense " + std::to_string(unit_count); }
};

/// Is L a dense layer?
template <class L>
inline constexpr bool is_dense = false;
template <class... O>
inline constexpr bool is_dense<dense<O...>> = true;

}  // namespace typenet
