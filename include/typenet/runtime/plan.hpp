// plan<Net>: the schedule (which layers run, which fuse) and the memory plan of a forward pass, all constants.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/network.hpp>

#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <cstddef>

namespace typenet {

/// What the forward pass does with each layer.
enum class step {
  skip,   ///< passes_through (input, flatten): the values are already where and how they should be
  run,    ///< its kernel (or, without one, its forward<float>)
  fused,  ///< an elementwise layer applied by the kernel before it, as that kernel stores
};

/// What the plan needs to know of one layer, read off its contract hooks.
struct layer_traits {
  bool passes_through = false;
  bool takes_epilogue = false;  ///< has a kernel that applies an epilogue
  bool fusable = false;
  bool batched = false;  ///< has kernel_batch
  std::size_t scratch_floats = 0;
};

template <class B>
constexpr layer_traits traits_of() {
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  using Id = kernels::identity;
  return {contract::passes_through<L>, contract::takes_epilogue<L> && contract::has_kernel<L, In, Out, Id>,
          contract::fusable<L>, contract::has_kernel_batch<L, In, Out, Id>, contract::scratch_floats<L, In, Out>()};
}

/// The memory plan and schedule of Net, all compile-time constants.
template <class Net>
struct plan {
  static constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: a model needs a network that passed its checks");
  /// Every layer meets the run-time contract (else a diagnostic names the first that does not).
  static constexpr bool runnable = meets_contract<Net>;
  static constexpr std::size_t layers = f.layer_count;

  static constexpr std::array<layer_traits, layers> traits = boost::hana::unpack(bound_layers<Net>, [](auto... b) {
    return std::array<layer_traits, layers>{traits_of<typename decltype(b)::type>()...};
  });

  static constexpr std::array<step, layers> steps = [] {
    std::array<step, layers> s{};
    for (std::size_t i = 0; i < layers; ++i) {
      if (traits[i].passes_through)
        s[i] = step::skip;
      else if (traits[i].fusable && i > 0 && s[i - 1] == step::run && traits[i - 1].takes_epilogue)
        s[i] = step::fused;
      else
        s[i] = step::run;
    }
    return s;
  }();

  /// The last layer that runs: it writes straight into the caller's output.
  static constexpr std::size_t last_run = [] {
    std::size_t last = layers;
    for (std::size_t i = 0; i < layers; ++i)
      if (steps[i] == step::run) last = i;
    return last;
  }();

  static constexpr std::size_t round_up(std::size_t n) { return (n + 15) / 16 * 16; }

  /// Each of the two ping-pong activation buffers (floats, a multiple of 16).
  static constexpr std::size_t activation_floats = round_up(f.largest_activation);
  /// The largest scratch a layer's kernel needs (the padded input copy of a convolution).
  static constexpr std::size_t scratch_floats = [] {
    std::size_t most = 0;
    for (const layer_traits& t : traits) most = std::max(most, t.scratch_floats);
    return round_up(most);
  }();
  /// Floats of workspace one forward pass needs: two activation buffers and the scratch.
  static constexpr std::size_t workspace_floats = 2 * activation_floats + scratch_floats;

  /// Samples a batch runs through each layer together, so that a layer with a
  /// batch kernel (dense) loads each weight once per group: up to 8, while the
  /// group's activations stay within about 2 MiB; 1 when no layer has one.
  static constexpr std::size_t micro_batch = [] {
    bool batched = false;
    for (const layer_traits& t : traits) batched = batched || t.batched;
    if (!batched) return std::size_t{1};
    return std::clamp<std::size_t>((std::size_t{2} << 20) / (2 * activation_floats * sizeof(float)), 1, 8);
  }();
  /// Floats of workspace a batch needs per thread (also what a single pass is given).
  static constexpr std::size_t batch_workspace_floats = 2 * micro_batch * activation_floats + scratch_floats;
};

/// Floats of workspace a forward pass of Net needs, for static_assert against a budget.
template <class Net>
inline constexpr std::size_t workspace_floats = plan<Net>::workspace_floats;
/// Bytes of workspace a forward pass of Net needs.
template <class Net>
inline constexpr std::size_t workspace_bytes = workspace_floats<Net> * sizeof(float);

}  // namespace typenet
