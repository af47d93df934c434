// input<H, W, C> / input<N>: the first layer of a network, and a shape check inside one.
#pragma once

#include <typenet/layer.hpp>

#include <cstddef>
#include <string>

namespace typenet {

// The rules of input<>: its diagnostics (checked in input::check below).
namespace error {
template <class At, class Expected, class Got>
struct input_shape_mismatch {
  static_assert(reported<At>,
                "typenet: this input<> (or a nested network's input) expects a different shape than the layer "
                "before it produces (expected and got are in the instantiation above). Fix: make the shapes "
                "agree, or nest the layers as a block<> that takes any input.");
};

template <class At>
struct input_needs_three_extents_or_one {
  static_assert(reported<At>,
                "typenet: input<> takes H, W, C (a volume, as in input<32, 32, 3>) or a single length N (a flat "
                "vector, as in input<3072>). Fix: give three extents or one.");
};

template <class At>
struct input_extents_must_be_positive {
  static_assert(reported<At>,
                "typenet: an input extent is 0; every extent of input<> must be at least 1. Fix: give the real "
                "H, W, C.");
};
}  // namespace error

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

  /// Its rules, each with the diagnostic it raises (declared above).
  template <shape In>
  static constexpr auto check() {
    if constexpr (rank != 3 && rank != 1)
      return problem<error::input_needs_three_extents_or_one>{};
    else if constexpr (!declared.valid())
      return problem<error::input_extents_must_be_positive>{};
    else if constexpr (In.valid() && In != declared)  // In is the placeholder when this input starts the network
      return problem<error::input_shape_mismatch, error::shape_of<declared>, error::shape_of<In>>{};
    else
      return no_problem{};
  }

  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, declared, declared);
  }

  static std::string describe() { return "input"; }
  /// Run time: the values are the caller's (or, nested, the previous layer's) as they are.
  static constexpr bool passes_through = true;
};

}  // namespace typenet
