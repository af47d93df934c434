// Rule: concat<> joins its branches along the channels, so every branch gives the same H x W. A 3x3
// convolution without padding shrinks 8x8 to 6x6 while the 1x1 branch keeps 8x8.
// expect: typenet: concat<...> joins its branches along the channels, so every branch must give the same H x W
// expect: concat_extents_differ
// expect: volume_shape<8, 8, 4, false>
// expect: volume_shape<6, 6, 4, false>
// expect: at_layer<5, typenet::concat_join>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using pad = tn::pad<1>;
#else
using pad = tn::pad<0>;
#endif
using net = tn::network<tn::input<8, 8, 8>, tn::concat<tn::branch<tn::conv<tn::filters<4>, tn::kernel<1>>, tn::relu>,
                                                       tn::branch<tn::conv<tn::filters<4>, tn::kernel<3>, pad>, tn::relu>>>;
static_assert(tn::facts<net>.valid);
