// plan<Net>: the schedule (which layers run, which fuse) and the memory plan of a forward pass, all constants.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/simd.hpp>
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
  folded, ///< a per-channel affine layer (batch_norm) applied by the convolution before it, as it stores
};

/// The most inputs a layer reads (a concat of this many branches).
inline constexpr std::size_t max_inputs = 8;

/// What the plan needs to know of one layer, read off its contract hooks and its place in the graph.
struct layer_traits {
  bool passes_through = false;
  bool takes_epilogue = false;  ///< has a kernel that applies an epilogue
  bool fusable = false;
  bool batched = false;  ///< has kernel_batch
  std::size_t scratch_floats = 0;
  std::size_t inputs = 1;                               ///< how many layers' outputs it reads
  std::array<std::size_t, max_inputs> sources{};       ///< their positions
  bool takes_channel_epilogue = false;  ///< its kernel applies a folded per-channel affine map too
  bool folds = false;                   ///< is a per-channel affine map at inference (batch_norm)
  std::size_t fold_floats = 0;          ///< what its folded factors take (scale and shift, with slack)
  bool divisible = false;               ///< has kernel_part: one sample's work divides between threads
};

template <class B>
constexpr layer_traits traits_of() {
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  using Id = kernels::identity;
  static_assert(B::sources.size() <= max_inputs, "typenet: a concat<> joins at most 8 branches");
  layer_traits t;
  if constexpr (contract::joins<L>) {
    t.takes_epilogue = contract::takes_epilogue<L>;
  } else {
    t = {contract::passes_through<L>, contract::takes_epilogue<L> && contract::has_kernel<L, In, Out, Id>,
         contract::fusable<L>, contract::has_kernel_batch<L, In, Out, Id>, contract::scratch_floats<L, In, Out>()};
    t.takes_channel_epilogue = t.takes_epilogue && contract::takes_channel_epilogue<L>;
    t.folds = contract::folds<L, In>;
    t.fold_floats = t.folds ? 2 * (In.depth + simd::read_slack) : 0;
    t.divisible = contract::has_kernel_part<L, In, Out, Id>;
  }
  t.inputs = B::sources.size();
  for (std::size_t k = 0; k < t.inputs; ++k) t.sources[k] = B::sources[k];
  return t;
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

  /// How many layers read layer i's output directly.
  static constexpr std::array<std::size_t, layers> readers = [] {
    std::array<std::size_t, layers> n{};
    for (std::size_t j = 1; j < layers; ++j)
      for (std::size_t k = 0; k < traits[j].inputs; ++k) ++n[traits[j].sources[k]];
    return n;
  }();

  /// A batch norm folds into the convolution before it, and an elementwise layer fuses into the
  /// kernel before it (or into the convolution a batch norm before it folded into), when it is
  /// that kernel's only reader: conv, batch_norm, relu is one kernel.
  static constexpr std::array<step, layers> steps = [] {
    std::array<step, layers> s{};
    for (std::size_t i = 0; i < layers; ++i) {
      const layer_traits& t = traits[i];
      const bool sole_reader = i > 0 && t.inputs == 1 && t.sources[0] == i - 1 && readers[i - 1] == 1;
      if (t.passes_through)
        s[i] = step::skip;
      else if (t.folds && sole_reader && s[i - 1] == step::run && traits[i - 1].takes_channel_epilogue)
        s[i] = step::folded;
      else if (t.fusable && sole_reader &&
               ((s[i - 1] == step::run && traits[i - 1].takes_epilogue) || s[i - 1] == step::folded))
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

  /// Where layer i's values are: the layer that wrote them (itself if it runs; what it passes
  /// through or was fused into otherwise; 0 for the network's input).
  static constexpr std::array<std::size_t, layers> producer = [] {
    std::array<std::size_t, layers> p{};
    for (std::size_t i = 1; i < layers; ++i) p[i] = steps[i] == step::run ? i : p[traits[i].sources[0]];
    return p;
  }();

  /// The last layer that reads what producer q wrote (0: none).
  static constexpr std::array<std::size_t, layers> last_read = [] {
    std::array<std::size_t, layers> r{};
    for (std::size_t j = 1; j < layers; ++j)
      if (steps[j] == step::run)
        for (std::size_t k = 0; k < traits[j].inputs; ++k) r[producer[traits[j].sources[k]]] = j;
    return r;
  }();

  /// The memory plan: the buffer (slot) each producer writes, assigned in order from the
  /// values' lifetimes. A slot is free for layer i when every value in it was last read before
  /// i (a kernel never writes the buffer it reads). The network's input has a slot too, used
  /// only when the caller's input and output overlap (the input is copied into it first). A
  /// chain of layers takes two slots, as ping-pong buffers; a residual's input stays in a third
  /// until its sum reads it.
  struct slot_plan {
    std::array<std::size_t, layers> slot{};
    std::size_t count = 0;
  };
  static constexpr slot_plan slots = [] {
    slot_plan sp;
    std::array<std::size_t, layers + 1> busy_until{};  // per slot: the last layer that reads it
    auto take = [&](std::size_t i, std::size_t until) {
      std::size_t s = 0;
      while (s < sp.count && busy_until[s] >= i) ++s;
      if (s == sp.count) ++sp.count;
      busy_until[s] = until;
      return s;
    };
    sp.slot[0] = take(0, last_read[0]);
    for (std::size_t i = 1; i < layers; ++i)
      if (steps[i] == step::run && i != last_run) sp.slot[i] = take(i, last_read[i]);
    return sp;
  }();

  static constexpr std::size_t round_up(std::size_t n) { return (n + 15) / 16 * 16; }

  /// Each activation buffer (floats, a multiple of 16): the largest activation.
  static constexpr std::size_t activation_floats = round_up(f.largest_activation);
  /// Activation buffers of one pass (2 for a chain of layers).
  static constexpr std::size_t buffers = slots.count < 2 ? 2 : slots.count;
  /// The largest scratch a layer's kernel needs (a convolution's padded input copy, or Winograd's
  /// transformed filters, patches and products).
  static constexpr std::size_t kernel_scratch_floats = [] {
    std::size_t most = 0;
    for (const layer_traits& t : traits) most = std::max(most, t.scratch_floats);
    return round_up(most);
  }();
  /// The kernel scratch, then room for the factors of the largest folded batch norm.
  static constexpr std::size_t scratch_floats = [] {
    std::size_t most = 0;
    for (std::size_t i = 0; i < layers; ++i)
      if (steps[i] == step::folded) most = std::max(most, traits[i].fold_floats);
    return kernel_scratch_floats + round_up(most);
  }();
  /// Floats of workspace one forward pass needs: the activation buffers and the scratch.
  static constexpr std::size_t workspace_floats = buffers * activation_floats + scratch_floats;

  /// The first layer that runs with a batch kernel (layers if none). In a batch the layers before
  /// it take one sample at a time through all of them (runtime::forward_samples), so that a
  /// sample's activations are still in cache for its next layer: the CIFAR net at batch 64 took
  /// 5-7 % less time on AVX-512, none measurable on AVX2, where the convolutions take twice as
  /// long beside the same memory traffic (docs/performance.md).
  static constexpr std::size_t first_batched = [] {
    for (std::size_t i = 0; i < layers; ++i)
      if (steps[i] == step::run && traits[i].batched) return i;
    return layers;
  }();

  /// Samples a batch runs through each layer together, so that a layer with a
  /// batch kernel (dense) loads each weight once per group: up to 8, while the
  /// group's activations stay within about 2 MiB; 1 when no layer has one.
  static constexpr std::size_t micro_batch = [] {
    bool batched = false;
    for (const layer_traits& t : traits) batched = batched || t.batched;
    if (!batched) return std::size_t{1};
    return std::clamp<std::size_t>((std::size_t{2} << 20) / (buffers * activation_floats * sizeof(float)), 1, 8);
  }();
  /// One sample on several threads (forward_batch of one sample): the layers whose work is
  /// divided between the threads, the others running on one. A layer is divided when it has a
  /// kernel_part and its work, in multiply-accumulates or, for a layer without any (pooling),
  /// in values read and written, reaches divide_from; below it, the threads' meeting after the
  /// layer (about a microsecond) would cost more than the half they save
  /// (benchmarks/forward.cpp, docs/performance.md). A smaller layer is divided too when the
  /// layers that run before and after it are (or it is the last): the threads meet before and
  /// after it either way, and each finds its share of the input in its own cache (a pooling
  /// between two convolutions on one thread read the rows the other thread wrote, 4-5 us of the
  /// CIFAR net's 330 on two AVX-512 threads: benchmarks/run-layers --threads 2).
  static constexpr std::size_t divide_from = std::size_t{1} << 17;
  /// Each layer's work: its multiply-accumulates, or (pooling) the values it reads and writes.
  static constexpr std::array<std::size_t, layers> work = [] {
    std::array<std::size_t, layers> w{};
    for (std::size_t i = 0; i < layers; ++i)
      w[i] = f.layer[i].macs != 0 ? f.layer[i].macs : f.layer[i].input.size() + f.layer[i].output.size();
    return w;
  }();
  static constexpr std::array<bool, layers> divided = [] {
    std::array<bool, layers> big{};
    for (std::size_t i = 0; i < layers; ++i)
      big[i] = steps[i] == step::run && traits[i].divisible && work[i] >= divide_from;
    std::array<bool, layers> d = big;
    for (std::size_t i = 0; i < layers; ++i) {
      if (i == 0 || steps[i] != step::run || !traits[i].divisible || big[i]) continue;
      // The nearest layers before and after i that run, in the order they run (layers: none after).
      std::size_t before = i - 1, after = i + 1;
      while (before > 0 && steps[before] != step::run) --before;
      while (after < layers && steps[after] != step::run) ++after;
      d[i] = big[before] && (after == layers || big[after]);
    }
    return d;
  }();
  /// Whether one sample runs on several threads at all: when the divided layers' work adds up to
  /// 4 x divide_from. Below that, waking the other threads and meeting them cost about what
  /// they save (LeNet-5: 240,000 MACs divided, 10.5 us on 1 thread, 11.0 on 2).
  static constexpr bool divides = [] {
    std::size_t total = 0;
    for (std::size_t i = 0; i < layers; ++i)
      if (divided[i]) total += work[i];
    return total >= 4 * divide_from;
  }();

  /// Floats of workspace a batch needs per thread (also what a single pass is given).
  static constexpr std::size_t batch_workspace_floats = buffers * micro_batch * activation_floats + scratch_floats;
};

/// Floats of workspace a forward pass of Net needs, for static_assert against a budget.
template <class Net>
inline constexpr std::size_t workspace_floats = plan<Net>::workspace_floats;
/// Bytes of workspace a forward pass of Net needs.
template <class Net>
inline constexpr std::size_t workspace_bytes = workspace_floats<Net> * sizeof(float);

}  // namespace typenet
