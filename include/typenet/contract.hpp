// The layer contract: what a layer kind provides to run (forward, kernels, parameter tensors, fusion), checked.
//
// A layer kind is one type in one file (layers/conv.hpp is the model). Its
// compile-time half (kind, check, facts, describe) is in layer.hpp; this is
// the run-time half. The model, the reference and the memory plan use only
// these hooks, never the layer's type or kind string. docs/layers.md shows a
// complete layer defined outside the library.
//
// Required:
//   template <shape In, shape Out, class T>
//   static constexpr void forward(const T* params, const T* in, T* out);
//       the definition, in any number type (double in the tests, float when
//       there is no kernel); or, for a layer that only relabels its input
//       (input, flatten), `static constexpr bool passes_through = true;`
//   template <shape In, shape Out>
//   static constexpr std::array<param_tensor, N> tensors;
//       its learned tensors, in storage order, if it has any parameters.
// Optional:
//   template <shape In, shape Out, class Act>
//   static void kernel(const float* params, const float* in, float* out, float* scratch, Act act);
//       the fast float path; the model runs forward<float> otherwise. `act`
//       is the epilogue to apply before storing (kernels::identity unless
//       takes_epilogue); its type carries the ISA, so the hook is
//       instantiated once per ISA a program is built for.
//   template <shape In, shape Out, class Act>
//   static void kernel_batch(const float* params, const float* in, std::size_t in_stride, float* out,
//                            std::size_t out_stride, std::size_t samples, float* scratch, Act act);
//       several samples at once (a batch gains from it: dense).
//   template <shape In, shape Out, class Act>
//   static void kernel_part(const float* params, const float* in, float* out, float* scratch, Act act,
//                           std::size_t part, std::size_t parts);
//       part `part` of `parts` of kernel's work on one sample (output rows,
//       blocks of units; share() divides them): together the parts write what
//       kernel writes, bit for bit, and they may run at once on separate
//       threads, each with a scratch of its own. One sample on several
//       threads divides such a layer when it is big enough (conv, pooling,
//       dense); it runs any other layer on one thread.
//   template <shape In, shape Out> static constexpr std::size_t scratch_floats;
//       scratch its kernel needs (default 0).
//   static constexpr bool takes_epilogue = true;
//       its kernel applies an elementwise function before it stores.
//   static constexpr auto fusion = f;
//       this layer is the elementwise function f (callable on float and on
//       simd::vec) and may be fused into a kernel that takes an epilogue.
//   static constexpr bool takes_channel_epilogue = true;
//       its kernel also applies a per-channel epilogue (kernels::channel_affine,
//       through kernels::apply and kernels::from_channel): conv.
//   static constexpr bool folds = true;
//   template <shape In> static void fold(const float* params, float* scale, float* shift);
//       at inference this layer is y = x * scale[c] + shift[c] per channel, and
//       may be folded into a kernel that takes a channel epilogue (batch_norm
//       after a conv); scale and shift get In.depth floats (and read slack).
// Training (required of every layer of a network that is trained, except one
// that passes_through, whose gradient passes through too):
//   template <shape In, shape Out, class T>
//   static constexpr void backward(const T* params, const T* in, const T* out, const T* grad_out,
//                                  T* grad_in, T* grad_params);
//       the derivative, in any number type: writes dL/din to grad_in (unless
//       it is null: the first layer's is never needed) and adds dL/dparams
//       to grad_params, which has the parameters' layout (a batch sums).
//   template <shape In, shape Out, class Isa>
//   static void backward_kernel(const float* params, const float* in, const float* out,
//                               const float* grad_out, float* grad_in, float* grad_params,
//                               std::size_t samples, float* scratch, Isa);
//       the fast float path on `samples` samples stored back to back (in,
//       out, grad_out, grad_in each In.size() or Out.size() apart; each block
//       may be read, never written, up to simd::read_slack floats past its
//       end). Isa is simd::isa_tag, so it is instantiated once per ISA.
//   template <shape In, shape Out> static constexpr std::size_t backward_scratch_floats;
//       scratch its backward_kernel needs (default 0).
// Training mode (a layer that computes differently while it is trained: batch_norm, dropout):
//   template <shape In, shape Out, class T>
//   static void train_forward(const T* params, const T* in, T* out, std::size_t samples,
//                             const training_context& c);
//   template <shape In, shape Out, class T>
//   static void train_backward(const T* params, const T* in, const T* out, const T* grad_out,
//                              T* grad_in, T* grad_params, std::size_t samples, const training_context& c);
//       used in training instead of forward and backward, on `samples` samples back to back (a
//       slice of the batch, whose place in the batch c gives). forward stays the inference.
//   A layer that normalizes over the whole batch (batch_norm) also gathers statistics: the
//   trainer stops every slice at the layer, adds up what each slice gathered, in slice order,
//   and hands the layer the batch's totals in c.statistics (going forward) and
//   c.gradient_statistics (going back):
//   template <shape In, shape Out> static constexpr std::size_t statistics, gradient_statistics;
//       how many doubles each gathers;
//   template <shape In, shape Out, class T>
//   static void gather(const T* params, const T* in, std::size_t samples, double* stats);
//   template <shape In, shape Out, class T>
//   static void gather_gradient(const T* params, const T* in, const T* grad_out, std::size_t samples,
//                               const training_context& c, double* stats);
//       add a slice's share to stats;
//   template <shape In, shape Out, class T>
//   static void update_buffers(T* params, const training_context& c);
//       after the optimizer's step, from the batch's totals (running averages).
#pragma once

#include <typenet/diagnostics.hpp>
#include <typenet/shape.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace typenet {

/// How a parameter tensor starts out.
enum class init_rule {
  fan_scaled,  ///< drawn by the initializer (He, Glorot) from the tensor's fan-in and fan-out
  zeros,
  ones,
};

/// One learned tensor of a layer: its name ("weight", "bias"), its extents in
/// storage order (row-major, the last extent fastest) and what they mean
/// (`layout`, one letter per extent, e.g. "HWIO"), how it is initialised, and
/// the order PyTorch keeps it in (`torch_layout`, the same letters reordered,
/// e.g. "OIHW"; empty: the same as `layout`). Weight files (io/weights.hpp)
/// are written and read in torch_layout; a letter 'I' whose extent is a whole
/// flattened volume is PyTorch's C, H, W order of that volume.
struct param_tensor {
  std::string_view name;
  std::array<std::size_t, 4> dims{1, 1, 1, 1};
  std::size_t rank = 1;
  std::string_view layout;
  init_rule init = init_rule::zeros;
  std::size_t fan_in = 0;
  std::size_t fan_out = 0;
  std::string_view torch_layout{};
  bool learned = true;  ///< false: a buffer (running statistics), counted in facts' buffers, not params

  constexpr std::size_t size() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
};

/// A weight tensor initialised from its fans, with PyTorch's order of its extents:
/// `weight_tensor({KH, KW, C, K}, 4, "HWIO", fan_in, fan_out, "OIHW")`.
constexpr param_tensor weight_tensor(std::array<std::size_t, 4> dims, std::size_t rank, std::string_view layout,
                                     std::size_t fan_in, std::size_t fan_out, std::string_view torch_layout = {}) {
  return {"weight", dims, rank, layout, init_rule::fan_scaled, fan_in, fan_out, torch_layout};
}
/// A vector of n running statistics (batch norm's running_mean, running_var): stored with the
/// parameters, in weight files, never learned.
constexpr param_tensor buffer_tensor(std::string_view name, std::size_t n, init_rule init) {
  return {name, {n, 1, 1, 1}, 1, "O", init, 0, 0, {}, false};
}
/// A bias vector of n values, initialised to 0.
constexpr param_tensor bias_tensor(std::size_t n) { return {"bias", {n, 1, 1, 1}, 1, "O", init_rule::zeros, 0, 0}; }

/// N zeros and read slack (16 floats, simd::read_slack): what a layer without a bias (no_bias)
/// hands its kernel as the biases, so that one kernel serves both.
template <class T, std::size_t N>
inline constexpr T zero_biases[N + 16] = {};

/// Where the N biases of a layer with `weights` weights are: after them, or zero_biases (no_bias).
template <bool HasBias, std::size_t N, class T>
constexpr const T* biases_after(const T* params, std::size_t weights) {
  if constexpr (HasBias) return params + weights;
  else return zero_biases<T, N>;
}
/// Where their gradients go: after the weights' gradients, or nowhere (null, no_bias).
template <bool HasBias, class T>
constexpr T* bias_gradients_after(T* grad_params, std::size_t weights) {
  if constexpr (HasBias) return grad_params + weights;
  else return nullptr;
}

/// What a layer's training-mode hooks are told (train_forward, train_backward, gather_gradient,
/// update_buffers): where the slice is in the batch, the noise's seed, and the batch's totals of
/// what the layer gathered.
struct training_context {
  std::size_t batch = 1;   ///< samples in the whole batch
  std::size_t first = 0;   ///< the batch index of the slice's first sample
  std::uint64_t seed = 0;  ///< the trainer's seed (trainer_options::seed)
  std::uint64_t step = 0;  ///< the step's number, from 0: with the seed, it draws dropout's masks
  const double* statistics = nullptr;           ///< the batch's totals of what gather added
  const double* gradient_statistics = nullptr;  ///< the batch's totals of what gather_gradient added
};

namespace contract {

template <class L>
concept passes_through = requires {
  requires L::passes_through;
};

/// A join layer (add, concat: layers/join.hpp) reads several inputs; its hooks are the
/// library's own and take arrays of shapes and pointers.
template <class L>
concept joins = requires {
  requires L::joins;
};

template <class L, shape In, shape Out>
concept has_forward = requires(const double* p, const double* x, double* y) {
  L::template forward<In, Out, double>(p, x, y);
};

template <class L, shape In, shape Out>
concept has_backward = requires(const double* p, const double* x, double* g) {
  L::template backward<In, Out, double>(p, x, x, x, g, g);
};

template <class L, shape In, shape Out, class Isa>
concept has_backward_kernel = requires(const float* p, const float* x, float* g, std::size_t n, Isa isa) {
  L::template backward_kernel<In, Out>(p, x, x, x, g, g, n, g, isa);
};

/// L computes differently in training (train_forward and train_backward replace forward and backward).
template <class L, shape In, shape Out>
concept trains_differently = requires(const double* p, const double* x, double* g, std::size_t n,
                                      const training_context& c) {
  L::template train_forward<In, Out, double>(p, x, g, n, c);
  L::template train_backward<In, Out, double>(p, x, x, x, g, g, n, c);
};

/// L, in training, normalizes over the whole batch: the trainer gathers its statistics across slices.
template <class L, shape In, shape Out>
concept gathers = trains_differently<L, In, Out> &&
                  requires(const double* p, const double* x, float* pf, std::size_t n, const training_context& c,
                           double* s) {
                    { L::template statistics<In, Out> } -> std::convertible_to<std::size_t>;
                    { L::template gradient_statistics<In, Out> } -> std::convertible_to<std::size_t>;
                    L::template gather<In, Out, double>(p, x, n, s);
                    L::template gather_gradient<In, Out, double>(p, x, x, n, c, s);
                    L::template update_buffers<In, Out, float>(pf, c);
                  };

/// Scratch floats L's backward_kernel needs on In -> Out.
template <class L, shape In, shape Out>
constexpr std::size_t backward_scratch_floats() {
  if constexpr (requires { L::template backward_scratch_floats<In, Out>; })
    return L::template backward_scratch_floats<In, Out>;
  else
    return 0;
}

template <class L>
concept takes_epilogue = requires {
  requires L::takes_epilogue;
};

template <class L>
concept fusable = requires { L::fusion; };

template <class L>
concept takes_channel_epilogue = requires { requires L::takes_channel_epilogue; };

template <class L, shape In>
concept folds = requires(const float* p, float* s) {
  requires L::folds;
  L::template fold<In>(p, s, s);
};

template <class L, shape In, shape Out>
concept has_tensors = requires { L::template tensors<In, Out>.size(); };

template <class L, shape In, shape Out, class Act>
concept has_kernel = requires(const float* p, const float* x, float* y, float* s, Act a) {
  L::template kernel<In, Out>(p, x, y, s, a);
};

template <class L, shape In, shape Out, class Act>
concept has_kernel_batch = requires(const float* p, const float* x, std::size_t n, float* y, float* s, Act a) {
  L::template kernel_batch<In, Out>(p, x, n, y, n, n, s, a);
};

template <class L, shape In, shape Out, class Act>
concept has_kernel_part = requires(const float* p, const float* x, float* y, float* s, Act a, std::size_t n) {
  L::template kernel_part<In, Out>(p, x, y, s, a, n, n);
};

/// Scratch floats L's kernel needs on In -> Out.
template <class L, shape In, shape Out>
constexpr std::size_t scratch_floats() {
  if constexpr (requires { L::template scratch_floats<In, Out>; })
    return L::template scratch_floats<In, Out>;
  else
    return 0;
}

/// L's parameter tensors on In -> Out (none if it declares none).
template <class L, shape In, shape Out>
constexpr auto tensors() {
  if constexpr (has_tensors<L, In, Out>)
    return L::template tensors<In, Out>;
  else
    return std::array<param_tensor, 0>{};
}

template <class L, shape In, shape Out>
constexpr std::size_t tensor_total() {
  std::size_t n = 0;
  for (const param_tensor& t : tensors<L, In, Out>()) n += t.size();
  return n;
}

}  // namespace contract

namespace error {

template <class At>
struct layer_has_no_forward {
  static_assert(reported<At>,
                "typenet: this layer kind has no run-time behaviour (the layer is in the instantiation above): "
                "it must provide `template <shape In, shape Out, class T> static constexpr void forward(const T* "
                "params, const T* in, T* out)`, or `static constexpr bool passes_through = true;` if its output is "
                "its input unchanged. See docs/layers.md.");
};

template <class At, class ParamCount, class TensorTotal>
struct parameter_tensors_do_not_add_up {
  static_assert(reported<At>,
                "typenet: this layer's parameter tensors (its `tensors<In, Out>`) do not add up to its parameter "
                "count (its facts' weights + biases); both numbers are in the instantiation above. Fix: declare "
                "every learned tensor, with its extents. See docs/layers.md.");
};

template <class At>
struct layer_has_no_backward {
  static_assert(reported<At>,
                "typenet: this layer kind cannot be trained: it has no backward pass (the layer is in the "
                "instantiation above). To train a network holding it, the layer must provide `template <shape In, "
                "shape Out, class T> static constexpr void backward(const T* params, const T* in, const T* out, "
                "const T* grad_out, T* grad_in, T* grad_params)`. See docs/layers.md and docs/training.md.");
};

template <std::size_t V>
struct param_count {};
template <std::size_t V>
struct tensor_total {};

}  // namespace error

namespace contract {

/// Checks that the layer bound as B (a detail::bound) meets the run-time
/// contract; reports the first gap as a diagnostic. True if it does.
template <class B>
constexpr bool check() {
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  using At = error::at_layer<B::position, L>;
  if constexpr (joins<L>) {
    return true;
  } else if constexpr (!passes_through<L> && !has_forward<L, In, Out>) {
    error::raise<error::layer_has_no_forward<At>>();
    return false;
  } else if constexpr (tensor_total<L, In, Out>() != B::facts.params + B::facts.buffers) {
    error::raise<error::parameter_tensors_do_not_add_up<At, error::param_count<B::facts.params + B::facts.buffers>,
                                                        error::tensor_total<tensor_total<L, In, Out>()>>>();
    return false;
  } else {
    return true;
  }
}

/// Checks that the layer bound as B can be trained (it has a backward pass or
/// passes its input through); reports the gap as a diagnostic. True if it can.
template <class B>
constexpr bool check_trainable() {
  using L = typename B::layer;
  if constexpr (!joins<L> && !passes_through<L> && !has_backward<L, B::input, B::output> &&
                !trains_differently<L, B::input, B::output>) {
    error::raise<error::layer_has_no_backward<error::at_layer<B::position, L>>>();
    return false;
  } else {
    return true;
  }
}

}  // namespace contract
}  // namespace typenet
