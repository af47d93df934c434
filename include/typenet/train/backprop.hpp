// One slice of a training step: the forward pass keeping every layer's output, then the backward pass.
//
// Each layer's hooks (contract.hpp) do the work: kernel / kernel_batch (or
// forward<float>) going forward, backward_kernel (or backward<float>) coming
// back. Activations are not fused here: the backward pass needs each layer's
// own output.
#pragma once

#include <typenet/kernels/simd.hpp>  // TYPENET_ISA_NAMESPACE

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/train/plan.hpp>

#include <cstddef>
#include <utility>

namespace typenet::train {
inline namespace TYPENET_ISA_NAMESPACE {

/// A thread's workspace for one slice, cut as train_plan<Net> says.
template <class Net>
struct slice_buffers {
  using P = train_plan<Net>;
  const float* input;  ///< the slice's samples, back to back (the caller's)
  float* ws;

  /// Block b to read: the input (0) or a layer's outputs.
  const float* read(std::size_t b) const { return b == 0 ? input : ws + P::block_offset[b]; }
  /// Block b to write (never 0).
  float* write(std::size_t b) { return ws + P::block_offset[b]; }
  /// Gradient buffer (slot) k.
  float* gradient(std::size_t k) { return ws + P::activations_floats + k * P::gradient_floats; }
  float* scratch() { return ws + P::activations_floats + P::gradient_buffers * P::gradient_floats; }
};

/// Layer I forward on `samples` samples, no epilogue.
template <class Net, std::size_t I>
void forward_layer(const float* params, const float* in, float* out, std::size_t samples, float* scratch) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  using Id = kernels::identity;
  const float* p = params + param_offset<Net, I>;
  if constexpr (contract::has_kernel_batch<L, In, Out, Id>) {
    L::template kernel_batch<In, Out>(p, in, In.size(), out, Out.size(), samples, scratch, Id{});
  } else {
    for (std::size_t s = 0; s < samples; ++s) {
      if constexpr (contract::has_kernel<L, In, Out, Id>)
        L::template kernel<In, Out>(p, in + s * In.size(), out + s * Out.size(), scratch, Id{});
      else
        L::template forward<In, Out, float>(p, in + s * In.size(), out + s * Out.size());
    }
  }
}

/// Join layer I (add, concat) forward on `samples` samples stored back to back.
template <class Net, std::size_t I>
void forward_join(const float* const* ins, float* out, std::size_t samples) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  constexpr std::size_t n = B::inputs.size();
  for (std::size_t s = 0; s < samples; ++s) {
    const float* x[n];
    for (std::size_t k = 0; k < n; ++k) x[k] = ins[k] + s * B::inputs[k].size();
    L::template forward<B::inputs, B::output, float>(x, out + s * B::output.size());
  }
}

/// The context layer I's training hooks get: `base` (the slice's place, the seed, the step, and
/// in `statistics` the batch's totals of every gathering layer), pointed at layer I's totals.
template <class Net, std::size_t I>
training_context context_of(const training_context& base) {
  using P = train_plan<Net>;
  training_context c = base;
  if constexpr (constexpr std::size_t k = P::gatherer_of(I); k < P::gathering) {
    c.statistics = base.statistics + P::gatherers[k].statistics_offset;
    c.gradient_statistics = base.statistics + P::gatherers[k].gradient_offset;
  }
  return c;
}

/// Layers [From, To) forward on a slice, in training mode, each output kept in its block.
template <class Net, std::size_t From = 1, std::size_t To = train_plan<Net>::layers>
void forward_slice(const float* params, slice_buffers<Net>& buf, std::size_t samples,
                   const training_context& base = {}) {
  using P = train_plan<Net>;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          constexpr layer_traits t = P::traits[I];
          if constexpr (I > 0 && I >= From && I < To && !t.passes_through) {
            using B = bound_at<Net, I>;
            if constexpr (contract::joins<typename B::layer>) {
              const float* ins[t.inputs];
              for (std::size_t k = 0; k < t.inputs; ++k) ins[k] = buf.read(P::block_of[t.sources[k] + 1]);
              forward_join<Net, I>(ins, buf.write(P::block_of[I + 1]), samples);
            } else if constexpr (contract::trains_differently<typename B::layer, B::input, B::output>) {
              B::layer::template train_forward<B::input, B::output, float>(
                  params + param_offset<Net, I>, buf.read(P::block_of[t.sources[0] + 1]),
                  buf.write(P::block_of[I + 1]), samples, context_of<Net, I>(base));
            } else {
              forward_layer<Net, I>(params, buf.read(P::block_of[t.sources[0] + 1]), buf.write(P::block_of[I + 1]),
                                    samples, buf.scratch());
            }
          }
        }(),
        ...);
  }(std::make_index_sequence<P::layers>{});
}

/// Gathering layer K (train_plan's gatherers[K]) adds the slice's statistics of its input to
/// `stats` (one slice's doubles, in statistics_doubles' layout).
template <class Net, std::size_t K>
void gather_slice(const float* params, slice_buffers<Net>& buf, std::size_t samples, double* stats) {
  using P = train_plan<Net>;
  constexpr std::size_t I = P::gatherers[K].position;
  using B = bound_at<Net, I>;
  B::layer::template gather<B::input, B::output, float>(params + param_offset<Net, I>,
                                                        buf.read(P::block_of[P::traits[I].sources[0] + 1]), samples,
                                                        stats + P::gatherers[K].statistics_offset);
}

/// Gathering layer K adds the slice's statistics of its output gradient (complete once the layers
/// above it ran backward) to `stats`.
template <class Net, std::size_t Last, std::size_t K>
void gather_gradient_slice(const float* params, slice_buffers<Net>& buf, std::size_t samples,
                           const training_context& base, double* stats) {
  using P = train_plan<Net>;
  constexpr std::size_t I = P::gatherers[K].position;
  using B = bound_at<Net, I>;
  B::layer::template gather_gradient<B::input, B::output, float>(
      params + param_offset<Net, I>, buf.read(P::block_of[P::traits[I].sources[0] + 1]),
      buf.gradient(P::template gradients<Last>.slot[I]), samples, context_of<Net, I>(base),
      stats + P::gatherers[K].gradient_offset);
}

/// Layer I backward on `samples` samples: grad_out -> grad_in (null: not needed), adding to grad_params.
template <class Net, std::size_t I>
void backward_layer(const float* params, const float* in, const float* out, const float* grad_out, float* grad_in,
                    float* grad_params, std::size_t samples, float* scratch) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  const float* p = params + param_offset<Net, I>;
  float* gp = grad_params + param_offset<Net, I>;
  if constexpr (contract::has_backward_kernel<L, In, Out, simd::isa_tag>) {
    L::template backward_kernel<In, Out>(p, in, out, grad_out, grad_in, gp, samples, scratch, simd::isa_tag{});
  } else {
    for (std::size_t s = 0; s < samples; ++s)
      L::template backward<In, Out, float>(p, in + s * In.size(), out + s * Out.size(), grad_out + s * Out.size(),
                                           grad_in ? grad_in + s * In.size() : nullptr, gp);
  }
}

/// Join layer I backward on `samples` samples: each input's gradient (null: not needed).
template <class Net, std::size_t I>
void backward_join(const float* grad_out, float* const* grad_ins, std::size_t samples) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  constexpr std::size_t n = B::inputs.size();
  for (std::size_t s = 0; s < samples; ++s) {
    float* g[n];
    for (std::size_t k = 0; k < n; ++k) g[k] = grad_ins[k] ? grad_ins[k] + s * B::inputs[k].size() : nullptr;
    L::template backward<B::inputs, B::output, float>(grad_out + s * B::output.size(), g);
  }
}

/// Adds n floats of `from` to `to`: a gradient computed into the temp buffer, added to its value's.
inline void add_gradient(float* to, const float* from, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) to[i] += from[i];
}

/// The gradient buffer of layer Last-1's output, where the loss writes dL/dlogits before backward_slice<Net, Last>.
template <class Net, std::size_t Last>
float* logits_gradient(slice_buffers<Net>& buf) {
  using P = train_plan<Net>;
  if constexpr (Last == 0)
    return buf.gradient(0);
  else
    return buf.gradient(P::template gradients<Last>.slot[P::producer[Last - 1]]);
}

/// Backward through layers [Lo, Hi) (of the [0, Last) a step goes back through), last first, of a
/// slice whose forward pass is in buf, from the gradient of layer Last-1's output in
/// logits_gradient<Net, Last>(buf); adds the parameter gradients to grad_params. Each layer writes
/// the gradient of what it read into that value's buffer, or, where another layer wrote it already
/// (a value several layers read), adds it through the temp buffer.
template <class Net, std::size_t Last, std::size_t Lo = 1, std::size_t Hi = Last>
void backward_slice(const float* params, slice_buffers<Net>& buf, float* grad_params, std::size_t samples,
                    const training_context& base = {}) {
  using P = train_plan<Net>;
  constexpr auto g = P::template gradients<Last>;
  static_assert(g.complete, "typenet internal: a layer's output gradient has no writer");
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    (
        [&] {
          constexpr std::size_t I = Last - 1 - R;
          constexpr layer_traits t = P::traits[I];
          if constexpr (I > 0 && I >= Lo && I < Hi && !t.passes_through) {
            float* temp = buf.gradient(g.count);
            float* grad_in[t.inputs];
            for (std::size_t k = 0; k < t.inputs; ++k) {
              const std::size_t v = P::producer[t.sources[k]];
              grad_in[k] = v == 0 ? nullptr : g.adds[I][k] ? temp : buf.gradient(g.slot[v]);
            }
            const float* grad_out = buf.gradient(g.slot[I]);
            // Two inputs adding through the one temp buffer: a join's are added one at a time below.
            if constexpr (contract::joins<typename bound_at<Net, I>::layer>) {
              for (std::size_t k = 0; k < t.inputs; ++k) {
                float* only[max_inputs] = {};
                only[k] = grad_in[k];
                if (only[k]) backward_join<Net, I>(grad_out, only, samples);
                if (g.adds[I][k] && only[k])
                  add_gradient(buf.gradient(g.slot[P::producer[t.sources[k]]]), temp,
                               samples * bound_at<Net, I>::inputs[k].size());
              }
            } else {
              using B = bound_at<Net, I>;
              if constexpr (contract::trains_differently<typename B::layer, B::input, B::output>)
                B::layer::template train_backward<B::input, B::output, float>(
                    params + param_offset<Net, I>, buf.read(P::block_of[t.sources[0] + 1]),
                    buf.read(P::block_of[I + 1]), grad_out, grad_in[0], grad_params + param_offset<Net, I>, samples,
                    context_of<Net, I>(base));
              else
                backward_layer<Net, I>(params, buf.read(P::block_of[t.sources[0] + 1]),
                                       buf.read(P::block_of[I + 1]), grad_out, grad_in[0], grad_params, samples,
                                       buf.scratch());
              if (g.adds[I][0] && grad_in[0])
                add_gradient(buf.gradient(g.slot[P::producer[t.sources[0]]]), temp,
                             samples * bound_at<Net, I>::input.size());
            }
          }
        }(),
        ...);
  }(std::make_index_sequence<Last>{});
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
