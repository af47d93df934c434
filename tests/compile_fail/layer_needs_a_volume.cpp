// Rule: pooling and convolution slide a window over an H x W x C volume; after flatten the data is
// a flat vector of 8*8*3 = 192 values (printed as volume_shape<1, 1, 192, true>) and has no H or W.
// expect: typenet: this layer slides a window over an H x W x C volume, but it is given a flat vector
// expect: layer_needs_a_volume
// expect: volume_shape<1, 1, 192, true>
// expect-gcc: at_layer<2, typenet::max_pool<typenet::window<2, 2> > >
// expect-clang: at_layer<2, typenet::max_pool<typenet::window<2>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::relu, tn::max_pool<tn::window<2>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::flatten, tn::max_pool<tn::window<2>>>;
#endif
static_assert(tn::facts<net>.valid);
