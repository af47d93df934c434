// Rule: input<> is a volume input<H, W, C> or a flat vector input<N>; input<32, 32> forgot the depth.
// expect: typenet: input<> takes H, W, C (a volume, as in input<32, 32, 3>) or a single length N
// expect: input_needs_three_extents_or_one
// expect-gcc: at_layer<0, typenet::input<32, 32> >
// expect-clang: at_layer<0, typenet::input<32, 32>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<32, 32, 1>, tn::conv<tn::filters<8>, tn::kernel<3>>>;
#else
using net = tn::network<tn::input<32, 32>, tn::conv<tn::filters<8>, tn::kernel<3>>>;
#endif
static_assert(tn::facts<net>.valid);
