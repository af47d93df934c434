// dropout<percent<P>>: zeroes a random P% of the values in training (scaling the others), nothing at inference.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/layer.hpp>
#include <typenet/options.hpp>

#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace typenet {

namespace error {
template <class At, class Percent>
struct dropout_percent_out_of_range {
  static_assert(reported<At>,
                "typenet: dropout<percent<P>> drops P% of the values in training, so P must be 0 to 99 (the "
                "layer and P are in the instantiation above). Fix: give a share below 100.");
};
}  // namespace error

/// Dropout (Srivastava et al.; PyTorch's nn.Dropout): in training, each value is zeroed with
/// probability P/100 and the others are scaled by 1 / (1 - P/100), so that a value's expectation
/// is unchanged; at inference (the model) it passes its input through untouched. Default
/// percent<50>, PyTorch's p = 0.5. No parameters.
///
/// The masks are drawn from the trainer's seed (trainer_options::seed), the step's number, the
/// sample's place in the batch and the value's place in the sample, by a counter-based hash
/// (SplitMix64's finalizer): the same seed and batches give the same masks on any number of
/// threads, and the backward pass redraws the forward pass's mask instead of keeping it.
template <class... Options>
struct dropout {
  static constexpr std::string_view kind = "dropout";
  static constexpr auto accepted = boost::hana::tuple_t<label::probability>;
  static constexpr auto required = boost::hana::tuple_t<>;
  static constexpr std::intmax_t percent_dropped = option_t<label::probability, percent<50>, Options...>::value;
  static constexpr double p = static_cast<double>(percent_dropped) / 100;

  template <shape In>
  static constexpr auto check() {
    if constexpr (percent_dropped >= 100)
      return problem<error::dropout_percent_out_of_range, percent<percent_dropped>>{};
    else
      return no_problem{};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, In);
  }
  static std::string describe() { return "dropout " + std::to_string(percent_dropped) + "%"; }

  // --- run time (contract.hpp) ---------------------------------------------

  /// Inference: the values stay where they are.
  static constexpr bool passes_through = true;

  /// SplitMix64's finalizer: a 64-bit mix in which every input bit changes every output bit.
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  /// The stream of sample `sample` (its index in the batch) in the step c names.
  static constexpr std::uint64_t stream(const training_context& c, std::size_t sample) {
    return mix(mix(mix(c.seed) ^ c.step) ^ static_cast<std::uint64_t>(sample));
  }
  /// Value e of a sample whose stream is s is kept: its 24-bit draw is at least P% of 2^24.
  static constexpr bool kept(std::uint64_t s, std::size_t e) {
    constexpr std::uint64_t threshold = static_cast<std::uint64_t>(p * double(1u << 24) + 0.5);
    return (mix(s ^ static_cast<std::uint64_t>(e)) >> 40) >= threshold;
  }

  /// y = x * mask / (1 - p), mask from the sample's index in the batch (c.first + s).
  template <shape In, shape Out, class T>
  static void train_forward(const T*, const T* in, T* out, std::size_t samples, const training_context& c) {
    const T scale = static_cast<T>(1 / (1 - p));
    for (std::size_t s = 0; s < samples; ++s) {
      const std::uint64_t st = stream(c, c.first + s);
      for (std::size_t e = 0; e < In.size(); ++e)
        out[s * In.size() + e] = kept(st, e) ? in[s * In.size() + e] * scale : T(0);
    }
  }
  /// dx = dy * mask / (1 - p), the same mask redrawn.
  template <shape In, shape Out, class T>
  static void train_backward(const T*, const T*, const T*, const T* grad_out, T* grad_in, T*, std::size_t samples,
                             const training_context& c) {
    if (!grad_in) return;
    const T scale = static_cast<T>(1 / (1 - p));
    for (std::size_t s = 0; s < samples; ++s) {
      const std::uint64_t st = stream(c, c.first + s);
      for (std::size_t e = 0; e < In.size(); ++e)
        grad_in[s * In.size() + e] = kept(st, e) ? grad_out[s * In.size() + e] * scale : T(0);
    }
  }
};

}  // namespace typenet
