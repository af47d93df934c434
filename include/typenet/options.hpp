// Labelled layer parameters (kernel<5>, stride<2>, pad<1>, ...) and how a layer finds them.
#pragma once

#include <typenet/geometry.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/bool.hpp>
#include <boost/hana/count_if.hpp>
#include <boost/hana/find_if.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace typenet {

/// Labels group the spellings of one parameter: `pad<1>`, `pad_sides<0, 1, 0, 1>`
/// and `pad_same` are all padding, so a layer takes at most one of them.
namespace label {
struct filters {};
struct kernel {};
struct window {};
struct stride {};
struct pad {};
struct units {};
struct slope {};
struct rounding {};
struct divisor {};
struct bias {};
struct groups {};
struct output_size {};
struct probability {};
struct defaults {};
struct name {};
}  // namespace label

/// A string usable as a template argument: `name<"conv1">` holds one.
template <std::size_t N>
struct fixed_string {
  char chars[N]{};  ///< the characters and a terminating 0
  constexpr fixed_string() = default;
  constexpr fixed_string(const char (&s)[N]) {  // NOLINT: implicit, so that name<"conv1"> reads as written
    for (std::size_t i = 0; i < N; ++i) chars[i] = s[i];
  }
  constexpr std::string_view view() const { return {chars, N - 1}; }
  static constexpr std::size_t size() { return N - 1; }
};

/// A layer's (or a block's, or a nested network's) name: `conv<filters<6>, kernel<5>, name<"conv1">>`.
/// Every layer that takes options takes it; it changes no fact of the layer. Per-layer queries then
/// take the name as well as the position (`param_count<Net, "conv1">`).
template <fixed_string Text>
struct name {
  using label = label::name;
  static constexpr auto text = Text;
  static constexpr std::string_view value = Text.view();
  static constexpr bool positive = true;
};

/// Height and width of a kernel, window or stride.
struct extent2 {
  std::size_t height;
  std::size_t width;
};

/// Zero padding on each side of the height and width axes.
struct padding {
  std::size_t top;
  std::size_t bottom;
  std::size_t left;
  std::size_t right;
};

/// Number of filters of a convolution (its output depth).
template <std::size_t K>
struct filters {
  using label = label::filters;
  static constexpr std::size_t value = K;
  static constexpr bool positive = K > 0;
};

/// Convolution kernel size: `kernel<5>` is 5x5, `kernel<3, 1>` is 3 high, 1 wide.
template <std::size_t H, std::size_t W = H>
struct kernel {
  using label = label::kernel;
  static constexpr extent2 value{H, W};
  static constexpr bool positive = H > 0 && W > 0;
};

/// Pooling window: `window<2>` is 2x2.
template <std::size_t H, std::size_t W = H>
struct window {
  using label = label::window;
  static constexpr extent2 value{H, W};
  static constexpr bool positive = H > 0 && W > 0;
};

/// Step of the sliding window: `stride<2>`, or per axis `stride<2, 1>`.
template <std::size_t H, std::size_t W = H>
struct stride {
  using label = label::stride;
  static constexpr extent2 value{H, W};
  static constexpr bool positive = H > 0 && W > 0;
};

/// Symmetric zero padding: `pad<2>` on all sides, `pad<1, 2>` 1 on top and
/// bottom, 2 on left and right.
template <std::size_t H, std::size_t W = H>
struct pad {
  using label = label::pad;
  static constexpr padding value{H, H, W, W};
  static constexpr bool positive = true;
};

/// Zero padding given side by side, for asymmetric cases.
template <std::size_t Top, std::size_t Bottom, std::size_t Left, std::size_t Right>
struct pad_sides {
  using label = label::pad;
  static constexpr padding value{Top, Bottom, Left, Right};
  static constexpr bool positive = true;
};

/// "Same" padding: P = (F - 1) / 2 on every side, which keeps H and W at
/// stride 1. Needs an odd kernel.
struct pad_same {
  using label = label::pad;
  static constexpr bool positive = true;
};

/// Number of outputs of a dense (fully connected) layer.
template <std::size_t N>
struct units {
  using label = label::units;
  static constexpr std::size_t value = N;
  static constexpr bool positive = N > 0;
};

/// Negative slope of a leaky relu, as a ratio: `slope<1, 100>` is 0.01.
template <std::intmax_t Num, std::intmax_t Den>
struct slope {
  using label = label::slope;
  static constexpr double value = static_cast<double>(Num) / static_cast<double>(Den == 0 ? 1 : Den);
  static constexpr bool positive = Den > 0;
};

/// A share in percent: `dropout<percent<20>>` drops 20% of the values in training.
template <std::intmax_t P>
struct percent {
  using label = label::probability;
  static constexpr std::intmax_t value = P;
  static constexpr bool positive = P >= 0;
};

/// Accept windows that do not tile the input: drop the partial last window.
struct round_down {
  using label = label::rounding;
  static constexpr rounding value = rounding::down;
  static constexpr bool positive = true;
};

/// Accept windows that do not tile the input: keep a partial last window
/// (it must start inside the input or its leading padding).
struct round_up {
  using label = label::rounding;
  static constexpr rounding value = rounding::up;
  static constexpr bool positive = true;
};

/// Average pooling only: divide by the whole window, padded positions included, as PyTorch's
/// nn.AvgPool2d does by default (count_include_pad=True). Without it an average divides by the
/// input positions its window covers (count_include_pad=False). Either way, the part of a
/// rounded-up last window past the trailing padding is not counted.
struct count_padding {
  using label = label::divisor;
  static constexpr bool value = true;
  static constexpr bool positive = true;
};

/// Convolution and dense: no bias (ResNet's convolutions before a batch norm, PyTorch's bias=False).
/// The layer then has weights only, and its output is the weighted sum alone.
struct no_bias {
  using label = label::bias;
  static constexpr bool value = false;
  static constexpr bool positive = true;
};

/// Grouped convolution: `groups<G>` splits the C input channels and the K filters into G groups,
/// each filter seeing only its group's C / G channels (PyTorch's Conv2d groups=G). C and K must
/// both be multiples of G.
template <std::size_t G>
struct groups {
  using label = label::groups;
  static constexpr std::size_t value = G;
  static constexpr bool positive = G > 0;
};

/// Depthwise convolution: as many groups as input channels, each filter sees one channel
/// (MobileNet's 3x3 layers; PyTorch's groups=in_channels). K must be a multiple of C.
struct depthwise {
  using label = label::groups;
  static constexpr std::size_t value = 0;  ///< 0: one group per input channel
  static constexpr bool positive = true;
};

/// The output grid of an adaptive pooling layer: `output_size<7>` is 7x7, `output_size<1>` global.
template <std::size_t H, std::size_t W = H>
struct output_size {
  using label = label::output_size;
  static constexpr extent2 value{H, W};
  static constexpr bool positive = H > 0 && W > 0;
};

/// Marks what is not an option, so that a stray type gets a diagnostic rather
/// than a lookup failure.
struct not_an_option {};

template <class T>
struct label_of {
  using type = not_an_option;
};
template <class T>
  requires requires { typename T::label; }
struct label_of<T> {
  using type = typename T::label;
};

template <class Option, class Label>
inline constexpr bool has_label = std::is_same_v<typename label_of<Option>::type, Label>;

/// Hana predicate: does an option (as a hana::type) carry `Label`?
template <class Label>
struct labelled {
  template <class Option>
  constexpr auto operator()(Option) const {
    return boost::hana::bool_c<has_label<typename Option::type, Label>>;
  }
};

/// The first option among `Options` with label `Label`, or `Default`.
template <class Label, class Default, class... Options>
using option_t = typename std::remove_cvref_t<decltype(boost::hana::find_if(boost::hana::tuple_t<Options...>,
                                                                            labelled<Label>{})
                                                          .value_or(boost::hana::type_c<Default>))>::type;

/// How many of `Options` carry `Label`.
template <class Label, class... Options>
inline constexpr std::size_t count_label =
    decltype(boost::hana::count_if(boost::hana::tuple_t<Options...>, labelled<Label>{}))::value;

}  // namespace typenet
