// add and concat: the layers where branches meet (residual<...> and concat<...> in network.hpp), and their rules.
//
// A join layer takes several inputs, the outputs of the layers its entry in
// the network names as its sources (network.hpp sets them when it splices a
// residual or concat group). Its hooks take an array of input shapes, Ins,
// and an array of input pointers. Users write the groups, never these layers.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/layer.hpp>
#include <typenet/rules.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <string>

namespace typenet {

namespace error {
template <class At, class Branch, class Shortcut>
struct residual_shapes_differ {
  static_assert(reported<At>,
                "typenet: a residual block adds its branch's output to its shortcut, so both must have the same "
                "shape (the branch's and the shortcut's shapes are in the instantiation above: volume_shape<H, W, "
                "C, flat>). Fix: make the branch keep the shape (pad<> to keep H and W, the input's depth as its "
                "last filters<>), or give the residual a shortcut<...> block that projects the input to the "
                "branch's shape (a 1x1 conv with the branch's stride and filters).");
};
template <class At, class First, class Other>
struct concat_extents_differ {
  static_assert(reported<At>,
                "typenet: concat<...> joins its branches along the channels, so every branch must give the same H "
                "x W (or all a flat vector) (the first branch's shape and the first that differs are in the "
                "instantiation above: volume_shape<H, W, C, flat>). Fix: give the branches the same strides and "
                "padding.");
};
}  // namespace error

/// Sum of the inputs, all of one shape: where a residual block's branch meets its shortcut.
struct add {
  static constexpr std::string_view kind = "add";
  static constexpr bool joins = true;

  /// Rule: the branch (Ins[0]) and the shortcut (Ins[1]) have one shape.
  template <auto Ins>
  static constexpr auto check() {
    constexpr shape branch = Ins[0], shortcut = Ins[1];  // (named first: g++ 12 crashes on shape_of<Ins[0]>)
    if constexpr (branch != shortcut)
      return problem<error::residual_shapes_differ, error::shape_of<branch>, error::shape_of<shortcut>>{};
    else
      return no_problem{};
  }
  template <auto Ins>
  static constexpr layer_facts facts() {
    return make_facts(kind, Ins[0], Ins[0]);
  }
  static std::string describe() { return "add"; }

  // --- run time --------------------------------------------------------------

  /// Value i of the sum of N inputs, added in input order.
  template <std::size_t N, class T>
  static constexpr T sum_at(const T* const* ins, std::size_t i) {
    T sum = ins[0][i];
    for (std::size_t k = 1; k < N; ++k) sum += ins[k][i];
    return sum;
  }
  template <auto Ins, shape Out, class T>
  static constexpr void forward(const T* const* ins, T* out) {
    for (std::size_t i = 0; i < Out.size(); ++i) out[i] = sum_at<Ins.size()>(ins, i);
  }
  /// A relu (or any elementwise layer) after the add is applied as it stores.
  static constexpr bool takes_epilogue = true;
  template <auto Ins, shape Out, class Act>
  static void kernel(const float* const* ins, float* out, Act act) {
    constexpr std::size_t n = Out.size(), inputs = Ins.size(), W = simd::lanes;
    constexpr std::size_t full = simd::available ? n / W * W : 0;  // the values in whole vectors
    if constexpr (full != 0)
      for (std::size_t i = 0; i < full; i += W) {
        simd::vec sum = simd::vec::load_unaligned(ins[0] + i);
        for (std::size_t k = 1; k < inputs; ++k) sum += simd::vec::load_unaligned(ins[k] + i);
        act(sum).store_unaligned(out + i);
      }
    for (std::size_t i = full; i < n; ++i) out[i] = act(sum_at<inputs>(ins, i));
  }
  /// Training: each input's gradient is the output's.
  template <auto Ins, shape Out, class T>
  static constexpr void backward(const T* grad_out, T* const* grad_ins) {
    for (std::size_t k = 0; k < Ins.size(); ++k)
      if (grad_ins[k])
        for (std::size_t i = 0; i < Out.size(); ++i) grad_ins[k][i] = grad_out[i];
  }
};

/// The inputs side by side along the channels (of volumes with one H x W), or end to end (of flat
/// vectors): where concat<...>'s branches meet. Channels of the first branch first, as PyTorch's
/// torch.cat(dim=1).
struct concat_join {
  static constexpr std::string_view kind = "concat";
  static constexpr bool joins = true;

  template <auto Ins>
  static constexpr std::size_t first_differing() {
    for (std::size_t k = 1; k < Ins.size(); ++k)
      if (Ins[k].flat != Ins[0].flat || Ins[k].height != Ins[0].height || Ins[k].width != Ins[0].width) return k;
    return 0;
  }
  /// Rule: every input has the first's H x W (or all are flat).
  template <auto Ins>
  static constexpr auto check() {
    constexpr std::size_t k = first_differing<Ins>();
    constexpr shape first = Ins[0], other = Ins[k];  // (named first: g++ 12 crashes on shape_of<Ins[0]>)
    if constexpr (k != 0)
      return problem<error::concat_extents_differ, error::shape_of<first>, error::shape_of<other>>{};
    else
      return no_problem{};
  }
  template <auto Ins>
  static constexpr layer_facts facts() {
    std::size_t depth = 0;
    for (const shape& s : Ins) depth += s.depth;
    const shape out = Ins[0].flat ? flat(depth) : volume(Ins[0].height, Ins[0].width, depth);
    return make_facts(kind, Ins[0], out);
  }
  static std::string describe() { return "concat"; }

  // --- run time --------------------------------------------------------------

  template <auto Ins, shape Out, class T>
  static constexpr void forward(const T* const* ins, T* out) {
    for (std::size_t p = 0; p < Out.height * Out.width; ++p) {
      T* y = out + p * Out.depth;
      for (std::size_t k = 0; k < Ins.size(); ++k)
        for (std::size_t c = 0; c < Ins[k].depth; ++c) *y++ = ins[k][p * Ins[k].depth + c];
    }
  }
  /// Training: each input's gradient is its slice of the output's channels.
  template <auto Ins, shape Out, class T>
  static constexpr void backward(const T* grad_out, T* const* grad_ins) {
    for (std::size_t p = 0; p < Out.height * Out.width; ++p) {
      const T* g = grad_out + p * Out.depth;
      for (std::size_t k = 0; k < Ins.size(); ++k) {
        for (std::size_t c = 0; c < Ins[k].depth; ++c)
          if (grad_ins[k]) grad_ins[k][p * Ins[k].depth + c] = g[c];
        g += Ins[k].depth;
      }
    }
  }
};

/// Facts of join layer L at position Pos given its inputs' shapes Ins, after checking its rule.
template <std::size_t Pos, class L, auto Ins, bool Report = true>
constexpr layer_facts resolve_join() {
  constexpr bool all_valid = [] {
    for (const shape& s : Ins)
      if (!s.valid()) return false;
    return true;
  }();
  if constexpr (!all_valid) {
    return make_facts(L::kind, Ins[0], rejected);
  } else {
    using checked_rule = decltype(L::template check<Ins>());
    if constexpr (is_problem<checked_rule>) {
      if constexpr (Report) error::raise<typename checked_rule::template at<error::at_layer<Pos, L>>>();
      return make_facts(L::kind, Ins[0], rejected);
    } else {
      return L::template facts<Ins>();
    }
  }
}

}  // namespace typenet
