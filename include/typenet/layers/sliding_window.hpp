// sliding_window<...>: the options convolution and pooling share (window, stride, padding, rounding) and their checks.
#pragma once

#include <typenet/geometry.hpp>
#include <typenet/layer.hpp>
#include <typenet/options.hpp>
#include <typenet/rules.hpp>

#include <cstddef>
#include <string>
#include <type_traits>

namespace typenet {

/// The default rounding: the lecture's rule, windows must tile the input exactly.
struct exact_tiling {
  using label = label::rounding;
  static constexpr rounding value = rounding::exact;
  static constexpr bool positive = true;
};

/// Padding from a pad option; pad_same gives (F - 1) / 2 per axis.
template <class PadOption>
constexpr padding padding_for(extent2 window) {
  if constexpr (std::is_same_v<PadOption, pad_same>) {
    const std::size_t ph = (window.height - 1) / 2, pw = (window.width - 1) / 2;
    return {ph, ph, pw, pw};
  } else {
    return PadOption::value;
  }
}

/// The options a sliding-window layer shares: window, stride, padding, rounding.
/// Stride defaults to 1 for convolution and to the window for pooling.
template <class WindowLabel, bool StrideDefaultsToWindow, class... Options>
struct sliding_window {
  static constexpr extent2 window_size = option_t<WindowLabel, kernel<1>, Options...>::value;
  static constexpr extent2 strides =
      option_t<label::stride,
               std::conditional_t<StrideDefaultsToWindow, stride<window_size.height, window_size.width>, stride<1>>,
               Options...>::value;
  using pad_option = option_t<label::pad, pad<0>, Options...>;
  static constexpr bool same_padding = std::is_same_v<pad_option, pad_same>;
  static constexpr padding pads = padding_for<pad_option>(window_size);
  static constexpr rounding round = option_t<label::rounding, exact_tiling, Options...>::value;

  template <shape In>
  static constexpr window_axis along_height() {
    return {In.height, window_size.height, pads.top, pads.bottom, strides.height};
  }
  template <shape In>
  static constexpr window_axis along_width() {
    return {In.width, window_size.width, pads.left, pads.right, strides.width};
  }

  /// The first broken rule (rules.hpp), checked in the order a reader would:
  /// a volume, a well-defined padding, then each axis, height first.
  template <shape In>
  static constexpr auto check_geometry() {
    return first_problem(check_volume<In>(),
                         check_same_padding<same_padding, window_size.height, error::along_height>(),
                         check_same_padding<same_padding, window_size.width, error::along_width>(),
                         check_window_axis<along_height<In>(), error::along_height, round>(),
                         check_window_axis<along_width<In>(), error::along_width, round>());
  }

  template <shape In>
  static constexpr std::size_t out_height = output_extent(along_height<In>(), round);
  template <shape In>
  static constexpr std::size_t out_width = output_extent(along_width<In>(), round);

  /// The window as the kernels take it: plain numbers for input In.
  template <shape In>
  static constexpr window2d window_on = {In.height, In.width, In.depth, out_height<In>, out_width<In>,
                                         window_size.height, window_size.width, strides.height, strides.width,
                                         pads.top, pads.bottom, pads.left, pads.right};

  static std::string describe_geometry() {
    auto two = [](std::size_t a, std::size_t b) {
      return a == b ? std::to_string(a) : std::to_string(a) + "x" + std::to_string(b);
    };
    std::string s = std::to_string(window_size.height) + "x" + std::to_string(window_size.width);
    s += " s" + two(strides.height, strides.width);
    if (pads.top == pads.bottom && pads.left == pads.right) {
      if (pads.top || pads.left) s += " p" + two(pads.top, pads.left);
    } else {
      s += " p" + std::to_string(pads.top) + "," + std::to_string(pads.bottom) + "," + std::to_string(pads.left) +
           "," + std::to_string(pads.right);
    }
    if (round == rounding::down) s += " floor";
    if (round == rounding::up) s += " ceil";
    return s;
  }
};

}  // namespace typenet
