// The lecture's shape rules for sliding windows: each a named constexpr predicate, the check that
// asserts it and the diagnostic that check raises, side by side.
#pragma once

#include <typenet/checked.hpp>
#include <typenet/diagnostics.hpp>
#include <typenet/geometry.hpp>
#include <typenet/options.hpp>
#include <typenet/shape.hpp>

#include <cstddef>

namespace typenet {

/// The numbers of one window axis as the diagnostics print them.
namespace error {
template <window_axis A>
using P_of = P<A.pad_before, A.pad_after>;
template <shape S>
using shape_of = volume_shape<S.height, S.width, S.depth, S.flat>;
}  // namespace error

// --- the layer slides over a volume ----------------------------------------

namespace error {
template <class At, class Got>
struct layer_needs_a_volume {
  static_assert(reported<At>,
                "typenet: this layer slides a window over an H x W x C volume, but it is given a flat vector "
                "(the layer and the shape it got are in the instantiation above). Fix: move it before flatten / "
                "dense, or give the network a volume input<H, W, C>.");
};
}  // namespace error

/// Rule: a sliding window needs an H x W x C volume, not a flat vector.
template <shape In>
constexpr auto check_volume() {
  if constexpr (In.flat) return problem<error::layer_needs_a_volume, error::shape_of<In>>{};
  else return no_problem{};
}

// --- the padded extent fits in 64 bits --------------------------------------

/// Rule: N + 2P fits in std::size_t (error::count_overflows otherwise).
template <window_axis A, class Along>
constexpr auto check_padded_extent() {
  constexpr overflow o = (checked{A.n} + A.pad_before + A.pad_after).failed;
  if constexpr (!o.happened())
    return no_problem{};
  else if constexpr (std::is_same_v<Along, error::along_height>)
    return problem<error::count_overflows, error::what<fixed_string{"padded height N + 2P"}>, error::sum<o.lhs, o.rhs>>{};
  else
    return problem<error::count_overflows, error::what<fixed_string{"padded width N + 2P"}>, error::sum<o.lhs, o.rhs>>{};
}

// --- the window fits in the padded input -------------------------------------

/// Rule: the window must fit in the padded input, F <= N + 2P.
constexpr bool window_fits(window_axis a) { return a.f <= a.padded(); }

namespace error {
template <class At, class Axis, class N, class F, class P>
struct window_larger_than_padded_input {
  static_assert(reported<At>,
                "typenet: the window of this layer is larger than its padded input: F > N + 2P (the layer, N, F "
                "and P are in the instantiation above). Fix: use a smaller kernel<> or window<>, more pad<>, or "
                "move the layer before the input shrinks.");
};
}  // namespace error

template <window_axis A, class Along>
constexpr auto check_window_fits() {
  if constexpr (window_fits(A))
    return no_problem{};
  else
    return problem<error::window_larger_than_padded_input, Along, error::N<A.n>, error::F<A.f>, error::P_of<A>>{};
}

// --- the windows tile the padded input ---------------------------------------

/// What is left over when the windows are laid: (N + 2P - F) mod S.
/// Requires window_fits(a).
constexpr std::size_t left_over(window_axis a) { return (a.padded() - a.f) % a.s; }

/// Rule: the windows tile the padded input exactly, (N + 2P - F) divisible by S.
constexpr bool windows_tile(window_axis a) { return left_over(a) == 0; }

namespace error {
template <class At, class Axis, class N, class F, class P, class S, class LeftOver>
struct windows_must_tile_the_padded_input {
  static_assert(reported<At>,
                "typenet: the windows of this layer do not tile its padded input: (N + 2P - F) must be a multiple "
                "of S, and left_over = (N + 2P - F) mod S is not 0 (the layer, N, F, P, S and left_over are in the "
                "instantiation above). Fix: change kernel<>, stride<> or pad<> so that the windows fit, or add "
                "round_down (or round_up) to this layer to accept a partial last window.");
};
}  // namespace error

/// The lecture's rule under exact rounding; round_down and round_up accept a partial last window.
template <window_axis A, class Along, rounding R>
constexpr auto check_windows_tile() {
  if constexpr (R != rounding::exact || windows_tile(A))
    return no_problem{};
  else
    return problem<error::windows_must_tile_the_padded_input, Along, error::N<A.n>, error::F<A.f>, error::P_of<A>,
                   error::S<A.s>, error::left_over<left_over(A)>>{};
}

/// Every rule of one window axis, in the order a reader checks them.
template <window_axis A, class Along, rounding R>
constexpr auto check_window_axis() {
  using padded = decltype(check_padded_extent<A, Along>());
  if constexpr (is_problem<padded>) return padded{};  // the others would read a wrapped N + 2P
  else return first_problem(check_window_fits<A, Along>(), check_windows_tile<A, Along, R>());
}

/// Every rule of one window axis holds under rounding r.
constexpr bool window_axis_ok(window_axis a, rounding r) {
  return a.f > 0 && a.s > 0 && (checked{a.n} + a.pad_before + a.pad_after).ok() && window_fits(a) &&
         (r != rounding::exact || windows_tile(a));
}

// --- pooling pads at most half its window ------------------------------------

/// Rule: pooling pads at most half the window on each side (beyond that, a
/// window could see nothing but padding).
constexpr bool pool_padding_within_half_window(window_axis a) {
  return a.pad_before <= a.f / 2 && a.pad_after <= a.f / 2;
}

namespace error {
template <class At, class Axis, class F, class P>
struct pool_padding_exceeds_half_window {
  static_assert(reported<At>,
                "typenet: pooling may pad at most half its window on each side, P <= F / 2 (the layer, F and P are "
                "in the instantiation above); more padding makes windows that see only padding. Fix: use less "
                "pad<> or a larger window<>.");
};
}  // namespace error

template <window_axis A, class Along>
constexpr auto check_pool_padding() {
  if constexpr (pool_padding_within_half_window(A))
    return no_problem{};
  else
    return problem<error::pool_padding_exceeds_half_window, Along, error::F<A.f>, error::P_of<A>>{};
}

// --- pad_same needs an odd kernel --------------------------------------------

namespace error {
template <class At, class Axis, class F>
struct same_padding_needs_an_odd_kernel {
  static_assert(reported<At>,
                "typenet: pad_same means P = (F - 1) / 2, which needs an odd kernel (F is in the instantiation "
                "above). Fix: use an odd kernel<>, or give pad<> or pad_sides<> explicitly.");
};
}  // namespace error

/// Rule: pad_same, P = (F - 1) / 2, needs an odd F.
template <bool Same, std::size_t F, class Along>
constexpr auto check_same_padding() {
  if constexpr (!Same || F % 2 == 1)
    return no_problem{};
  else
    return problem<error::same_padding_needs_an_odd_kernel, Along, error::F<F>>{};
}

}  // namespace typenet
