// train_plan<Net>: the memory plan of a training step, all compile-time constants.
//
// A step runs its batch in slices of up to `slice` samples. For a slice it
// keeps every layer's output (the backward pass needs them), the gradient
// buffers that going backward (two that take turns for a chain of layers), and the largest scratch any
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

#include <boost/hana/for_each.hpp>
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

  /// The forward plan's traits, but a layer that passes its input through at inference and
  /// computes in training (dropout) runs.
  static constexpr std::array<layer_traits, layers> traits = boost::hana::unpack(bound_layers<Net>, [](auto... b) {
    auto train_traits = [](auto bound) {
      using B = typename decltype(bound)::type;
      layer_traits t = forward_plan::traits[B::position];
      if constexpr (!contract::joins<typename B::layer>)
        if (contract::trains_differently<typename B::layer, B::input, B::output>) t.passes_through = false;
      return t;
    };
    return std::array<layer_traits, layers>{train_traits(b)...};
  });

  /// Layers that normalize over the whole batch in training (batch_norm), in order: a step stops
  /// every slice at each, to add up what the slices gathered.
  static constexpr std::size_t gathering = boost::hana::unpack(bound_layers<Net>, [](auto... b) {
    return (std::size_t{0} + ... +
            std::size_t{contract::gathers<typename decltype(b)::type::layer, decltype(b)::type::input,
                                          decltype(b)::type::output>});
  });
  struct gathering_layer {
    std::size_t position = 0;
    std::size_t statistics = 0, statistics_offset = 0;  ///< doubles gathered going forward, and where
    std::size_t gradient_statistics = 0, gradient_offset = 0;
  };
  static constexpr std::array<gathering_layer, gathering> gatherers = [] {
    std::array<gathering_layer, gathering> g{};
    std::size_t k = 0, at = 0;
    boost::hana::for_each(bound_layers<Net>, [&](auto b) {
      using B = typename decltype(b)::type;
      using L = typename B::layer;
      if constexpr (contract::gathers<L, B::input, B::output>) {
        constexpr std::size_t n = L::template statistics<B::input, B::output>,
                              m = L::template gradient_statistics<B::input, B::output>;
        g[k++] = {B::position, n, at, m, at + n};
        at += n + m;
      }
    });
    return g;
  }();
  /// Doubles one slice gathers over all such layers, both ways.
  static constexpr std::size_t statistics_doubles =
      gathering == 0 ? 0 : gatherers[gathering - 1].gradient_offset + gatherers[gathering - 1].gradient_statistics;
  /// The index in gatherers of the layer at position I (gathering if none).
  static constexpr std::size_t gatherer_of(std::size_t position) {
    for (std::size_t k = 0; k < gathering; ++k)
      if (gatherers[k].position == position) return k;
    return gathering;
  }

  /// The fewest samples a training batch may have (batch_norm on a 1 x 1 input needs 2).
  static constexpr std::size_t min_batch = [] {
    std::size_t n = 1;
    boost::hana::for_each(bound_layers<Net>, [&](auto b) {
      using B = typename decltype(b)::type;
      if constexpr (requires { B::layer::template min_batch<B::input, B::output>; })
        n = std::max<std::size_t>(n, B::layer::template min_batch<B::input, B::output>);
    });
    return n;
  }();

  /// The parameters an optimizer updates, as [first, last) ranges: every learned tensor, not the
  /// buffers (running statistics).
  struct range {
    std::size_t first = 0, last = 0;
  };
  static constexpr std::size_t learned_range_count = [] {
    std::size_t n = 0;
    bool open = false;
    boost::hana::for_each(bound_layers<Net>, [&](auto b) {
      using B = typename decltype(b)::type;
      if constexpr (!contract::joins<typename B::layer>)
        for (const param_tensor& t : contract::tensors<typename B::layer, B::input, B::output>()) {
          if (t.learned && !open) ++n;
          open = t.learned;
        }
    });
    return n;
  }();
  static constexpr std::array<range, learned_range_count> learned = [] {
    std::array<range, learned_range_count> r{};
    std::size_t n = 0, at = 0;
    bool open = false;
    boost::hana::for_each(bound_layers<Net>, [&](auto b) {
      using B = typename decltype(b)::type;
      if constexpr (!contract::joins<typename B::layer>)
        for (const param_tensor& t : contract::tensors<typename B::layer, B::input, B::output>()) {
          if (t.learned && !open) r[n++].first = at;
          at += t.size();
          if (t.learned) r[n - 1].last = at;
          open = t.learned;
        }
    });
    return r;
  }();

  static constexpr std::size_t round_up(std::size_t n) { return (n + 15) / 16 * 16; }

  /// Samples of a slice: up to 16, while the slice's activations stay within about 8 MiB. Each
  /// slice has a parameter-gradient buffer to clear and add up, so fewer, larger slices cost less;
  /// a batch of 32 still gives two threads a slice each.
  static constexpr std::size_t slice = [] {
    std::size_t per_sample = f.input.size();
    for (std::size_t i = 0; i < layers; ++i) per_sample += f.layer[i].output.size();
    return std::clamp<std::size_t>((std::size_t{8} << 20) / (sizeof(float) * per_sample), 1, 16);
  }();

  /// Where each layer's output is: the block it writes (running layers), or the
  /// block of the layer it passes through. Block 0 is the slice's input, the
  /// caller's memory. block_of[i + 1] is layer i's output's block (block_of[0]
  /// is the input's); layer i reads the blocks of its sources.
  static constexpr std::array<std::size_t, layers + 1> block_of = [] {
    std::array<std::size_t, layers + 1> b{};
    std::size_t next = 1;
    for (std::size_t i = 1; i < layers; ++i)
      b[i + 1] = traits[i].passes_through ? b[traits[i].sources[0] + 1] : next++;
    return b;
  }();
  /// The layer whose output block layer i's output is (i itself if it runs; 0: the input).
  static constexpr std::array<std::size_t, layers> producer = [] {
    std::array<std::size_t, layers> p{};
    for (std::size_t i = 1; i < layers; ++i)
      p[i] = traits[i].passes_through ? p[traits[i].sources[0]] : i;
    return p;
  }();
  static constexpr std::size_t blocks = [] {
    std::size_t n = 0;
    for (std::size_t b : block_of) n = std::max(n, b);
    return n + 1;
  }();

  /// Floats of block b: a slice of that layer's outputs, back to back, with slack (kernels may read past).
  static constexpr std::array<std::size_t, blocks> block_floats = [] {
    std::array<std::size_t, blocks> n{};
    for (std::size_t i = 1; i < layers; ++i)
      if (!traits[i].passes_through)
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

  /// Each gradient buffer: a slice of the largest activation, with slack.
  static constexpr std::size_t gradient_floats = round_up(slice * f.largest_activation + simd::read_slack);

  /// Where the gradients go when the backward pass runs through layers [0, Last): each running
  /// layer's output gradient has a buffer (slot) from the first layer that reads it going back
  /// (which writes it) until that layer's own backward step reads it; a slot is reused once its
  /// gradient was read. A chain of layers takes two slots that take turns. A value several
  /// layers read (a residual's input) gets the first's gradient written and each other's added,
  /// through one more buffer (`temp`). Nothing is kept for the network's input.
  struct gradient_plan {
    std::array<std::size_t, layers> slot{};                   ///< per running layer: its output gradient's slot
    std::array<std::array<bool, max_inputs>, layers> adds{};  ///< per layer and input: adds (else writes)
    std::size_t count = 0;                                    ///< slots, the temp excluded
    bool temp = false;                                        ///< whether some gradient is added
    bool complete = true;                                     ///< every running layer before Last gets a gradient
  };
  template <std::size_t Last>
  static constexpr gradient_plan gradients = [] {
    gradient_plan g;
    if constexpr (Last == 0) {
      return g;
    } else {
      std::array<std::size_t, layers + 1> holds{};  // per slot: the layer whose gradient it holds
      std::array<bool, layers> has{};
      auto take = [&](std::size_t value, std::size_t step) {
        std::size_t s = 0;
        while (s < g.count && holds[s] <= step) ++s;  // free once that layer's step (later going back) read it
        if (s == g.count) ++g.count;
        holds[s] = value;
        return s;
      };
      const std::size_t top = producer[Last - 1];
      if (top != 0) g.slot[top] = take(top, Last), has[top] = true;
      for (std::size_t i = Last; i-- > 1;) {
        const layer_traits& t = traits[i];
        if (t.passes_through) continue;
        if (!has[i]) g.complete = false;
        for (std::size_t k = 0; k < t.inputs; ++k) {
          const std::size_t v = producer[t.sources[k]];
          if (v == 0) continue;
          if (!has[v]) {
            g.slot[v] = take(v, i);
            has[v] = true;
          } else {
            g.adds[i][k] = true;
            g.temp = true;
          }
        }
      }
      return g;
    }
  }();
  /// Gradient buffers of a backward pass through all layers (the trainer's Last may skip a
  /// final softmax, never needing more): 2 for a chain of layers.
  static constexpr std::size_t gradient_buffers = [] {
    constexpr gradient_plan all = gradients<layers>, to_last_run = gradients<forward_plan::last_run>;
    return std::max({std::size_t{2}, all.count + (all.temp ? 1 : 0), to_last_run.count + (to_last_run.temp ? 1 : 0)});
  }();

  /// The largest scratch of any kernel, forward or backward.
  static constexpr std::size_t scratch_floats = [] {
    std::size_t most = forward_plan::scratch_floats;
    boost::hana::for_each(bound_layers<Net>, [&](auto b) {
      using B = typename decltype(b)::type;
      most = std::max(most, contract::backward_scratch_floats<typename B::layer, B::input, B::output>());
    });
    return round_up(most);
  }();

  /// Floats of workspace one thread needs for a slice: activations, the gradient buffers, scratch.
  static constexpr std::size_t workspace_floats =
      activations_floats + gradient_buffers * gradient_floats + scratch_floats;
  /// Floats of one parameter-gradient buffer (the parameters' layout, with slack).
  static constexpr std::size_t param_gradient_floats = round_up(f.params + f.buffers + simd::read_slack);
};

/// Floats of workspace one thread needs to train Net, a slice at a time.
template <class Net>
inline constexpr std::size_t train_workspace_floats = train_plan<Net>::workspace_floats;

}  // namespace typenet
