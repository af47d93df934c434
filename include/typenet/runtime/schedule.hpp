// The forward schedule: each layer's hook called in turn on the planned buffers, fused activations applied by kernels.
#pragma once

#include <typenet/kernels/simd.hpp>  // TYPENET_ISA_NAMESPACE

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/runtime/plan.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

namespace typenet::runtime {
inline namespace TYPENET_ISA_NAMESPACE {

/// The epilogue layer I's kernel applies: the fused layer after it; or the batch norm folded into
/// it, its factors computed now into `folded` (the scratch past the kernels'), then the layer fused
/// after that; or nothing.
template <class Net, std::size_t I>
auto epilogue_of(const float* params, float* folded) {
  using P = plan<Net>;
  if constexpr (I + 1 < P::layers && P::steps[I + 1] == step::folded) {
    using B = bound_at<Net, I + 1>;
    float* scale = folded;
    float* shift = folded + B::input.depth + simd::read_slack;
    B::layer::template fold<B::input>(params + param_offset<Net, I + 1>, scale, shift);
    using Next = decltype(epilogue_of<Net, I + 1>(params, nullptr));
    return kernels::channel_affine<Next>{scale, shift, epilogue_of<Net, I + 1>(params, nullptr)};
  } else if constexpr (I + 1 < P::layers && P::steps[I + 1] == step::fused) {
    return kernels::fused<std::remove_cvref_t<decltype(bound_at<Net, I + 1>::layer::fusion)>>{
        bound_at<Net, I + 1>::layer::fusion};
  } else {
    return kernels::identity{};
  }
}

/// Layer I of Net on `samples` samples (sample s at in + s * in_stride, out +
/// s * out_stride). In a batch (Batch), a layer with a batch kernel takes the
/// samples together, in an order of summation that does not depend on how
/// many there are, so results do not depend on the thread count; the other
/// layers go one by one.
template <class Net, std::size_t I, bool Batch>
void run_layer(const float* params, const float* in, std::size_t in_stride, float* out, std::size_t out_stride,
               std::size_t samples, float* scratch) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  const float* p = params + param_offset<Net, I>;
  const auto act = epilogue_of<Net, I>(params, scratch + plan<Net>::kernel_scratch_floats);
  using Act = std::remove_const_t<decltype(act)>;
  if constexpr (Batch && contract::has_kernel_batch<L, In, Out, Act>) {
    L::template kernel_batch<In, Out>(p, in, in_stride, out, out_stride, samples, scratch, act);
  } else {
    for (std::size_t s = 0; s < samples; ++s) {
      const float* x = in + s * in_stride;
      float* y = out + s * out_stride;
      if constexpr (contract::has_kernel<L, In, Out, Act>)
        L::template kernel<In, Out>(p, x, y, scratch, act);
      else
        L::template forward<In, Out, float>(p, x, y);
    }
  }
}

/// Join layer I of Net (add, concat) on `samples` samples: input k of sample s at
/// ins[k] + s * in_strides[k], output at out + s * out_stride.
template <class Net, std::size_t I>
void run_join(const float* const* ins, const std::size_t* in_strides, float* out, std::size_t out_stride,
              std::size_t samples) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  const auto act = epilogue_of<Net, I>(nullptr, nullptr);  // a join takes no channel epilogue
  constexpr std::size_t n = B::inputs.size();
  for (std::size_t s = 0; s < samples; ++s) {
    const float* x[n];
    for (std::size_t k = 0; k < n; ++k) x[k] = ins[k] + s * in_strides[k];
    if constexpr (requires { L::template kernel<B::inputs, B::output>(x, out, act); })
      L::template kernel<B::inputs, B::output>(x, out + s * out_stride, act);
    else
      L::template forward<B::inputs, B::output, float>(x, out + s * out_stride);
  }
}

/// Copies n floats; out of line, only for the rare aliased call (and so that
/// g++'s -Warray-bounds does not follow a refused call's buffer into it).
[[gnu::noinline]] inline void copy_floats(const float* from, std::size_t n, float* to) {
  std::memcpy(to, from, n * sizeof(float));
}

/// The buffers of one pass over `samples` samples: the caller's input and output (samples back
/// to back) and the plan's slots in ws (`samples` activations each).
template <class Net>
struct pass_buffers {
  using P = plan<Net>;
  static constexpr std::size_t in_size = P::f.input.size(), out_size = P::f.output.size();
  const float* input;
  float* output;
  float* ws;
  std::size_t samples;

  float* slot(std::size_t producer) const { return ws + P::slots.slot[producer] * samples * P::activation_floats; }
  /// Where the values of layer i are, and how far apart its samples.
  const float* at(std::size_t i) const {
    const std::size_t p = P::producer[i];
    return p == 0 ? input : p == P::last_run ? output : slot(p);
  }
  std::size_t stride(std::size_t i) const {
    const std::size_t p = P::producer[i];
    return p == 0 ? in_size : p == P::last_run ? out_size : P::activation_floats;
  }
  /// Where layer i (one that runs) writes, and how far apart its samples.
  float* destination(std::size_t i) const { return i == P::last_run ? output : slot(i); }
  std::size_t destination_stride(std::size_t i) const { return i == P::last_run ? out_size : P::activation_floats; }
};

/// Layer I of Net (one that runs: a join or any other) on `count` of the buffers' samples from
/// sample `first`.
template <class Net, std::size_t I, bool Batch>
void run_step(const float* params, const pass_buffers<Net>& b, float* scratch, std::size_t first, std::size_t count) {
  constexpr layer_traits t = plan<Net>::traits[I];
  float* out = b.destination(I) + first * b.destination_stride(I);
  if constexpr (contract::joins<typename bound_at<Net, I>::layer>) {
    const float* ins[t.inputs];
    std::size_t strides[t.inputs];
    for (std::size_t k = 0; k < t.inputs; ++k)
      strides[k] = b.stride(t.sources[k]), ins[k] = b.at(t.sources[k]) + first * strides[k];
    run_join<Net, I>(ins, strides, out, b.destination_stride(I), count);
  } else {
    const std::size_t in_stride = b.stride(t.sources[0]);
    run_layer<Net, I, Batch>(params, b.at(t.sources[0]) + first * in_stride, in_stride, out, b.destination_stride(I),
                             count, scratch);
  }
}

/// `samples` samples (at most plan<Net>::micro_batch) through every layer; x
/// and y are the caller's, back to back; ws holds plan<Net>::buffers buffers
/// of `samples` activations and the scratch. Each layer reads the buffers its
/// sources' values are in and writes the slot the plan gave it; the last layer
/// that runs writes y. The layers before the first with a batch kernel
/// (plan<Net>::first_batched) take one sample at a time through all of them, so
/// that its activations are still in cache for its next layer; the others take
/// the samples together. With copy_input (one sample whose input and output
/// overlap), the input is first copied into its own slot, which no layer
/// writes while the input is still to be read.
template <class Net, bool Batch>
void forward_samples(const float* params, const float* x, float* y, std::size_t samples, float* ws,
                     bool copy_input = false) {
  using P = plan<Net>;
  static_assert(P::runnable);
  pass_buffers<Net> b{x, y, ws, samples};
  float* scratch = ws + P::buffers * samples * P::activation_floats;
  if (copy_input) {
    copy_floats(x, b.in_size, b.slot(0));
    b.input = b.slot(0);
  }
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    for (std::size_t s = 0; s < samples; ++s)
      (
          [&] {
            if constexpr (I < P::first_batched && P::steps[I] == step::run) run_step<Net, I, Batch>(params, b, scratch, s, 1);
          }(),
          ...);
    (
        [&] {
          if constexpr (I >= P::first_batched && P::steps[I] == step::run)
            run_step<Net, I, Batch>(params, b, scratch, 0, samples);
        }(),
        ...);
  }(std::make_index_sequence<P::layers>{});
  if (P::last_run == P::layers)  // no layer ran: the output is the input (memmove: they may be one buffer)
    for (std::size_t s = 0; s < samples; ++s)
      std::memmove(y + s * b.out_size, b.input + s * b.in_size, b.out_size * sizeof(float));
}

/// One sample through every layer, as part `part` of a team of `parts` threads that run at once
/// (thread_pool::team), each calling this with the same x, y and ws (whose activation buffers
/// they share) and a scratch of its own (plan<Net>::scratch_floats). A divided layer
/// (plan<Net>::divided) runs on every part, each writing its share of the output; any other
/// layer runs on part 0. The parts meet at `barrier` before and after each divided layer.
/// Every output is computed as on one thread: the results are bit-identical.
template <class Net, class Barrier>
void forward_part(const float* params, const float* x, float* y, float* ws, float* scratch, std::size_t part,
                  std::size_t parts, Barrier& barrier) {
  using P = plan<Net>;
  static_assert(P::runnable);
  const pass_buffers<Net> b{x, y, ws, 1};
  bool after_divided = false;  // whether the last layer that ran was divided
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          if constexpr (P::steps[I] == step::run) {
            if (after_divided || P::divided[I]) barrier.arrive_and_wait();
            after_divided = P::divided[I];
            if constexpr (P::divided[I]) {
              using B = bound_at<Net, I>;
              const auto epilogue = epilogue_of<Net, I>(params, scratch + P::kernel_scratch_floats);
              B::layer::template kernel_part<B::input, B::output>(params + param_offset<Net, I>,
                                                                  b.at(P::traits[I].sources[0]), b.destination(I),
                                                                  scratch, epilogue, part, parts);
            } else if (part == 0) {
              run_step<Net, I, false>(params, b, scratch, 0, 1);
            }
          }
        }(),
        ...);
  }(std::make_index_sequence<P::layers>{});
  // No meeting after the last layer: thread_pool::team returns when every part has.
  if (P::last_run == P::layers && part == 0) std::memmove(y, x, b.out_size * sizeof(float));
}

/// Samples [first, last) of a batch, in groups of `group`.
template <class Net>
void forward_range(const float* params, const float* x, float* y, std::size_t first, std::size_t last,
                   std::size_t group, float* ws) {
  constexpr std::size_t in = plan<Net>::f.input.size(), out = plan<Net>::f.output.size();
  for (std::size_t s = first; s < last; s += group)
    forward_samples<Net, true>(params, x + s * in, y + s * out, std::min(group, last - s), ws);
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::runtime
