// train_plan<Net>: the memory plan of a training step, all compile-time constants.
//
// A step runs its batch in slices of up to `slice` samples. For a slice it
// keeps every layer's output (the backward pass needs them), two gradient
// buffers that take turns going backward, and the largest scratch any
// kernel needs, forward or backward. Each slice adds its parameter gradients
// into a buffer of its own, and the buffers are summed in slice order, so the
// result does not depend on how many threads ran the slices.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/network.hpp>
#include <typenet/runtime/plan.hpp>

#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <cstddef>

namespace typenet {

template <class Net>
struct train_plan {
  using forward_plan = plan<Net>;
  static constexpr auto& f = facts<Net>;
  /// Every layer can be trained (else a diagnostic names the first that cannot).
  static constexpr bool trainable = typenet::trainable<Net>;
  static constexpr std::size_t layers = f.layer_count;

  static constexpr std::size_t round_up(std::size_t n) { return (n + 15) / 16 * 16; }

  /// Samples of a slice: up to 16, while the slice's activations stay within about 8 MiB. Each
  /// slice has a parameter-gradient buffer to clear and add up, so fewer, larger slices cost less;
  /// a batch of 32 still gives two threads a slice each.
  static constexpr std::size_t slice = [] {
    std::size_t per_sample = f.input.size();
    for (std::size_t i = 0; i < layers; ++i) per_sample += f.layer[i].output.size();
    return std::clamp<std::size_t>((std::size_t{8} << 20) / (sizeof(float) * per_sample), 1, 16);
  }();

  /// Where each layer's output is: the block it writes (running layers), or
  /// its input's block (layers that pass their input through). Block 0 is the
  /// slice's input, the caller's memory.
  static constexpr std::array<std::size_t, layers + 1> block_of = [] {
    std::array<std::size_t, layers + 1> b{};  // b[i]: block of layer i's input; b[layers]: of the output
    std::size_t next = 1;
    for (std::size_t i = 0; i < layers; ++i) b[i + 1] = forward_plan::traits[i].passes_through ? b[i] : next++;
    return b;
  }();
  static constexpr std::size_t blocks = [] {
    std::size_t n = 0;
    for (std::size_t b : block_of) n = std::max(n, b);
    return n + 1;
  }();

  /// Floats of block b: a slice of that layer's outputs, back to back, with slack (kernels may read past).
  static constexpr std::array<std::size_t, blocks> block_floats = [] {
    std::array<std::size_t, blocks> n{};
    for (std::size_t i = 0; i < layers; ++i)
      if (block_of[i + 1] != block_of[i])
        n[block_of[i + 1]] = round_up(slice * f.layer[i].output.size() + simd::read_slack);
    return n;
  }();
  /// Offset of block b in the workspace (block 0, the input, is not in it).
  static constexpr std::array<std::size_t, blocks> block_offset = [] {
    std::array<std::size_t, blocks> o{};
    std::size_t at = 0;
    for (std::size_t b = 1; b < blocks; ++b) o[b] = at, at += block_floats[b];
    return o;
  }();
  static constexpr std::size_t activations_floats = block_offset[blocks - 1] + block_floats[blocks - 1];

  /// Each of the two gradient buffers: a slice of the largest activation, with slack.
  static constexpr std::size_t gradient_floats = round_up(slice * f.largest_activation + simd::read_slack);

  /// The largest scratch of any kernel, forward or backward.
  static constexpr std::size_t scratch_floats = [] {
    std::size_t most = forward_plan::scratch_floats;
    boost::hana::for_each(bound_layers<Net>, [&](auto b) {
      using B = typename decltype(b)::type;
      most = std::max(most, contract::backward_scratch_floats<typename B::layer, B::input, B::output>());
    });
    return round_up(most);
  }();

  /// Floats of workspace one thread needs for a slice: activations, two gradients, scratch.
  static constexpr std::size_t workspace_floats = activations_floats + 2 * gradient_floats + scratch_floats;
  /// Floats of one parameter-gradient buffer (the parameters' layout, with slack).
  static constexpr std::size_t param_gradient_floats = round_up(f.params + simd::read_slack);

  /// The first layer that runs: its input gradient is never needed.
  static constexpr std::size_t first_run = [] {
    for (std::size_t i = 0; i < layers; ++i)
      if (!forward_plan::traits[i].passes_through) return i;
    return layers;
  }();
};

/// Floats of workspace one thread needs to train Net, a slice at a time.
template <class Net>
inline constexpr std::size_t train_workspace_floats = train_plan<Net>::workspace_floats;

}  // namespace typenet
