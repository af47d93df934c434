// batch_norm: batch normalization with learned scale and shift and running statistics (inference).
#pragma once

#include <typenet/contract.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/layer.hpp>

#include <boost/hana/tuple.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <string>

namespace typenet {

/// Batch normalization of each channel (of a volume's depth, or of a flat vector's values, as
/// PyTorch's BatchNorm2d and BatchNorm1d): y = (x - running_mean) / sqrt(running_var + 1e-5) *
/// weight + bias, PyTorch's eval mode with its default epsilon. Tensors, in PyTorch's names:
/// weight (C, starts at 1) and bias (C, 0), learned, and running_mean (C, 0) and running_var
/// (C, 1), buffers: stored with the parameters and in weight files, counted in facts' buffers,
/// not in param_count (as PyTorch's parameters() leaves them out). Its kernel applies an
/// activation after it (relu, relu6) as it stores.
///
/// Training mode (batch statistics, updating the running averages) is not in typenet yet: the
/// layer has no backward pass, so a trainer refuses a network holding one (layer_has_no_backward).
template <class... Options>
struct batch_norm {
  static constexpr std::string_view kind = "batch_norm";
  static constexpr auto accepted = boost::hana::tuple_t<>;
  static constexpr auto required = boost::hana::tuple_t<>;
  static constexpr double epsilon = 1e-5;

  template <shape In>
  static constexpr verdict check() {
    return {};
  }
  template <shape In>
  static constexpr layer_facts facts() {
    layer_facts f = make_facts(kind, In, In, In.depth, In.depth);
    f.buffers = 2 * In.depth;
    return f;
  }
  static std::string describe() { return std::string(kind); }

  // --- run time (contract.hpp) ---------------------------------------------

  template <shape In, shape Out>
  static constexpr std::array<param_tensor, 4> tensors = {
      param_tensor{"weight", {In.depth, 1, 1, 1}, 1, "O", init_rule::ones, 0, 0},
      bias_tensor(In.depth),
      buffer_tensor("running_mean", In.depth, init_rule::zeros),
      buffer_tensor("running_var", In.depth, init_rule::ones)};

  template <shape In, shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    constexpr std::size_t C = In.depth, positions = In.height * In.width;
    const T *gamma = params, *beta = params + C, *mean = params + 2 * C, *var = params + 3 * C;
    for (std::size_t p = 0; p < positions; ++p)
      for (std::size_t c = 0; c < C; ++c)
        out[p * C + c] = (in[p * C + c] - mean[c]) / std::sqrt(var[c] + T(epsilon)) * gamma[c] + beta[c];
  }

  /// Per channel scale and shift (computed in double), then one multiply-add per value.
  template <shape In, shape Out>
  static constexpr std::size_t scratch_floats = 2 * In.depth + simd::read_slack;
  static constexpr bool takes_epilogue = true;

  template <shape In, shape Out, class Act>
  static void kernel(const float* params, const float* in, float* out, float* scratch, Act act) {
    constexpr std::size_t C = In.depth, positions = In.height * In.width, W = simd::lanes;
    constexpr std::size_t full = simd::available ? C / W * W : 0;
    float* scale = scratch;
    float* shift = scratch + C;
    for (std::size_t c = 0; c < C; ++c) {
      const double s = double(params[c]) / std::sqrt(double(params[3 * C + c]) + epsilon);
      scale[c] = static_cast<float>(s);
      shift[c] = static_cast<float>(double(params[C + c]) - double(params[2 * C + c]) * s);
    }
    for (std::size_t p = 0; p < positions; ++p) {
      const float* x = in + p * C;
      float* y = out + p * C;
      if constexpr (full != 0)
        for (std::size_t c = 0; c < full; c += W)
          act(xsimd::fma(simd::vec::load_unaligned(x + c), simd::vec::load_unaligned(scale + c),
                         simd::vec::load_unaligned(shift + c)))
              .store_unaligned(y + c);
      for (std::size_t c = full; c < C; ++c) y[c] = act(x[c] * scale[c] + shift[c]);
    }
  }
};

}  // namespace typenet
