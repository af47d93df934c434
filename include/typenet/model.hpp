// model<Net>: the parameters of a network and its forward pass, with memory planned at compile time.
#pragma once

#include <typenet/init.hpp>
#include <typenet/kernels/activation.hpp>
#include <typenet/kernels/conv.hpp>
#include <typenet/kernels/dense.hpp>
#include <typenet/kernels/pool.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/network.hpp>
#include <typenet/summary.hpp>
#include <typenet/tensor.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace typenet {

/// What the forward pass does with each layer.
enum class step {
  skip,   ///< input and flatten: the values are already where and how they should be
  run,    ///< a kernel call
  fused,  ///< relu / leaky_relu applied by the conv or dense kernel before it
};

/// Where a model keeps its parameters and workspace.
enum class storage {
  heap,      ///< allocated once, at construction; batches run on several threads
  in_place,  ///< members of the model: declare it static for a program with no heap at all
};

/// The memory plan and schedule of Net, all compile-time constants.
template <class Net>
struct plan {
  static constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: a model needs a network that passed its checks");
  static constexpr std::size_t layers = f.layer_count;

  static constexpr std::array<step, layers> steps = [] {
    std::array<step, layers> s{};
    for (std::size_t i = 0; i < layers; ++i) {
      const std::string_view kind = f.layer[i].kind;
      const bool after_kernel = i > 0 && s[i - 1] == step::run &&
                                (f.layer[i - 1].kind == "conv" || f.layer[i - 1].kind == "dense");
      if (kind == "input" || kind == "flatten")
        s[i] = step::skip;
      else if ((kind == "relu" || kind == "leaky_relu") && after_kernel)
        s[i] = step::fused;
      else
        s[i] = step::run;
    }
    return s;
  }();

  /// The last layer that runs a kernel: it writes straight into the caller's output.
  static constexpr std::size_t last_run = [] {
    std::size_t last = layers;
    for (std::size_t i = 0; i < layers; ++i)
      if (steps[i] == step::run) last = i;
    return last;
  }();

  static constexpr std::size_t round_up(std::size_t n) { return (n + 15) / 16 * 16; }

  /// Each of the two ping-pong activation buffers (floats, a multiple of 16).
  static constexpr std::size_t activation_floats = round_up(f.largest_activation);
  /// The largest zero-padded input copy a convolution needs.
  static constexpr std::size_t scratch_floats = boost::hana::unpack(bound_layers<Net>, [](auto... b) {
    auto one = [](auto bound) -> std::size_t {
      using B = typename decltype(bound)::type;
      if constexpr (is_conv<typename B::layer>)
        return kernels::conv_plan<typename B::layer, B::input, B::output>::scratch_floats;
      else
        return 0;
    };
    return round_up(std::max({std::size_t{0}, one(b)...}));
  });
  /// Floats of workspace one forward pass needs: two activation buffers and the scratch.
  static constexpr std::size_t workspace_floats = 2 * activation_floats + scratch_floats;

  /// Samples a batch runs through each layer together, so that a dense layer
  /// loads each weight once per group: up to 8, while the group's activations
  /// stay within about 2 MiB; 1 for networks without a dense layer.
  static constexpr std::size_t micro_batch = [] {
    bool has_dense = false;
    for (const layer_facts& l : f.layer) has_dense = has_dense || l.kind == "dense";
    if (!has_dense) return std::size_t{1};
    return std::clamp<std::size_t>((std::size_t{2} << 20) / (2 * activation_floats * sizeof(float)), 1, 8);
  }();
  /// Floats of workspace a batch needs per thread.
  static constexpr std::size_t batch_workspace_floats = 2 * micro_batch * activation_floats + scratch_floats;
};

/// Floats of workspace a forward pass of Net needs, for static_assert against a budget.
template <class Net>
inline constexpr std::size_t workspace_floats = plan<Net>::workspace_floats;
/// Bytes of workspace a forward pass of Net needs.
template <class Net>
inline constexpr std::size_t workspace_bytes = workspace_floats<Net> * sizeof(float);

namespace detail {

/// A 64-byte aligned float array, allocated once.
class aligned_floats {
 public:
  aligned_floats() = default;
  explicit aligned_floats(std::size_t n)
      : data_(n ? static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t{64})) : nullptr), size_(n) {
    std::fill_n(data_, n, 0.f);
  }
  aligned_floats(aligned_floats&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  aligned_floats& operator=(aligned_floats&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~aligned_floats() {
    if (data_) ::operator delete[](data_, std::align_val_t{64});
  }
  float* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  float* data_ = nullptr;
  std::size_t size_ = 0;
};

template <class Net, std::size_t I>
using bound_at = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(bound_layers<Net>))>::type;

/// Layer I of Net on `samples` samples (sample s at in + s * in_stride, out +
/// s * out_stride), with the activation of layer I + 1 fused in when the plan
/// says so. In a batch (Batch), dense layers take the samples together, in
/// an order of summation that does not depend on how many there are, so
/// results do not depend on the thread count; the other layers go one by one.
template <class Net, std::size_t I, bool Batch>
void run_layer(const float* params, const float* in, std::size_t in_stride, float* out, std::size_t out_stride,
               std::size_t samples, float* scratch) {
  using B = bound_at<Net, I>;
  using L = typename B::layer;
  constexpr shape In = B::input, Out = B::output;
  const float* p = params + param_offset<Net, I>;
  if constexpr (is_conv<L> || is_dense<L>) {
    constexpr bool fuses = I + 1 < plan<Net>::layers && plan<Net>::steps[I + 1 < plan<Net>::layers ? I + 1 : I] == step::fused;
    auto call = [&](auto act) {
      if constexpr (is_conv<L>) {
        for (std::size_t s = 0; s < samples; ++s)
          kernels::conv<L, In, Out>(in + s * in_stride, p, p + B::facts.weights, out + s * out_stride, scratch, act);
      } else if constexpr (!Batch) {
        kernels::dense<In.size(), Out.size()>(in, p, p + B::facts.weights, out, act);
      } else {
        kernels::dense_batch<In.size(), Out.size()>(in, in_stride, p, p + B::facts.weights, out, out_stride, samples,
                                                    act);
      }
    };
    if constexpr (!fuses) {
      call(kernels::epilogue<kernels::fused::none>{});
    } else {
      using Next = typename bound_at<Net, I + 1>::layer;
      if constexpr (is_leaky_relu<Next>)
        call(kernels::epilogue<kernels::fused::leaky_relu>{static_cast<float>(Next::negative_slope)});
      else
        call(kernels::epilogue<kernels::fused::relu>{});
    }
  } else {
    for (std::size_t s = 0; s < samples; ++s) {
      if constexpr (is_pool<L>)
        kernels::pool<L, In, Out>(in + s * in_stride, out + s * out_stride);
      else
        kernels::activation<L, Out>(in + s * in_stride, out + s * out_stride);
    }
  }
}

/// `samples` samples (at most plan<Net>::micro_batch, or 1 with a single-sample
/// workspace) through every layer; x and y are the caller's, back to back; ws
/// holds two buffers of `samples` activations and the scratch.
template <class Net, bool Batch>
void forward_samples(const float* params, const float* x, float* y, std::size_t samples, float* ws) {
  using P = plan<Net>;
  constexpr std::size_t in_size = P::f.input.size(), out_size = P::f.output.size(), act = P::activation_floats;
  const float* current = x;
  std::size_t stride = in_size;
  float* buffers[2] = {ws, ws + samples * act};
  float* scratch = ws + 2 * samples * act;
  int which = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          if constexpr (P::steps[I] == step::run) {
            float* dst = I == P::last_run ? y : buffers[which];
            const std::size_t dst_stride = I == P::last_run ? out_size : act;
            run_layer<Net, I, Batch>(params, current, stride, dst, dst_stride, samples, scratch);
            current = dst;
            stride = dst_stride;
            which ^= 1;
          }
        }(),
        ...);
  }(std::make_index_sequence<P::layers>{});
  if (current != y)
    for (std::size_t s = 0; s < samples; ++s) std::copy(current + s * stride, current + s * stride + out_size, y + s * out_size);
}

/// Samples [first, last) of a batch, in groups of `group`.
template <class Net>
void forward_range(const float* params, const float* x, float* y, std::size_t first, std::size_t last,
                   std::size_t group, float* ws) {
  constexpr std::size_t in = plan<Net>::f.input.size(), out = plan<Net>::f.output.size();
  for (std::size_t s = first; s < last; s += group)
    forward_samples<Net, true>(params, x + s * in, y + s * out, std::min(group, last - s), ws);
}

inline std::string describe_size(std::size_t floats, shape s) {
  return std::to_string(floats) + " floats (" + (s.flat ? "a vector of " + to_string(s) : to_string(s) + ", HWC") + ")";
}

}  // namespace detail

/// A network with its parameters: initialise, inspect, run forward.
///
/// Parameters live in one contiguous, 64-byte aligned block of exactly
/// param_count<Net> floats, layer after layer (conv: F_h x F_w x C x K weights
/// then K biases; dense: inputs x units weights then units biases), followed
/// by a few zeroed floats of slack that kernels may read past a partial last
/// vector. Forward passes never allocate.
template <class Net, storage Where = storage::heap>
class model {
  using P = plan<Net>;
  static constexpr std::size_t block_floats = P::f.params + simd::read_slack;

 public:
  using network = Net;
  static constexpr shape input_shape = P::f.input;
  static constexpr shape output_shape = P::f.output;
  using input_tensor = tensor<input_shape>;
  using output_tensor = tensor<output_shape>;
  static constexpr std::size_t param_count = P::f.params;
  static constexpr std::size_t workspace_floats = P::workspace_floats;

  /// Weights of layer I: (F_h, F_w, C, K) for conv, (inputs, units, 1, 1) for dense, zeros otherwise.
  template <std::size_t I>
  static constexpr std::array<std::size_t, 4> weight_shape = [] {
    using B = detail::bound_at<Net, I>;
    using L = typename B::layer;
    if constexpr (is_conv<L>)
      return std::array<std::size_t, 4>{L::window_size.height, L::window_size.width, B::input.depth, B::output.depth};
    else if constexpr (is_dense<L>)
      return std::array<std::size_t, 4>{B::input.size(), B::output.size(), 1, 1};
    else
      return std::array<std::size_t, 4>{};
  }();

  /// He-normal initialisation with seed 0.
  model() : model(he_normal{}) {}

  /// Parameters initialised by `init` (he_normal{seed} or glorot_uniform{seed}).
  template <class Init>
  explicit model(Init init) {
    if constexpr (Where == storage::heap) {
      params_ = detail::aligned_floats(block_floats);
      reserve_workspaces(1);
    }
    initialize(init);
  }

  /// Re-initialises every weight from `init`'s seed; biases become 0.
  template <class Init>
  void initialize(Init init) {
    seeded_random random(init.seed);
    float* p = params_data();
    for (const layer_facts& l : P::f.layer) {
      if (l.params == 0) continue;
      const double fan_in = static_cast<double>(l.weights / l.biases);
      const double fan_out = static_cast<double>(l.weights / (l.kind == "conv" ? l.input.depth : l.input.size()));
      for (std::size_t i = 0; i < l.weights; ++i) p[i] = static_cast<float>(init.weight(random, fan_in, fan_out));
      std::fill_n(p + l.weights, l.biases, 0.f);
      p += l.params;
    }
  }

  /// All parameters, layer after layer.
  std::span<float> parameters() { return {params_data(), param_count}; }
  std::span<const float> parameters() const { return {params_data(), param_count}; }

  /// Weights of layer I (shape weight_shape<I>, row-major).
  template <std::size_t I>
  std::span<float> weights() {
    return {params_data() + param_offset<Net, I>, P::f.layer[I].weights};
  }
  /// Biases of layer I.
  template <std::size_t I>
  std::span<float> biases() {
    return {params_data() + param_offset<Net, I> + P::f.layer[I].weights, P::f.layer[I].biases};
  }

  /// One sample: x (input_shape, HWC) -> y (output_shape). Never allocates.
  void forward(const input_tensor& x, output_tensor& y) {
    detail::forward_samples<Net, false>(params_data(), x.data(), y.data(), 1, single_workspace());
  }

  output_tensor forward(const input_tensor& x) {
    output_tensor y;
    forward(x, y);
    return y;
  }

  /// One sample from raw buffers; throws std::invalid_argument if a size is wrong.
  void forward(std::span<const float> x, std::span<float> y) {
    check_sizes(x.size(), y.size());
    detail::forward_samples<Net, false>(params_data(), x.data(), y.data(), 1, single_workspace());
  }

  /// A batch: x holds n samples one after the other, y receives n outputs.
  /// Runs on `threads` threads (0: every core); results do not depend on it.
  /// A storage::in_place model runs batches on the calling thread.
  void forward_batch(std::span<const float> x, std::span<float> y, std::size_t threads = 0) {
    constexpr std::size_t in = input_shape.size(), out = output_shape.size();
    const std::size_t n = x.size() / in;
    if (x.size() % in != 0)
      throw std::invalid_argument("typenet: forward_batch: the input holds " + std::to_string(x.size()) +
                                  " floats, not a multiple of one sample's " + detail::describe_size(in, input_shape));
    if (y.size() != n * out)
      throw std::invalid_argument("typenet: forward_batch: " + std::to_string(n) + " samples need an output of " +
                                  std::to_string(n * out) + " floats, got " + std::to_string(y.size()));
    if (n == 0) return;
    if (n == 1) {  // one sample: the single-sample kernels (a one-row batched dense layer is slower)
      detail::forward_samples<Net, false>(params_data(), x.data(), y.data(), 1, single_workspace());
      return;
    }
    if constexpr (Where == storage::in_place) {
      detail::forward_range<Net>(params_data(), x.data(), y.data(), 0, n, 1, workspace_.data());
    } else {
      if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
      threads = std::min(threads, n);
      reserve_workspaces(threads);
      auto range = [&](std::size_t t) {
        detail::forward_range<Net>(params_data(), x.data(), y.data(), n * t / threads, n * (t + 1) / threads,
                                   P::micro_batch, workspaces_.data() + t * P::batch_workspace_floats);
      };
      if (threads == 1) return range(0);
      std::vector<std::thread> pool;
      pool.reserve(threads - 1);
      for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(range, t);
      range(0);
      for (std::thread& th : pool) th.join();
    }
  }

 private:
  void check_sizes(std::size_t x, std::size_t y) const {
    if (x != input_shape.size())
      throw std::invalid_argument("typenet: forward: the input holds " + std::to_string(x) + " floats; the network takes " +
                                  detail::describe_size(input_shape.size(), input_shape));
    if (y != output_shape.size())
      throw std::invalid_argument("typenet: forward: the output holds " + std::to_string(y) + " floats; the network gives " +
                                  detail::describe_size(output_shape.size(), output_shape));
  }

  /// Heap models hold one batch workspace per thread (the first also serves
  /// single forward passes); more are allocated when a batch asks for more threads.
  void reserve_workspaces(std::size_t count) {
    if (count <= workspace_count_) return;
    workspaces_ = detail::aligned_floats(count * P::batch_workspace_floats);
    workspace_count_ = count;
  }

  float* params_data() { return params_.data(); }
  const float* params_data() const { return params_.data(); }
  float* single_workspace() {
    if constexpr (Where == storage::heap) return workspaces_.data();
    else return workspace_.data();
  }

  using heap_or_array = std::conditional_t<Where == storage::heap, detail::aligned_floats, std::array<float, 1>>;
  alignas(64) std::conditional_t<Where == storage::heap, detail::aligned_floats, std::array<float, block_floats>> params_{};
  heap_or_array workspaces_{};
  std::size_t workspace_count_ = 0;
  alignas(64) std::conditional_t<Where == storage::in_place, std::array<float, workspace_floats>, std::array<float, 1>>
      workspace_{};
};

}  // namespace typenet
