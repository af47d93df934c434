// adaptive_avg_pool<output_size<H, W>> and global_avg_pool: average pooling to a given output grid.
#pragma once

#include <typenet/kernels/reference.hpp>
#include <typenet/layer.hpp>
#include <typenet/rules.hpp>

#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <string>

namespace typenet {

/// Adaptive average pooling: whatever the input's H x W, the output is the
/// output_size<OH, OW> grid, depth kept; output (oh, ow) averages input rows
/// floor(oh H / OH) to ceil((oh + 1) H / OH) and the same across, as PyTorch's
/// nn.AdaptiveAvgPool2d (windows may overlap or repeat when the input is not a
/// multiple of the output). No parameters.
template <class... Options>
struct adaptive_avg_pool {
  static constexpr std::string_view kind = "adaptive_avg_pool";
  static constexpr auto accepted = boost::hana::tuple_t<label::output_size>;
  static constexpr auto required = boost::hana::tuple_t<label::output_size>;
  static constexpr extent2 grid = option_t<label::output_size, output_size<1>, Options...>::value;

  template <shape In>
  static constexpr auto check() {
    return check_volume<In>();
  }
  template <shape In>
  static constexpr layer_facts facts() {
    return make_facts(kind, In, volume(grid.height, grid.width, In.depth));
  }
  static std::string describe() {
    return std::string(kind) + " " + std::to_string(grid.height) + "x" + std::to_string(grid.width);
  }

  // --- run time (contract.hpp): the reference loop is the kernel (channels innermost, vectorized by
  // the compiler for the unit's ISA; a memory-bound reduction). ----------------------------------

  template <shape In, shape Out, class T>
  static constexpr void forward(const T*, const T* in, T* out) {
    reference::adaptive_avg_pool<In.height, In.width, In.depth, grid.height, grid.width, T>(in, out);
  }

  // --- training ------------------------------------------------------------

  template <shape In, shape Out, class T>
  static constexpr void backward(const T*, const T*, const T*, const T* grad_out, T* grad_in, T*) {
    if (grad_in)
      reference::adaptive_avg_pool_backward<In.height, In.width, In.depth, grid.height, grid.width, T>(grad_out,
                                                                                                       grad_in);
  }
};

/// Global average pooling: each channel's mean over the whole H x W, output 1 x 1 x C (ResNet's
/// and MobileNet's last pooling; PyTorch's nn.AdaptiveAvgPool2d(1)).
using global_avg_pool = adaptive_avg_pool<output_size<1>>;

}  // namespace typenet
