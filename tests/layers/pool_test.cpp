// Static tests of max_pool and avg_pool: depth kept, no parameters, default stride, rounding.
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;

// 2x2 stride 2 (the lecture's slide: a 4x4 slice becomes 2x2) and 3x3 stride 2.
static_assert(output_shape<network<input<4, 4, 1>, max_pool<window<2>, stride<2>>>> == volume(2, 2, 1));
static_assert(output_shape<network<input<224, 224, 64>, max_pool<window<2>>>> == volume(112, 112, 64));
static_assert(output_shape<network<input<55, 55, 96>, max_pool<window<3>, stride<2>>>> == volume(27, 27, 96));
// Pooling keeps the depth and has no parameters.
using pooled = network<input<32, 32, 17>, max_pool<window<2>>, avg_pool<window<2>>>;
static_assert(output_shape<pooled> == volume(8, 8, 17));
static_assert(param_count<pooled> == 0 && mac_count<pooled> == 0);
// The stride defaults to the window; it can be given.
static_assert(output_shape<network<input<9, 9, 1>, max_pool<window<3>>>> == volume(3, 3, 1));
static_assert(output_shape<network<input<9, 9, 1>, max_pool<window<3>, stride<1>>>> == volume(7, 7, 1));
// Padding up to half the window; ResNet's 3x3 s2 p1 pool on 112 needs rounding down.
static_assert(output_shape<network<input<112, 112, 64>, max_pool<window<3>, stride<2>, pad<1>, round_down>>> ==
              volume(56, 56, 64));
static_assert(output_shape<network<input<4, 4, 1>, avg_pool<window<3>, stride<1>, pad<1>>>> == volume(4, 4, 1));
// Ceil mode keeps a partial last window.
static_assert(output_shape<network<input<6, 6, 1>, max_pool<window<3>, stride<2>, round_up>>> == volume(3, 3, 1));
static_assert(output_shape<network<input<6, 6, 1>, max_pool<window<3>, stride<2>, round_down>>> == volume(2, 2, 1));
// Non-square windows.
static_assert(output_shape<network<input<8, 6, 2>, avg_pool<window<2, 3>>>> == volume(4, 2, 2));
// count_padding (PyTorch's count_include_pad=True) changes what an average divides by, not its shape
// or counts; only averages take it.
using counting = network<input<6, 6, 3>, avg_pool<window<3>, stride<2>, pad<1>, round_up, count_padding>>;
static_assert(fits<counting> && output_shape<counting> == volume(4, 4, 3));
static_assert(param_count<counting> == 0 && mac_count<counting> == 0);
static_assert(avg_pool<window<2>, count_padding>::op == pool_op::average_counting_padding);
static_assert(avg_pool<window<2>>::op == pool_op::average);
static_assert(fits<network<input<6, 6, 3>, avg_pool<window<2>, count_padding>>>);
static_assert(!fits<network<input<6, 6, 3>, max_pool<window<2>, count_padding>>>);
static_assert(!fits<network<input<6, 6, 3>, avg_pool<window<2>, count_padding, count_padding>>>);
static_assert(!fits<network<input<6, 6, 3>, conv<filters<2>, kernel<3>, count_padding>>>);
// The divisor (kernels/reference.hpp): on 5 x 5 with a 3x3 window, stride 2, pad 1 and round_up, the
// corner window covers 4 inputs and 5 padded positions; on 6 x 6 the last window also passes the
// padded input by one row and one column, which never count: 2 x 2, as PyTorch's.
constexpr window2d five = avg_pool<window<3>, stride<2>, pad<1>, round_up>::window_on<volume(5, 5, 1)>;
static_assert(average_divisor<five, pool_op::average>(0, 0) == 4);
static_assert(average_divisor<five, pool_op::average_counting_padding>(0, 0) == 9);
static_assert(average_divisor<five, pool_op::average_counting_padding>(2, 2) == 9);
constexpr window2d six = bound_at<counting, 1>::layer::window_on<volume(6, 6, 3)>;
static_assert(average_divisor<six, pool_op::average_counting_padding>(3, 3) == 4);
static_assert(average_divisor<six, pool_op::average_counting_padding>(3, 0) == 6);
static_assert(average_divisor<six, pool_op::average>(3, 3) == 1);

// adaptive_avg_pool<output_size<OH, OW>>: the output grid whatever the input; global_avg_pool is 1x1.
static_assert(output_shape<network<input<7, 7, 512>, global_avg_pool>> == volume(1, 1, 512));
static_assert(output_shape<network<input<7, 7, 512>, global_avg_pool, flatten>> == flat(512));
static_assert(output_shape<network<input<13, 11, 6>, adaptive_avg_pool<output_size<6>>>> == volume(6, 6, 6));
static_assert(output_shape<network<input<3, 2, 4>, adaptive_avg_pool<output_size<7, 5>>>> == volume(7, 5, 4));
static_assert(param_count<network<input<7, 7, 512>, global_avg_pool>> == 0);
static_assert(!fits<network<input<10>, global_avg_pool>>);  // needs a volume (layer_needs_a_volume)
// The windows: floor(o N / OH) to ceil((o + 1) N / OH) (PyTorch's start_index / end_index).
static_assert(reference::adaptive_span(0, 5, 3).first == 0 && reference::adaptive_span(0, 5, 3).last == 2);
static_assert(reference::adaptive_span(1, 5, 3).first == 1 && reference::adaptive_span(1, 5, 3).last == 4);
static_assert(reference::adaptive_span(2, 5, 3).first == 3 && reference::adaptive_span(2, 5, 3).last == 5);
static_assert(reference::adaptive_span(4, 3, 7).first == 1 && reference::adaptive_span(4, 3, 7).last == 3);  // 12/7, 15/7
}  // namespace
