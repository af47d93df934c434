// Static tests of the window rules: the lecture's (N + 2P - F) / S + 1 and its worked cases.
#include <typenet/rules.hpp>

#include <type_traits>

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

// Each rule's check returns the diagnostic it raises, with the numbers, or no_problem.
namespace {
namespace tn = typenet;
using tn::error::along_height;
constexpr tn::window_axis lecture{.n = 7, .f = 3, .pad_before = 0, .pad_after = 0, .s = 3};
using tile = decltype(tn::check_windows_tile<lecture, along_height, tn::rounding::exact>());
static_assert(std::is_same_v<tile::at<int>, tn::error::windows_must_tile_the_padded_input<
                                                int, along_height, tn::error::N<7>, tn::error::F<3>, tn::error::P<0, 0>,
                                                tn::error::S<3>, tn::error::left_over<1>>>);
static_assert(std::is_same_v<decltype(tn::check_windows_tile<lecture, along_height, tn::rounding::down>()), tn::no_problem>);
constexpr tn::window_axis small{.n = 2, .f = 3, .pad_before = 0, .pad_after = 0, .s = 1};
static_assert(tn::is_problem<decltype(tn::check_window_fits<small, along_height>())>);
static_assert(!tn::is_problem<decltype(tn::check_window_fits<lecture, along_height>())>);
// The window that does not fit is reported before the tiling it would also break.
static_assert(std::is_same_v<decltype(tn::check_window_axis<small, along_height, tn::rounding::exact>()),
                             decltype(tn::check_window_fits<small, along_height>())>);
static_assert(tn::is_problem<decltype(tn::check_same_padding<true, 2, along_height>())>);
static_assert(!tn::is_problem<decltype(tn::check_same_padding<true, 3, along_height>())>);
static_assert(!tn::is_problem<decltype(tn::check_same_padding<false, 2, along_height>())>);
static_assert(tn::is_problem<decltype(tn::check_volume<tn::flat(3)>())>);
constexpr tn::window_axis huge{.n = 8, .f = 3, .pad_before = std::size_t{1} << 63, .pad_after = std::size_t{1} << 63, .s = 1};
using overflowed = decltype(tn::check_padded_extent<huge, along_height>());
static_assert(std::is_same_v<overflowed::at<int>, tn::error::count_overflows<int, tn::error::what<tn::fixed_string{"padded height N + 2P"}>,
                                                                          tn::error::sum<(std::size_t{1} << 63) + 8, std::size_t{1} << 63>>>);
// first_problem keeps the first problem in the order given.
static_assert(std::is_same_v<decltype(tn::first_problem(tn::no_problem{}, tile{}, tn::check_volume<tn::flat(3)>())), tile>);
static_assert(std::is_same_v<decltype(tn::first_problem(tn::no_problem{}, tn::no_problem{})), tn::no_problem>);
}  // namespace
