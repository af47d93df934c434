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
  float* gradient(int which) { return ws + P::activations_floats + which * P::gradient_floats; }
  float* scratch() { return ws + P::activations_floats + 2 * P::gradient_floats; }
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

/// Every layer forward on a slice, each output kept in its block.
template <class Net>
void forward_slice(const float* params, slice_buffers<Net>& buf, std::size_t samples) {
  using P = train_plan<Net>;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          if constexpr (P::block_of[I + 1] != P::block_of[I])
            forward_layer<Net, I>(params, buf.read(P::block_of[I]), buf.write(P::block_of[I + 1]), samples,
                                  buf.scratch());
        }(),
        ...);
  }(std::make_index_sequence<P::layers>{});
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

/// Backward through layers [0, Last) of a slice whose forward pass is in buf,
/// from the gradient of layer Last-1's output in buf.gradient(0); adds the
/// parameter gradients to grad_params.
template <class Net, std::size_t Last>
void backward_slice(const float* params, slice_buffers<Net>& buf, float* grad_params, std::size_t samples) {
  using P = train_plan<Net>;
  int which = 0;
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    (
        [&] {
          constexpr std::size_t I = Last - 1 - R;
          if constexpr (P::block_of[I + 1] != P::block_of[I]) {
            float* grad_in = I == P::first_run ? nullptr : buf.gradient(which ^ 1);
            backward_layer<Net, I>(params, buf.read(P::block_of[I]), buf.read(P::block_of[I + 1]),
                                   buf.gradient(which), grad_in, grad_params, samples, buf.scratch());
            which ^= 1;
          }
        }(),
        ...);
  }(std::make_index_sequence<Last>{});
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
