// input<H, W, C> / input<N>: the first layer of a network, and a shape check inside one.
#pragma once

#include <typenet/layer.hpp>

#include <cstddef>
#include <string>

namespace typenet {

/// The network's input: `input<32, 32, 3>` is a 32x32x3 volume (H x W x C,
/// stored HWC), `input<3072>` a flat vector. Every network starts with one.
/// Anywhere else (for instance as the first layer of a nested network) it
/// checks that the incoming shape is the one it declares.
template <std::size_t... Extents>
struct input {
  static constexpr std::string_view kind = "input";
  static constexpr std::size_t rank = sizeof...(Extents);
  static constexpr shape declared = [] {
    constexpr std::size_t e[] = {Extents..., 0};
    if constexpr (rank == 3) return volume(e[0], e[1], e[2]);
    else if constexpr (rank == 1) return flat(e[0]);
    else return rejected;
  }();

  template <shape In>
  static constexpr verdict check() {
    if (rank != 3 && rank != 1) return {.broken = rule::input_needs_three_extents_or_one};
    if (!declared.valid()) return {.broken = rule::input_extents_must_be_positive};
    // In is the placeholder when this input starts the network.
    if (In.valid() && In != declared)
      return {.broken = rule::input_shape_mismatch, .expected = declared, .got = In};
    return {};
  }

  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, declared, declared);
  }

  static std::string describe() { return "input"; }
};

}  // namespace typenet
