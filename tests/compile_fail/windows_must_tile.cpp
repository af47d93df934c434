// The lecture's case: N = 7, F = 3, stride 3 gives (7 - 3)/3 + 1 = 2.33, so the layer is rejected.
// expect: typenet: the windows of this layer do not tile its padded input
// expect: windows_must_tile_the_padded_input
// expect: N<7>
// expect: F<3>
// expect: P<0, 0>
// expect: S<3>
// expect: left_over<1>
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<10>, typenet::kernel<3, 3>, typenet::stride<3, 3> > >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<10>, typenet::kernel<3>, typenet::stride<3>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using net = tn::network<tn::input<7, 7, 3>,
#ifdef TYPENET_TWIN
                        tn::conv<tn::filters<10>, tn::kernel<3>, tn::stride<2>>,
#else
                        tn::conv<tn::filters<10>, tn::kernel<3>, tn::stride<3>>,
#endif
                        // Later layers would break too if the fold went on: one error only.
                        tn::conv<tn::filters<4>, tn::kernel<3>>, tn::dense<tn::units<2>>>;
static_assert(tn::facts<net>.valid);
