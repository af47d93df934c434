// model<Net>: a network's parameters and its forward pass, safe to share between threads.
//
// The memory plan is runtime/plan.hpp, the schedule runtime/schedule.hpp,
// workspaces and threads runtime/workspaces.hpp and runtime/thread_pool.hpp.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/diagnostics.hpp>
#include <typenet/init.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/network.hpp>
#include <typenet/runtime/plan.hpp>
#include <typenet/runtime/schedule.hpp>
#include <typenet/runtime/thread_pool.hpp>
#include <typenet/runtime/workspaces.hpp>
#include <typenet/summary.hpp>
#include <typenet/tensor.hpp>
#include <typenet/typenet.hpp>  // the built-in layers

#include <boost/hana/for_each.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace typenet {

/// Where a model keeps its parameters and workspace.
enum class storage {
  heap,            ///< allocated once, at construction; concurrent calls and batches on every core
  in_place,        ///< members of the model, no heap at all; at most in_place_limit_bytes, so it fits a stack
  in_place_large,  ///< the same without the size limit: for a model declared `static` or at namespace scope
};

/// The largest storage::in_place model: 1 MiB, an eighth of Linux's default
/// stack (and all of some platforms' thread stacks). Larger models are
/// storage::heap, or storage::in_place_large declared static.
inline constexpr std::size_t in_place_limit_bytes = std::size_t{1} << 20;

namespace error {
template <std::size_t V>
struct bytes {};
template <class Net, class Bytes, class Limit>
struct in_place_model_too_large_for_a_stack {
  static_assert(reported<Net>,
                "typenet: a model<Net, storage::in_place> keeps its parameters and workspace inside the object, and "
                "this one is larger than in_place_limit_bytes (both sizes are in the instantiation above): as a local "
                "variable it would overflow the stack. Fix: use storage::heap (the default), or declare it "
                "`static model<Net, storage::in_place_large> m;` (static or namespace scope: no stack, no heap).");
};
}  // namespace error

namespace detail {
inline std::string describe_size(std::size_t floats, shape s) {
  return std::to_string(floats) + " floats (" + (s.flat ? "a vector of " + to_string(s) : to_string(s) + ", HWC") + ")";
}
inline bool overlap(const float* a, std::size_t na, const float* b, std::size_t nb) {
  return na && nb && std::less<const float*>{}(a, b + nb) && std::less<const float*>{}(b, a + na);
}
}  // namespace detail

/// A network with its parameters: initialise, inspect, run forward.
///
/// Parameters live in one contiguous, 64-byte aligned block of exactly
/// param_count<Net> floats, layer after layer, each layer's tensors in the
/// order its `tensors` lists them (conv: weight F_h x F_w x C x K, then bias
/// K; dense: weight inputs x units, then bias units), followed by a few
/// zeroed floats of slack that kernels may read past a partial last vector.
///
/// Threads: every const member may be called from several threads at once
/// (each call takes a workspace of its own); initialize(), assignment and the
/// spans returned by parameters() / weights() must not race with a forward.
/// Forward passes never allocate while calls do not overlap.
///
/// Isa keys the model on the instruction set its translation unit is built
/// for (leave it defaulted): units built for different ISAs get different
/// model types, so one program can carry several (docs/runtime.md).
template <class Net, storage Where = storage::heap, class Isa = simd::isa_tag>
class model {
  using P = plan<Net>;
  static_assert(P::runnable);
  static constexpr std::size_t block_floats = P::f.params + P::f.buffers + simd::read_slack;
  static constexpr bool in_place = Where != storage::heap;

 public:
  using network = Net;
  static constexpr shape input_shape = P::f.input;
  static constexpr shape output_shape = P::f.output;
  using input_tensor = tensor<input_shape>;
  using output_tensor = tensor<output_shape>;
  /// Floats of the parameter block: the learned parameters (param_count<Net>) and the buffers
  /// (batch norm's running statistics) after each layer's parameters; what parameters() spans.
  static constexpr std::size_t param_count = P::f.params + P::f.buffers;
  static constexpr std::size_t workspace_floats = P::workspace_floats;
  /// The most threads one batch uses (and workspaces a model keeps), whatever the cores.
  static constexpr std::size_t max_threads = 256;

  /// The learned tensors of layer K, a position or a name (names, extents in storage order, layout, init).
  template <layer_key K>
  static constexpr auto tensors = [] {
    using B = bound_at<Net, position_of<Net, K>>;
    return contract::tensors<typename B::layer, B::input, B::output>();
  }();

  /// Extents of layer I's first tensor (its weight), padded with 1s to four:
  /// (F_h, F_w, C, K) for conv, (inputs, units, 1, 1) for dense; zeros for a layer without one.
  template <layer_key K>
  static constexpr std::array<std::size_t, 4> weight_shape = [] {
    if constexpr (tensors<K>.size() == 0) return std::array<std::size_t, 4>{};
    else return tensors<K>[0].dims;
  }();

  /// He-normal initialisation with seed 0.
  model() : model(he_normal{}) {}

  /// Parameters initialised by `init` (he_normal{seed} or glorot_uniform{seed}).
  template <class Init>
  explicit model(Init init) : model(no_init{}) {
    if constexpr (Where == storage::in_place && sizeof(model) > in_place_limit_bytes)
      error::raise<error::in_place_model_too_large_for_a_stack<Net, error::bytes<sizeof(model)>,
                                                               error::bytes<in_place_limit_bytes>>>();
    initialize(init);
  }

  /// A copy has the same parameters and workspaces of its own.
  model(const model& o) : model(no_init{}) {
    std::copy_n(o.checked_params(), block_floats, params_data());
  }
  model& operator=(const model& o) {
    if (this != &o) {
      if constexpr (in_place) {
        std::copy_n(o.checked_params(), block_floats, params_data());
      } else {
        model copy(o);
        swap(copy);
      }
    }
    return *this;
  }
  /// A heap model moves its blocks; the moved-from model is empty, and calling
  /// it throws std::logic_error until a model is assigned to it. An in-place
  /// model copies.
  model(model&& o) noexcept(!in_place) : model(no_init{}, std::move(o)) {}
  model& operator=(model&& o) noexcept(!in_place) {
    if (this != &o) {
      if constexpr (in_place) std::copy_n(o.params_data(), block_floats, params_data());
      else swap(o), o.release();
    }
    return *this;
  }
  ~model() = default;

  /// Re-initialises every tensor: weights from `init` with each tensor's own
  /// fan-in and fan-out, biases to 0.
  template <class Init>
  void initialize(Init init) {
    seeded_random random(init.seed);
    float* p = checked_params();
    boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
      using B = typename decltype(bound)::type;
      for (const param_tensor& t : contract::tensors<typename B::layer, B::input, B::output>()) {
        const std::size_t n = t.size();
        for (std::size_t i = 0; i < n; ++i) {
          if (t.init == init_rule::fan_scaled)
            p[i] = static_cast<float>(init.weight(random, static_cast<double>(t.fan_in), static_cast<double>(t.fan_out)));
          else
            p[i] = t.init == init_rule::ones ? 1.f : 0.f;
        }
        p += n;
      }
    });
  }

  /// All parameters, layer after layer.
  std::span<float> parameters() { return {checked_params(), param_count}; }
  std::span<const float> parameters() const { return {checked_params(), param_count}; }

  /// Tensor `name` ("weight", "bias") of layer K (a position or a layer's name); throws
  /// std::invalid_argument if it has none of that name.
  template <layer_key K>
  std::span<float> parameter(std::string_view name) {
    constexpr std::size_t I = position_of<Net, K>;
    float* p = checked_params() + param_offset<Net, I>;
    for (const param_tensor& t : tensors<I>) {
      if (t.name == name) return {p, t.size()};
      p += t.size();
    }
    throw std::invalid_argument("typenet: layer " + std::to_string(I) + " (" + std::string(P::f.layer[I].kind) +
                                ") has no tensor named \"" + std::string(name) + "\"");
  }
  /// Weights of layer K, a position or a name (shape weight_shape<K>, row-major): `m.weights<"conv1">()`.
  template <layer_key K>
  std::span<float> weights() {
    constexpr std::size_t I = position_of<Net, K>;
    return {checked_params() + param_offset<Net, I>, P::f.layer[I].weights};
  }
  /// Biases of layer K.
  template <layer_key K>
  std::span<float> biases() {
    constexpr std::size_t I = position_of<Net, K>;
    return {checked_params() + param_offset<Net, I> + P::f.layer[I].weights, P::f.layer[I].biases};
  }

  /// One sample: x (input_shape, HWC) -> y (output_shape). x and y may be the same tensor.
  void forward(const input_tensor& x, output_tensor& y) const { run_one(x.data(), y.data()); }

  output_tensor forward(const input_tensor& x) const {
    output_tensor y;
    forward(x, y);
    return y;
  }

  /// One sample from raw buffers; throws std::invalid_argument if a size is
  /// wrong. x and y may overlap (the input is copied first, then).
  void forward(std::span<const float> x, std::span<float> y) const {
    check_sizes(x.size(), y.size());
    run_one(x.data(), y.data());
  }

  /// A batch: x holds n samples one after the other, y receives n outputs.
  /// Runs on up to `threads` threads of the shared pool (0: every core; never
  /// more than the cores): a batch is split between them, and a batch of one
  /// sample divides its big layers (output rows of a convolution or pooling,
  /// blocks of a dense layer's units) between them. Results do not depend on
  /// the thread count, bit for bit. x and y must not overlap
  /// (std::invalid_argument). A storage::in_place model runs batches on the
  /// calling thread.
  void forward_batch(std::span<const float> x, std::span<float> y, std::size_t threads = 0) const {
    constexpr std::size_t in = input_shape.size(), out = output_shape.size();
    const std::size_t n = x.size() / in;
    if (x.size() % in != 0)
      throw std::invalid_argument("typenet: forward_batch: the input holds " + std::to_string(x.size()) +
                                  " floats, not a multiple of one sample's " + detail::describe_size(in, input_shape));
    if (y.size() != n * out)
      throw std::invalid_argument("typenet: forward_batch: " + std::to_string(n) + " samples need an output of " +
                                  std::to_string(n * out) + " floats, got " + std::to_string(y.size()));
    if (detail::overlap(x.data(), x.size(), y.data(), y.size()))
      throw std::invalid_argument("typenet: forward_batch: the input and the output overlap; a batch writes outputs "
                                  "while later samples' inputs are still to be read. Give it separate buffers.");
    const float* params = checked_params();
    if (n == 0) return;
    if (n == 1) {  // the single-sample kernels (a one-row batch kernel is slower)
      if constexpr (!in_place && P::divides)
        if (threads != 1) return run_divided(x.data(), y.data(), threads);
      return run_one(x.data(), y.data());
    }
    if constexpr (in_place) {
      std::lock_guard<std::mutex> g(mutex_);
      runtime::forward_range<Net>(params, x.data(), y.data(), 0, n, 1, workspace_.data());
    } else {
      runtime::thread_pool& pool = runtime::thread_pool::shared();
      threads = std::min({threads == 0 ? pool.size() : threads, pool.size(), n, max_threads});
      // One workspace for sure, more if free (or allocatable, up to one per core): never waits holding some.
      const runtime::workspace_leases<max_threads> leases(*workspaces_, threads);
      const std::size_t parts = leases.size();
      pool.run(parts, [&](std::size_t t) {
        runtime::forward_range<Net>(params, x.data(), y.data(), n * t / parts, n * (t + 1) / parts, P::micro_batch,
                                    leases[t]);
      });
    }
  }

  /// Workspaces this model has allocated (heap models: one at first, at most one per core).
  std::size_t workspace_count() const {
    if constexpr (in_place) return 1;
    else return workspaces_ ? workspaces_->allocated() : 0;
  }

 private:
  struct no_init {};
  /// The blocks, allocated (heap) but not initialised.
  explicit model(no_init) {
    if constexpr (!in_place) {
      params_ = runtime::aligned_floats(block_floats);
      workspaces_ = std::make_unique<runtime::workspace_pool>(P::batch_workspace_floats,
                                                              std::min(runtime::thread_pool::cores(), max_threads));
    }
  }
  model(no_init, model&& o) {
    if constexpr (in_place) {
      std::copy_n(o.params_data(), block_floats, params_data());
    } else {
      swap(o);
    }
  }

  void swap(model& o) noexcept {
    std::swap(params_, o.params_);
    std::swap(workspaces_, o.workspaces_);
  }
  void release() {
    params_ = {};
    workspaces_.reset();
  }

  void run_one(const float* x, float* y) const {
    const float* params = checked_params();
    const bool alias = detail::overlap(x, input_shape.size(), y, output_shape.size());
    if constexpr (in_place) {
      std::lock_guard<std::mutex> g(mutex_);
      runtime::forward_samples<Net, false>(params, x, y, 1, workspace_.data(), alias);
    } else {
      runtime::workspace_lease ws(*workspaces_);
      runtime::forward_samples<Net, false>(params, x, y, 1, ws.get(), alias);
    }
  }

  /// One sample on up to `threads` threads (0: every core), which divide its big layers
  /// (plan<Net>::divided) between them; bit-identical to run_one. x and y do not overlap.
  void run_divided(const float* x, float* y, std::size_t threads) const {
    const float* params = checked_params();
    runtime::thread_pool& pool = runtime::thread_pool::shared();
    threads = std::min({threads == 0 ? pool.size() : threads, pool.size(), max_threads});
    const runtime::workspace_leases<max_threads> leases(*workspaces_, threads);
    runtime::spin_barrier barrier(leases.size());
    pool.team(leases.size(), [&](std::size_t t, std::size_t parts) {
      if (parts == 1)  // the pool was busy: this thread alone
        runtime::forward_samples<Net, false>(params, x, y, 1, leases[0]);
      else
        runtime::forward_part<Net>(params, x, y, leases[0], leases[t] + P::buffers * P::activation_floats, t,
                                   parts, barrier);
    });
  }

  void check_sizes(std::size_t x, std::size_t y) const {
    if (x != input_shape.size())
      throw std::invalid_argument("typenet: forward: the input holds " + std::to_string(x) + " floats; the network takes " +
                                  detail::describe_size(input_shape.size(), input_shape));
    if (y != output_shape.size())
      throw std::invalid_argument("typenet: forward: the output holds " + std::to_string(y) + " floats; the network gives " +
                                  detail::describe_size(output_shape.size(), output_shape));
  }

  float* params_data() { return const_cast<float*>(std::as_const(*this).params_data()); }
  const float* params_data() const { return params_.data(); }
  /// The parameters, or a clear error on a moved-from model.
  float* checked_params() { return const_cast<float*>(std::as_const(*this).checked_params()); }
  const float* checked_params() const {
    const float* p = params_data();
    if (!p)
      throw std::logic_error("typenet: this model was moved from and holds no parameters; assign a model to it "
                             "before using it");
    return p;
  }

  using params_type = std::conditional_t<in_place, std::array<float, block_floats>, runtime::aligned_floats>;
  alignas(64) params_type params_{};
  std::unique_ptr<runtime::workspace_pool> workspaces_;  // heap models
  alignas(64) mutable std::conditional_t<in_place, std::array<float, P::workspace_floats>, std::array<float, 0>>
      workspace_{};
  mutable std::mutex mutex_;  // in-place models: one call at a time on the one workspace
};

}  // namespace typenet
