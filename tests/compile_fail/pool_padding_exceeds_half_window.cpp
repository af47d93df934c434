// Rule: pooling pads at most half its window on each side, P <= F / 2. A 3x3 window with stride 2
// (the lecture's F = 3, S = 2) may pad 1; pad<2> would give windows that see only padding.
// expect: typenet: pooling may pad at most half its window on each side, P <= F / 2
// expect: pool_padding_exceeds_half_window
// expect: along_height
// expect: F<3>
// expect: P<2, 2>
// expect-gcc: at_layer<1, typenet::max_pool<typenet::window<3, 3>, typenet::stride<2, 2>, typenet::pad<2, 2> > >
// expect-clang: at_layer<1, typenet::max_pool<typenet::window<3>, typenet::stride<2>, typenet::pad<2>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<9, 9, 16>, tn::max_pool<tn::window<3>, tn::stride<2>, tn::pad<1>>>;
#else
using net = tn::network<tn::input<9, 9, 16>, tn::max_pool<tn::window<3>, tn::stride<2>, tn::pad<2>>>;
#endif
static_assert(tn::facts<net>.valid);
