// flatten: an H x W x C volume stretched into a vector of H*W*C values (HWC order).
#pragma once

#include <typenet/layer.hpp>

#include <string>

namespace typenet {

/// Stretches a volume into a flat vector, as the lecture stretches 32x32x3
/// into 3072. Values keep their HWC memory order. No parameters.
struct flatten {
  static constexpr std::string_view kind = "flatten";
  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, flat(In.size()));
  }
  static std::string describe() { return "flatten"; }
  /// Run time: the values are already in flat (HWC) order; nothing moves.
  static constexpr bool passes_through = true;
};

}  // namespace typenet
