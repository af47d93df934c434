// Static tests of the window rules: the lecture's (N + 2P - F) / S + 1 and its worked cases.
#include <typenet/rules.hpp>

namespace {
using typenet::rounding;
using typenet::window_axis;

// N = 7, F = 3: stride 1 -> 5, stride 2 -> 3, stride 3 -> 2.33: does not fit.
constexpr window_axis n7f3(std::size_t s, std::size_t p = 0) { return {7, 3, p, p, s}; }
static_assert(typenet::windows_tile(n7f3(1)) && typenet::output_extent(n7f3(1), rounding::exact) == 5);
static_assert(typenet::windows_tile(n7f3(2)) && typenet::output_extent(n7f3(2), rounding::exact) == 3);
static_assert(!typenet::windows_tile(n7f3(3)));
static_assert(typenet::left_over(n7f3(3)) == 1);
static_assert(!typenet::window_axis_ok(n7f3(3), rounding::exact));
// Accepted only when asked to round: down gives 2 (PyTorch floor), up gives 3 (ceil_mode).
static_assert(typenet::window_axis_ok(n7f3(3), rounding::down));
static_assert(typenet::output_extent(n7f3(3), rounding::down) == 2);
static_assert(typenet::output_extent(n7f3(3), rounding::up) == 3);

// Padding: N = 7, F = 3, S = 1, P = 1 keeps 7 ("same" padding, P = (F - 1) / 2).
static_assert(typenet::output_extent(n7f3(1, 1), rounding::exact) == 7);
static_assert(typenet::output_extent({32, 5, 2, 2, 1}, rounding::exact) == 32);  // the worked example

// The window must fit the padded input.
static_assert(typenet::window_fits({3, 3, 0, 0, 1}));
static_assert(!typenet::window_fits({2, 3, 0, 0, 1}));
static_assert(typenet::window_fits({2, 3, 1, 0, 1}));

// ResNet's stem: 224, F = 7, S = 2, P = 3 leaves 1 over; rounding down gives 112.
static_assert(!typenet::windows_tile({224, 7, 3, 3, 2}));
static_assert(typenet::output_extent({224, 7, 3, 3, 2}, rounding::down) == 112);
// ResNet's max pooling: 112, F = 3, S = 2, P = 1 -> 56 (down); 3x3 s2 on 6 with ceil -> 3, floor -> 2.
static_assert(typenet::output_extent({112, 3, 1, 1, 2}, rounding::down) == 56);
static_assert(typenet::output_extent({6, 3, 0, 0, 2}, rounding::up) == 3);
static_assert(typenet::output_extent({6, 3, 0, 0, 2}, rounding::down) == 2);
// Rounding up never starts a window in the trailing padding (PyTorch's rule):
// N = 5, F = 2, S = 2, P = 1: ceil((7 - 2) / 2) + 1 = 4, but window 4 would start at 6 >= 5 + 1.
static_assert(typenet::output_extent({5, 2, 1, 1, 2}, rounding::up) == 3);

// Pooling padding is at most half the window.
static_assert(typenet::pool_padding_within_half_window({4, 2, 1, 1, 2}));
static_assert(!typenet::pool_padding_within_half_window({4, 2, 2, 2, 2}));
static_assert(typenet::pool_padding_within_half_window({4, 3, 1, 1, 2}));
static_assert(!typenet::pool_padding_within_half_window({4, 3, 2, 0, 2}));
}  // namespace
