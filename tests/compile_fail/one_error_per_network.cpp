// Rule: a bad layer stops the fold, so a network gives one error however many layers follow.
// The stem block is spliced as layers 1-3 (32x32x3 -> 16x16x8); the 5x5 stride-3 convolution at
// layer 4 leaves (16 - 5) mod 3 = 2. Had the fold gone on with the rounded-down 4x4, the 3x3
// convolution at layer 7 would see 2x2 and break too; it stays silent, as do all later layers.
// expect: typenet: the windows of this layer do not tile its padded input
// expect: windows_must_tile_the_padded_input
// expect: N<16>
// expect: F<5>
// expect: S<3>
// expect: left_over<2>
// expect-gcc: at_layer<4, typenet::conv<typenet::filters<16>, typenet::kernel<5, 5>, typenet::stride<3, 3> > >
// expect-clang: at_layer<4, typenet::conv<typenet::filters<16>, typenet::kernel<5>, typenet::stride<3>>>
// expect-reports: 1
#include <typenet/typenet.hpp>

namespace tn = typenet;
using stem = tn::block<tn::conv<tn::filters<8>, tn::kernel<3>, tn::pad<1>>, tn::relu, tn::max_pool<tn::window<2>>>;
using net = tn::network<tn::input<32, 32, 3>, stem,
#ifdef TYPENET_TWIN
                        tn::conv<tn::filters<16>, tn::kernel<5>, tn::stride<1>>,  // 12x12x16
#else
                        tn::conv<tn::filters<16>, tn::kernel<5>, tn::stride<3>>,
#endif
                        tn::relu, tn::max_pool<tn::window<2>>,   // 6x6x16
                        tn::conv<tn::filters<32>, tn::kernel<3>>,  // 4x4x32
                        tn::max_pool<tn::window<2>>,               // 2x2x32
                        tn::flatten, tn::dense<tn::units<10>>>;
static_assert(tn::facts<net>.valid);
